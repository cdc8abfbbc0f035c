/** Acquisition: which pool candidates to evaluate next, from the surrogate's mean and spread. */
import { sampleIndices } from './random.js';

export type AcquisitionStrategy = 'ucb' | 'greedy' | 'uncertainty' | 'random';
export type Direction = 'maximize' | 'minimize';

export interface AcquireArgs {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
  /** Pool indices already evaluated (or otherwise off limits). */
  exclude: ReadonlySet<number>;
  strategy: AcquisitionStrategy;
  batchSize: number;
  /** UCB exploration weight. */
  kappa: number;
  direction: Direction;
  /** Used by 'random' only. */
  seed: number;
}

/**
 * Pool indices to evaluate next, best first, at most `batchSize`, never one in `exclude`.
 * - ucb: optimistic bound, mean + kappa*std when maximising, mean - kappa*std (lowest first) when minimising
 * - greedy: best predicted mean
 * - uncertainty: largest std, whatever the direction
 * - random: uniform without replacement, seeded
 * Ties go to the lower index; candidates with a non-finite score come last.
 */
export function acquire(args: AcquireArgs): number[] {
  const { mean, std, exclude, strategy, batchSize, kappa, direction } = args;
  if (mean.length !== std.length)
    throw new Error(`mean has ${mean.length} entries but std has ${std.length}`);
  if (batchSize <= 0) return [];
  if (strategy === 'random') return sampleIndices(mean.length, batchSize, args.seed, exclude);

  const sign = direction === 'maximize' ? 1 : -1;
  const score = (i: number): number => {
    const m = mean[i] as number;
    const s = std[i] as number;
    const v = strategy === 'uncertainty' ? s : strategy === 'greedy' ? sign * m : sign * m + kappa * s;
    return Number.isFinite(v) ? v : Number.NEGATIVE_INFINITY;
  };
  const ranked: { i: number; v: number }[] = [];
  for (let i = 0; i < mean.length; i++) if (!exclude.has(i)) ranked.push({ i, v: score(i) });
  ranked.sort((a, b) => b.v - a.v || a.i - b.i);
  return ranked.slice(0, batchSize).map((r) => r.i);
}
