/**
 * Calculation slots: how many candidates this worker evaluates at once, whatever the number of QM activities
 * it holds. A batch activity starts all its candidates and each waits here for a slot, so a batch that ends
 * early leaves no core idle while another batch still has candidates waiting. The worker sets the number to
 * its QM concurrency.
 */
import os from 'node:os';

let size = os.availableParallelism();
let busy = 0;
/** In arrival order; work that runs alone takes every slot, and waits at the head until they are all free. */
const waiting: Array<{ alone: boolean; start: (taken: number) => void }> = [];

export function setCalculationSlots(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`calculation slots must be a positive integer, got ${n}`);
  size = n;
  hand();
}

/** Starts waiting work, first come first served, while it fits (after a shrink, none until enough are freed). */
function hand(): void {
  for (let next = waiting[0]; next; next = waiting[0]) {
    const taken = next.alone ? size : 1;
    if (busy > 0 && busy + taken > size) return;
    waiting.shift();
    busy += taken;
    next.start(taken);
  }
}

/**
 * Runs `work` once a slot is free (first come, first served), and frees the slot when it settles. With `alone`
 * it waits for every slot (and nothing after it starts meanwhile): a calculation under which a worker died runs
 * by itself, so that the next death is its own.
 */
export async function inCalculationSlot<T>(
  work: () => Promise<T>,
  opts: { alone?: boolean } = {},
): Promise<T> {
  const taken = await new Promise<number>((start) => {
    waiting.push({ alone: opts.alone ?? false, start });
    hand();
  });
  try {
    return await work();
  } finally {
    busy -= taken;
    hand();
  }
}
