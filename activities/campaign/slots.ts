/**
 * Calculation slots: how many candidates this worker evaluates at once, whatever the number of QM activities
 * it holds. A batch activity starts all its candidates and each waits here for a slot, so a batch that ends
 * early leaves no core idle while another batch still has candidates waiting. The worker sets the number to
 * its QM concurrency.
 */
import os from 'node:os';

let size = os.availableParallelism();
let busy = 0;
const waiting: Array<() => void> = [];

export function setCalculationSlots(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`calculation slots must be a positive integer, got ${n}`);
  size = n;
  while (busy < size && waiting.length > 0) {
    busy++;
    waiting.shift()?.();
  }
}

/** Runs `work` once a slot is free (first come, first served), and frees the slot when it settles. */
export async function inCalculationSlot<T>(work: () => Promise<T>): Promise<T> {
  if (busy < size) busy++;
  else await new Promise<void>((r) => waiting.push(r)); // the slot is handed over by the one leaving it
  try {
    return await work();
  } finally {
    const next = busy <= size ? waiting.shift() : undefined; // after a shrink, a slot beyond it goes away
    if (next) next();
    else busy--;
  }
}
