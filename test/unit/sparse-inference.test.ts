/**
 * The sparse-aware first layer (activities/ml/sparse/) against the dense network it replaces, on RDKit's
 * fingerprints of real NCI molecules: same outputs within 1e-5, with and without the descriptors' dense block,
 * for an all-zero row, a padded layer width, a model loaded from its file and a screen shared with a helper thread.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MlpEnsemble } from '../../activities/ml/ensemble.js';
import { featurizeHere } from '../../activities/ml/features.js';
import { ScreenHelper } from '../../activities/ml/sparse/helpers.js';
import { SparseMembers } from '../../activities/ml/sparse/sparse-members.js';
import { HELPER_MIN_ROWS } from '../../activities/ml/sparse/sparse-screen.js';
import { mulberry32 } from '../../lib/random.js';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';
const smiles = readFileSync(NCI, 'utf8')
  .split('\n')
  .map((line) => line.trim().split(/\s+/)[0] ?? '')
  .filter(Boolean)
  .slice(0, 96);
const TRAIN = 48;

/** Rows for 96 NCI molecules, then an all-zero row (what an unparseable SMILES gets). */
async function rows(descriptors: boolean) {
  const f = await featurizeHere([...smiles, 'not a smiles'], {
    morganRadius: 2,
    morganBits: 2048,
    descriptors,
  });
  return { x: f.matrix, d: f.nFeatures, n: smiles.length + 1 };
}

function targets(n: number) {
  const rng = mulberry32(5);
  return new Float32Array(n).map(() => 3 * rng() - 1);
}

/** Within 1e-5, relative to the value's size where it is above 1. */
function expectClose(actual: Float32Array, expected: Float32Array) {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst).toBeLessThanOrEqual(1e-5);
}

async function fitted(descriptors: boolean, hiddenLayers: number[], ensembleSize: number) {
  const { x, d, n } = await rows(descriptors);
  const model = new MlpEnsemble({ ensembleSize, hiddenLayers, epochs: 20, learningRate: 3e-3 });
  await model.fit(x.subarray(0, TRAIN * d), d, targets(TRAIN), { seed: 11 });
  return { model, x, d, n };
}

describe('sparse-aware inference on NCI fingerprints', () => {
  const outputsSpy = vi.spyOn(SparseMembers.prototype, 'outputs');
  let withDescriptors: Awaited<ReturnType<typeof fitted>>;
  let bitsOnly: Awaited<ReturnType<typeof fitted>>;

  beforeAll(async () => {
    // 40 units: the kernel pads the first layer to 64 and the second layer's kernel with zero rows
    withDescriptors = await fitted(true, [40, 24], 3);
    bitsOnly = await fitted(false, [256, 256], 5);
  }, 120_000);
  afterAll(() => {
    withDescriptors.model.dispose();
    bitsOnly.model.dispose();
    outputsSpy.mockRestore();
  });

  it('has real fingerprints: a few percent of bits set, the last row all zero', () => {
    const { x, d, n } = bitsOnly;
    let set = 0;
    for (let i = 0; i < (n - 1) * d; i++) set += x[i] as number;
    const perMolecule = set / (n - 1);
    expect(perMolecule).toBeGreaterThan(10);
    expect(perMolecule).toBeLessThan(0.05 * d);
    expect(x.subarray((n - 1) * d).every((v) => v === 0)).toBe(true);
  });

  it.each([
    ['fingerprint bits and 20 descriptors, hidden 40 -> 24', () => withDescriptors],
    ['fingerprint bits only, hidden 256 -> 256', () => bitsOnly],
  ])('agrees with the dense network within 1e-5: %s', async (_, get) => {
    const { model, x, n } = get();
    outputsSpy.mockClear();
    const sparse = await model.predict(x, n);
    expect(outputsSpy).toHaveBeenCalled(); // the sparse path ran and did not hand the chunk back
    expect(outputsSpy.mock.results.every((r) => r.value !== undefined)).toBe(true);
    const dense = await model.predict(x, n, { sparse: false });
    expectClose(sparse.mean, dense.mean);
    expectClose(sparse.std, dense.std);
    // the all-zero row and held-out molecules are not all predicted alike
    expect(new Set(sparse.mean).size).toBeGreaterThan(n / 2);
  });

  it('agrees for a model loaded from its file, and for single rows', async () => {
    const { model, x, d, n } = withDescriptors;
    const file = await model.save();
    const loaded = await MlpEnsemble.load(file);
    try {
      const sparse = await loaded.predict(x, n);
      const dense = await model.predict(x, n, { sparse: false });
      expectClose(sparse.mean, dense.mean);
      expectClose(sparse.std, dense.std);
      // a single molecule in a chunk of its own, and the zero row alone
      for (const row of [TRAIN + 3, n - 1]) {
        const one = await loaded.predict(x.subarray(row * d, (row + 1) * d), 1);
        expectClose(one.mean, dense.mean.subarray(row, row + 1));
      }
    } finally {
      loaded.dispose();
    }
  });

  it('agrees when a large screen is shared with a helper thread', async () => {
    const { model, x, d, n } = withDescriptors;
    // helper threads are the wasm kernel's (the native one has threads of its own): a copy of the model on wasm
    vi.stubEnv('CASCADE_SPARSE_KERNEL', 'wasm');
    const onWasm = await MlpEnsemble.load(await model.save());
    const rows = HELPER_MIN_ROWS + 100;
    const tiled = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) tiled.set(x.subarray((r % n) * d, ((r % n) + 1) * d), r * d);
    const helperSpy = vi.spyOn(ScreenHelper.prototype, 'outputs');
    try {
      const shared = await onWasm.predict(tiled, rows, { threads: 2 });
      expect(helperSpy).toHaveBeenCalled();
      const dense = await model.predict(x, n, { sparse: false });
      const expected = new Float32Array(rows).map((_, r) => dense.mean[r % n] as number);
      expectClose(shared.mean, expected);
    } finally {
      helperSpy.mockRestore();
      onWasm.dispose();
      vi.unstubAllEnvs();
    }
  }, 60_000);

  it('hands rows too dense to gather back to the dense network, with the same results', async () => {
    const { model, d } = bitsOnly;
    const rng = mulberry32(9);
    const n = 20;
    const x = new Float32Array(n * d).map(() => (rng() < 0.6 ? 1 : 0));
    outputsSpy.mockClear();
    const sparse = await model.predict(x, n);
    expect(outputsSpy.mock.results.map((r) => r.value)).toEqual([undefined]);
    expectClose(sparse.mean, (await model.predict(x, n, { sparse: false })).mean);
  });

  it('keeps the dense path for inputs without a fingerprint block', async () => {
    const rng = mulberry32(3);
    const d = 6;
    const x = new Float32Array(60 * d).map(() => 4 * rng() - 2);
    const model = new MlpEnsemble({ ensembleSize: 2, hiddenLayers: [16], epochs: 5, learningRate: 1e-2 });
    try {
      await model.fit(x, d, targets(60), { seed: 1 });
      outputsSpy.mockClear();
      const { mean } = await model.predict(x, 60);
      expect(outputsSpy).not.toHaveBeenCalled();
      expect(mean.every(Number.isFinite)).toBe(true);
    } finally {
      model.dispose();
    }
  });
});
