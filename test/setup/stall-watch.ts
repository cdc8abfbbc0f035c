// Vitest's worker talks to the main process over RPC with a 60 s timeout; a test that blocks its
// process's event loop for that long (a synchronous spawn, a long synchronous loop) makes vitest report
// `Timeout calling "onTaskUpdate"` without saying which test did it. This watch says so: every block of
// the event loop longer than STALL_MS is written to stderr (and appended to $CASCADE_STALL_LOG when set)
// with the test that was running.
import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';

const STALL_MS = 10_000;
const TICK_MS = 500;

let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  const blocked = now - last - TICK_MS;
  last = now;
  if (blocked < STALL_MS) return;
  const state = expect.getState();
  const where = `${state.testPath ?? '?'} > ${state.currentTestName ?? '(between tests)'}`;
  const line = `event loop blocked ${(blocked / 1000).toFixed(1)} s in pid ${process.pid}: ${where}\n`;
  process.stderr.write(line);
  const log = process.env.CASCADE_STALL_LOG;
  if (log) appendFileSync(log, `${new Date().toISOString()} ${line}`);
}, TICK_MS);
timer.unref();
