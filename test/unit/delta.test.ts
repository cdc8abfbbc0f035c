/**
 * Delta-learning on synthetic fidelities: the high fidelity is the low fidelity plus a smooth small correction,
 * with many low-fidelity labels and few high-fidelity ones, as in an xtb -> DFT campaign.
 */
import { describe, expect, it } from 'vitest';
import { readDeltaModel } from '../../activities/ml/delta.js';
import { fitAndScreen, fitDeltaAndScreen, gather } from '../../activities/ml/fit.js';
import { QuantileForest } from '../../activities/ml/qrf/forest.js';
import type { CampaignInput, SurrogateConfig } from '../../lib/campaign/schema.js';
import { combineDelta } from '../../lib/delta.js';
import { mulberry32 } from '../../lib/random.js';
import { surrogateSpec } from '../helpers/surrogate-spec.js';

const D = 6;
const POOL = 400;
const LOW_LABELS = 250; // rows 0..249 computed at the low fidelity
const HIGH_LABELS = 16; // rows 0..15 also at the high fidelity
const rng = mulberry32(4);
const x = new Float32Array(POOL * D).map(() => rng());
const v = (i: number, j: number) => x[i * D + j] as number;
/** Large and nonlinear: what the cheap method gets (mostly) right. */
const low = (i: number) =>
  3 * Math.sin(Math.PI * v(i, 0)) + 4 * (v(i, 1) - 0.5) ** 2 + 1.5 * v(i, 2) * v(i, 3) + 2 * v(i, 5);
/** The expensive method: the cheap one plus a smooth small correction. */
const high = (i: number) => low(i) + 0.3 + 0.4 * v(i, 4) - 0.2 * v(i, 0);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

const lowRows = range(0, LOW_LABELS);
const highRows = range(0, HIGH_LABELS);
/** Never computed at either fidelity: the prediction rests on the base surrogate. */
const unseen = range(LOW_LABELS, POOL);
/** Computed at the low fidelity only: the prediction rests on the measured value. */
const lowOnly = range(HIGH_LABELS, LOW_LABELS);

const spec = (surrogate: NonNullable<CampaignInput['surrogate']>) =>
  surrogateSpec({ ...surrogate, fidelity: 'delta' }, [{ code: 'xtb' }, { code: 'nwchem' }]);

function mae(pred: Float32Array, rows: number[]): number {
  return rows.reduce((s, i) => s + Math.abs((pred[i] as number) - high(i)), 0) / rows.length;
}

async function compare(s: SurrogateConfig) {
  const direct = await fitAndScreen({
    x: gather(x, D, highRows),
    nFeatures: D,
    y: Float32Array.from(highRows, high),
    pool: x,
    spec: s,
    seed: 1,
  });
  const delta = await fitDeltaAndScreen({
    pool: x,
    nFeatures: D,
    lower: { rows: lowRows, values: lowRows.map(low) },
    upper: { rows: highRows, values: highRows.map(high) },
    spec: s,
    seed: 1,
  });
  const figures = {
    directUnseen: mae(direct.mean, unseen),
    deltaUnseen: mae(delta.mean, unseen),
    directLowOnly: mae(direct.mean, lowOnly),
    deltaLowOnly: mae(delta.mean, lowOnly),
  };
  console.info(`${s.kind}: MAE on the high fidelity, direct vs delta: ${JSON.stringify(figures)}`);
  return { direct, delta, figures };
}

describe('Delta-learning', () => {
  const kinds: [string, NonNullable<CampaignInput['surrogate']>][] = [
    ['qrf', { kind: 'qrf', forest: { trees: 100, minSamplesLeaf: 3, maxFeatures: D } }],
    ['mlp-ensemble', { ensembleSize: 3, hiddenLayers: [32, 32], epochs: 100, learningRate: 3e-3 }],
  ];
  it.each(kinds)('beats learning the high fidelity directly from 16 labels (%s)', async (_, surrogate) => {
    const { delta, figures } = await compare(spec(surrogate));
    expect(delta.pairs).toBe(HIGH_LABELS);
    // unseen candidates: the base's 250 labels carry the prediction
    expect(figures.deltaUnseen).toBeLessThan(0.5 * figures.directUnseen);
    // candidates with a low-fidelity value: only the small correction is predicted
    expect(figures.deltaLowOnly).toBeLessThan(0.15);
    expect(figures.deltaLowOnly).toBeLessThan(0.1 * figures.directLowOnly);
    // the spread: the delta's alone where the low fidelity was measured, both parts' where it was not
    for (const i of [0, HIGH_LABELS, LOW_LABELS - 1])
      expect(delta.std[i]).toBeCloseTo(delta.delta.std[i] as number, 6);
    for (const i of [LOW_LABELS, POOL - 1])
      expect(delta.std[i]).toBeCloseTo(
        Math.hypot(delta.base.std[i] as number, delta.delta.std[i] as number),
        5,
      );
    expect(delta.base.description.trainedOn).toBe(LOW_LABELS);
    expect(delta.delta.description.trainedOn).toBe(HIGH_LABELS);
  });

  it('stores both models in one file that splits back into loadable parts', async () => {
    const { delta } = await compare(spec({ kind: 'qrf', forest: { trees: 20 } }));
    const parts = readDeltaModel(delta.model);
    const base = await QuantileForest.load(parts.base, { threads: 1 });
    const correction = await QuantileForest.load(parts.delta, { threads: 1 });
    const again = combineDelta(
      await base.predict(x, POOL),
      await correction.predict(x, POOL),
      Float32Array.from({ length: POOL }, (_, i) => (i < LOW_LABELS ? low(i) : Number.NaN)),
    );
    expect(Math.max(...again.mean.map((m, i) => Math.abs(m - (delta.mean[i] as number))))).toBeLessThan(1e-5);
    expect(() => readDeltaModel(delta.model.subarray(0, 100))).toThrow(/truncated/);
  });
});

describe('combineDelta', () => {
  const p = (mean: number[], std: number[]) => ({
    mean: Float32Array.from(mean),
    std: Float32Array.from(std),
  });

  it('adds the delta to the measured lower value, else to the base, and adds the variances', () => {
    const out = combineDelta(p([10, 20], [3, 3]), p([1, 2], [4, 4]), Float32Array.from([5, Number.NaN]));
    expect([...out.mean]).toEqual([6, 22]);
    expect([...out.std]).toEqual([4, 5]);
  });

  it('refuses predictions of different lengths', () => {
    expect(() => combineDelta(p([1], [1]), p([1, 2], [1, 1]), new Float32Array(2))).toThrow(/differ/);
  });
});
