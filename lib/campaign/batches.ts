/**
 * How a tier's candidates are split into QM activities. An activity per candidate costs a Temporal round trip
 * (schedule, poll, start, complete, a workflow task: ~25 ms of server and worker CPU) per calculation, about as
 * much as a small xtb single point; one activity for the whole tier would keep it on one worker. So a tier goes
 * out in at least MIN_BATCHES activities (one per candidate when there are fewer, as for the few candidates of
 * an expensive tier), each of at most MAX_BATCH candidates, contiguous and as even as possible. A worker runs a
 * batch's candidates side by side, as many at a time as its QM concurrency allows.
 */
export const MAX_BATCH = 25;
export const MIN_BATCHES = 8;

export function batches<T>(items: readonly T[], maxSize = MAX_BATCH, minBatches = MIN_BATCHES): T[][] {
  const n = items.length;
  const count = Math.min(n, Math.max(minBatches, Math.ceil(n / maxSize)));
  return Array.from({ length: count }, (_, i) =>
    items.slice(Math.floor((i * n) / count), Math.floor(((i + 1) * n) / count)),
  );
}
