/**
 * Thompson sampling, one draw per batch slot: each slot draws one plausible truth for the whole pool and takes
 * the best candidate not yet chosen under it. With `samples` (ensemble members' or trees' predictions) a draw
 * is one member, picked at random; without, every candidate's value is drawn from its N(mean, std). Seeded: the
 * same seed, the same batch. Choosing, not ranking: a batch of draws explores more than the top of one ranking.
 */
import { score } from '../domain/objective.js';
import { mulberry32, type Rng, randomInt } from '../random.js';
import type { Choosing, ChoosingStrategy } from './strategy.js';

export const thompson: ChoosingStrategy = {
  description:
    'one posterior draw per slot (an ensemble member, or N(mean, std)); the best unchosen under it',
  needs: ['mean', 'std'],
  choose: (c) => {
    const samples = c.predictions?.samples;
    return samples && samples.length > 0 ? fromMembers(c, samples) : fromGaussians(c);
  },
};

/** Candidates a slot may take: in the predictions, not excluded. */
function eligible(c: Choosing): number[] {
  const out: number[] = [];
  for (let i = 0; i < c.poolSize; i++) if (!c.exclude.has(i)) out.push(i);
  return out;
}

/** NaN as -Infinity, so a broken prediction loses every comparison but is still taken when nothing else is left. */
const finiteOrWorst = (v: number) => (Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v);

/** The unchosen candidate with the largest draw (the lower index on ties); -1 when none is left. */
function bestUnchosen(
  candidates: readonly number[],
  chosen: ReadonlySet<number>,
  draw: (i: number) => number,
) {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const i of candidates) {
    if (chosen.has(i)) continue;
    const v = finiteOrWorst(draw(i));
    if (best < 0 || v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

function fromMembers(c: Choosing, samples: readonly ArrayLike<number>[]): number[] {
  const rng = mulberry32(c.seed);
  const candidates = eligible(c);
  const chosen = new Set<number>();
  while (chosen.size < c.batchSize) {
    const member = samples[randomInt(rng, samples.length)] as ArrayLike<number>;
    const pick = bestUnchosen(candidates, chosen, (i) => score(c.objective, member[i] as number));
    if (pick < 0) break;
    chosen.add(pick);
  }
  return [...chosen];
}

/**
 * Box-Muller on mulberry32: u1 is at least 2^-32, so |z| <= sqrt(-2 ln 2^-32) = 6.6604; no draw goes further
 * than Z_MAX standard deviations from the mean, which lets `contenders` drop candidates exactly.
 */
const Z_MAX = 6.67;

/** Standard normal draws, both of each Box-Muller pair (cosine, then sine). */
function normals(rng: Rng): () => number {
  let spare = Number.NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = Number.NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rng())); // 1 - rng() is in (0, 1]: the log stays finite
    const angle = 2 * Math.PI * rng();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
}

/** Contenders in scan order: pool index, score of the mean, std and upper bound, as parallel arrays. */
interface Contenders {
  idx: Int32Array;
  mu: Float64Array;
  sd: Float64Array;
  upper: Float64Array;
}

function fromGaussians(c: Choosing): number[] {
  const mean = c.predictions?.mean as ArrayLike<number>;
  const std = c.predictions?.std as ArrayLike<number>;
  const { idx, mu, sd, upper } = contenders(
    eligible(c),
    (i) => score(c.objective, mean[i] as number),
    std,
    c.batchSize,
  );
  const z = normals(mulberry32(c.seed));
  const chosen = new Uint8Array(idx.length);
  const batch: number[] = [];
  while (batch.length < c.batchSize) {
    // highest upper bound first: once the next one's bound is below the best draw, no later one can win
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let p = 0; p < idx.length; p++) {
      if (chosen[p]) continue;
      if (best >= 0 && (upper[p] as number) < bestValue) break;
      const v = finiteOrWorst((mu[p] as number) + (sd[p] as number) * z());
      if (best < 0 || v > bestValue) {
        best = p;
        bestValue = v;
      }
    }
    if (best < 0) break;
    chosen[best] = 1;
    batch.push(idx[best] as number);
  }
  return batch;
}

/**
 * The candidates that can win a slot, highest upper bound (mu' + Z_MAX sigma) first, ties to the lower index.
 * While fewer than k are chosen, one of the k candidates with the highest lower bound (mu' - Z_MAX sigma) is
 * still unchosen and draws at least the k-th highest lower bound L, so a candidate whose upper bound lies below
 * L never wins and is left out.
 */
function contenders(
  candidates: readonly number[],
  mu: (i: number) => number,
  std: ArrayLike<number>,
  k: number,
): Contenders {
  const bounds = candidates.map((i) => {
    const m = mu(i);
    const s = std[i] as number;
    // a broken prediction's bounds are -Infinity: it sorts last, drawn only when nothing else is left
    return { i, m, s, upper: finiteOrWorst(m + Z_MAX * s), lower: finiteOrWorst(m - Z_MAX * s) };
  });
  const kth =
    bounds.length > k
      ? (Float64Array.from(bounds, (b) => b.lower)
          .sort()
          .reverse()[k - 1] as number)
      : Number.NEGATIVE_INFINITY;
  const kept = bounds.filter((b) => !(b.upper < kth)).sort((a, b) => b.upper - a.upper || a.i - b.i);
  return {
    idx: Int32Array.from(kept, (b) => b.i),
    mu: Float64Array.from(kept, (b) => b.m),
    sd: Float64Array.from(kept, (b) => b.s),
    upper: Float64Array.from(kept, (b) => b.upper),
  };
}
