/**
 * fitDeltaAndScreen: the Delta-learning surrogate of a campaign's top tier. A base surrogate learns the tier
 * below from all of its results; a delta surrogate learns (top − below) on the candidates computed at both;
 * the pool's top-tier prediction adds them up (lib/delta.ts says how, spread included). Both parts go through
 * fitAndScreen, so either surrogate kind, and recalibration, work the same as for a direct surrogate.
 */
import type { SurrogateConfig } from '../../lib/campaign/schema.js';
import { combineDelta } from '../../lib/delta.js';
import { childSeed } from '../../lib/random.js';
import { fitAndScreen, gather, type ScreenResult } from './fit-and-screen.js';
import { packModel, unpackModel } from './model-file.js';

/** Results of one tier: pool row numbers and their values. */
export interface TierLabels {
  rows: readonly number[];
  values: readonly number[];
}

export interface DeltaRequest {
  /** Every candidate's features, row-major, m x nFeatures. */
  pool: Float32Array;
  nFeatures: number;
  /** The tier below the top: the base surrogate's labels, and the measured values delta adds to. */
  lower: TierLabels;
  /** The top tier; only rows also in `lower` teach the delta. */
  upper: TierLabels;
  spec: SurrogateConfig;
  seed: number;
  onProgress?: (fraction: number) => void;
  /** Move the pool to the last training thread (default false); see ScreenRequest.transfer. */
  transfer?: boolean;
}

export interface DeltaResult {
  /** Top-tier predictions per pool row. */
  mean: Float32Array;
  std: Float32Array;
  /** Both models in one file (readDeltaModel splits it). */
  model: Uint8Array;
  backend: string;
  /** Rows the delta learned from (computed at both tiers). */
  pairs: number;
  base: ScreenResult;
  delta: ScreenResult;
}

const MAGIC = 'CASCDLT1';

export async function fitDeltaAndScreen(req: DeltaRequest): Promise<DeltaResult> {
  const { pool, nFeatures: d, lower, upper } = req;
  const m = pool.length / d;
  const measured = new Float32Array(m).fill(Number.NaN);
  lower.rows.forEach((row, i) => {
    measured[row] = lower.values[i] as number;
  });
  const pairRows: number[] = [];
  const differences: number[] = [];
  upper.rows.forEach((row, i) => {
    const below = measured[row] as number;
    if (Number.isNaN(below)) return;
    pairRows.push(row);
    differences.push((upper.values[i] as number) - below);
  });
  if (pairRows.length === 0)
    throw new Error('no candidate has results at both tiers: nothing to learn a delta from');

  const base = await fitAndScreen({
    x: gather(pool, d, lower.rows),
    nFeatures: d,
    y: Float32Array.from(lower.values),
    pool,
    spec: req.spec,
    seed: childSeed(req.seed, 1),
    onProgress: (f) => req.onProgress?.(f / 2),
    transfer: false, // the delta needs the pool next
  });
  const delta = await fitAndScreen({
    x: gather(pool, d, pairRows),
    nFeatures: d,
    y: Float32Array.from(differences),
    pool,
    spec: req.spec,
    seed: childSeed(req.seed, 2),
    onProgress: (f) => req.onProgress?.(0.5 + f / 2),
    transfer: req.transfer ?? false,
  });
  const { mean, std } = combineDelta(base, delta, measured);
  const header = { base: base.model.length, delta: delta.model.length };
  return {
    mean,
    std,
    model: packModel(MAGIC, header, [base.model, delta.model], 8),
    backend: delta.backend,
    pairs: pairRows.length,
    base,
    delta,
  };
}

/** The two model files inside a Delta-learning model (each loads with its kind's `load`). */
export function readDeltaModel(bytes: Uint8Array): { base: Uint8Array; delta: Uint8Array } {
  const { header, data } = unpackModel(MAGIC, bytes, 8);
  const { base, delta } = header as { base: number; delta: number };
  if (data.length < base + delta) throw new Error('truncated Delta-learning model file');
  // copies (even of a Buffer, whose slice() does not copy): each part starts its own, aligned buffer
  return {
    base: new Uint8Array(data.subarray(0, base)),
    delta: new Uint8Array(data.subarray(base, base + delta)),
  };
}
