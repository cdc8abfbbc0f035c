/**
 * The two sparse screening kernels (activities/ml/sparse/: native addon, WebAssembly + TF.js) against the dense
 * TF.js network, on RDKit's fingerprints of real NCI molecules featurised as bench/screen.ts does: every member's
 * output within 1e-5, with and without the descriptors, for row counts that fill no block or tile evenly, on one
 * thread and two; and the fallback to wasm where the addon is absent. Needs the addon built (`make setup`).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MlpEnsemble } from '../../activities/ml/ensemble.js';
import { featurizeHere } from '../../activities/ml/features.js';
import {
  chooseSparseKernel,
  defaultAddonPath,
  loadAddon,
  SPARSE_ADDON_ENV,
  SPARSE_KERNEL_ENV,
} from '../../activities/ml/sparse/native.js';
import { NativeMembers } from '../../activities/ml/sparse/native-members.js';
import { WasmMembers } from '../../activities/ml/sparse/wasm-members.js';
import { mulberry32 } from '../../lib/random.js';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';
const MOLECULES = 150;
const TRAIN = 48;
const smiles = readFileSync(NCI, 'utf8')
  .split('\n')
  .map((line) => line.trim().split(/\s+/)[0] ?? '')
  .filter(Boolean)
  .slice(0, MOLECULES);

interface Fitted {
  file: Uint8Array;
  dense: MlpEnsemble;
  x: Float32Array;
  d: number;
  n: number;
}

/** A fitted ensemble saved to its file, and its rows: the NCI molecules, then an all-zero row. */
async function fitted(descriptors: boolean, hiddenLayers: number[], ensembleSize: number): Promise<Fitted> {
  const f = await featurizeHere([...smiles, 'not a smiles'], {
    morganRadius: 2,
    morganBits: 2048,
    descriptors,
  });
  const d = f.nFeatures;
  const rng = mulberry32(5);
  const y = new Float32Array(TRAIN).map(() => 3 * rng() - 1);
  const dense = new MlpEnsemble({ ensembleSize, hiddenLayers, epochs: 20, learningRate: 3e-3 });
  await dense.fit(f.matrix.subarray(0, TRAIN * d), d, y, { seed: 13 });
  return { file: await dense.save(), dense, x: f.matrix, d, n: smiles.length + 1 };
}

/** A copy of the model whose screens use `kernel` (the choice is made at its first screen). */
async function onKernel(model: Fitted, kernel: 'native' | 'wasm', x: Float32Array, n: number, threads = 1) {
  vi.stubEnv(SPARSE_KERNEL_ENV, kernel);
  const copy = await MlpEnsemble.load(model.file);
  try {
    return await copy.predict(x, n, { members: true, threads });
  } finally {
    copy.dispose();
    vi.unstubAllEnvs();
  }
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

/** The first `rows` rows of the molecules repeated. */
function tile(model: Fitted, rows: number): Float32Array {
  const out = new Float32Array(rows * model.d);
  for (let r = 0; r < rows; r++) {
    const from = r % model.n;
    out.set(model.x.subarray(from * model.d, (from + 1) * model.d), r * model.d);
  }
  return out;
}

describe('native and wasm sparse kernels on NCI fingerprints', () => {
  const nativeSpy = vi.spyOn(NativeMembers.prototype, 'outputs');
  const wasmSpy = vi.spyOn(WasmMembers.prototype, 'outputs');
  const models: Record<string, Fitted> = {};

  beforeAll(async () => {
    const addon = loadAddon();
    if (addon instanceof Error)
      throw new Error(`the native kernel is not built (run make setup): ${addon.message}`);
    // 5 x 256 -> 256 as bench:screen; 40 -> 24 pads both hidden layers; one hidden layer of 33 units
    models.bits = await fitted(false, [256, 256], 5);
    models.descriptors = await fitted(true, [40, 24], 3);
    models.oneHidden = await fitted(true, [33], 2);
  }, 120_000);
  afterEach(() => {
    nativeSpy.mockClear();
    wasmSpy.mockClear();
  });
  afterAll(() => {
    for (const m of Object.values(models)) m.dense.dispose();
    nativeSpy.mockRestore();
    wasmSpy.mockRestore();
  });

  it.each([
    ['fingerprint bits, 5 x 2048 -> 256 -> 256 -> 1', 'bits'],
    ['bits and 20 descriptors, 3 x 2068 -> 40 -> 24 -> 1', 'descriptors'],
    ['bits and 20 descriptors, 2 x 2068 -> 33 -> 1', 'oneHidden'],
  ])('every member agrees with the dense network within 1e-5: %s', async (_, name) => {
    const model = models[name] as Fitted;
    const { x, n } = model;
    const dense = await model.dense.predict(x, n, { sparse: false, members: true });
    const native = await onKernel(model, 'native', x, n);
    expect(nativeSpy).toHaveBeenCalled();
    expect(nativeSpy.mock.results.every((r) => r.value !== undefined)).toBe(true);
    expect(wasmSpy).not.toHaveBeenCalled();
    const wasm = await onKernel(model, 'wasm', x, n);
    expect(wasmSpy).toHaveBeenCalled();
    for (const got of [native, wasm]) {
      expect(got.samples).toHaveLength(dense.samples?.length as number);
      for (const [k, member] of (got.samples ?? []).entries()) {
        expectClose(member, dense.samples?.[k] as Float32Array);
      }
      expectClose(got.mean, dense.mean);
      expectClose(got.std, dense.std);
    }
    // the molecules are told apart (a kernel that returned the bias for every row would fail here)
    expect(new Set(native.mean).size).toBeGreaterThan(n / 2);
  });

  it.each([1, 5, 7, 97, 203, 4099])('agrees for %i rows, on one thread and on two', async (rows) => {
    const model = models.descriptors as Fitted;
    const x = tile(model, rows);
    const dense = await model.dense.predict(x, rows, { sparse: false });
    const one = await onKernel(model, 'native', x, rows, 1);
    const two = await onKernel(model, 'native', x, rows, 2);
    const calls = nativeSpy.mock.calls.map((call) => call[3]);
    const half = calls.length / 2;
    expect(calls).toEqual(calls.map((_, i) => (i < half ? 1 : Math.min(2, availableParallelism()))));
    expectClose(one.mean, dense.mean);
    expectClose(one.std, dense.std);
    // each row is summed by one thread in one order: the thread count changes nothing
    expect(two.mean).toEqual(one.mean);
    expect(two.std).toEqual(one.std);
  });

  it('hands rows too dense to gather back to the dense network', async () => {
    const model = models.bits as Fitted;
    const rng = mulberry32(9);
    const rows = 20;
    const x = new Float32Array(rows * model.d).map(() => (rng() < 0.6 ? 1 : 0));
    const got = await onKernel(model, 'native', x, rows);
    expect(nativeSpy.mock.results.map((r) => r.value)).toEqual([undefined]);
    expectClose(got.mean, (await model.dense.predict(x, rows, { sparse: false })).mean);
  });

  it('falls back to wasm where the addon is absent, and fails loudly where native is forced', async () => {
    vi.stubEnv(SPARSE_ADDON_ENV, '/nonexistent/native/cascade_screen.node');
    try {
      const choice = chooseSparseKernel();
      expect(choice.kernel).toBe('wasm');
      expect(choice.reason).toMatch(/not built/);
      const model = models.descriptors as Fitted;
      const copy = await MlpEnsemble.load(model.file);
      try {
        const got = await copy.predict(model.x, model.n);
        expect(wasmSpy).toHaveBeenCalled();
        expect(nativeSpy).not.toHaveBeenCalled();
        expectClose(got.mean, (await model.dense.predict(model.x, model.n, { sparse: false })).mean);
      } finally {
        copy.dispose();
      }
      vi.stubEnv(SPARSE_KERNEL_ENV, 'native');
      expect(() => chooseSparseKernel()).toThrow(/CASCADE_SPARSE_KERNEL=native, but .*not built/);
      vi.stubEnv(SPARSE_KERNEL_ENV, 'gpu');
      expect(() => chooseSparseKernel()).toThrow(/not one of native, wasm/);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(chooseSparseKernel().kernel).toBe('native');
  });

  it('refuses a build for a CPU with vector extensions this one lacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'screen-addon-'));
    try {
      const copy = join(dir, 'cascade_screen.node');
      copyFileSync(defaultAddonPath(), copy);
      writeFileSync(`${copy}.cpu`, 'avx2 avx1024f');
      const refused = loadAddon(copy);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(/built for a CPU with avx1024f, which this one lacks/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
