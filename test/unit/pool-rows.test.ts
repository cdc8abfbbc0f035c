import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow } from '../../activities/campaign/feature-rows.js';
import { packedFeatures, poolFeatures } from '../../activities/campaign/features.js';
import { MlpEnsemble } from '../../activities/ml/ensemble.js';
import { featurize } from '../../activities/ml/features.js';
import { forEachBlock } from '../../activities/ml/pool-blocks.js';
import type { MoleculeCandidate } from '../../lib/domain/candidate.js';
import { mulberry32 } from '../../lib/random.js';
import { bytesPerRow, gatherRows, packedRows, packRow, unpackRows } from '../../lib/surrogate/pool-rows.js';
import { openStore } from '../../store/open.js';

/** Rows of `bits` fingerprint bits (about 1 in 8 on) and `dense` floats. */
function denseRows(n: number, bits: number, dense: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const d = bits + dense;
  return Float32Array.from({ length: n * d }, (_, k) =>
    k % d < bits ? Number(rng() < 0.125) : (rng() - 0.5) * 100,
  );
}

function packAll(x: Float32Array, n: number, bits: number, dense: number) {
  const p = packedRows(n, bits, dense);
  for (let r = 0; r < n; r++) packRow(p, r, x.subarray(r * (bits + dense), (r + 1) * (bits + dense)));
  return p;
}

describe('packed rows', () => {
  it('unpack to the dense rows they were packed from, any bit count, in any block', () => {
    for (const [bits, dense] of [
      [1024, 20],
      [67, 3],
      [0, 5],
      [64, 0],
    ] as const) {
      const n = 37;
      const x = denseRows(n, bits, dense, bits + dense);
      const p = packAll(x, n, bits, dense);
      expect(p.bits).toHaveLength(n * bytesPerRow(bits));
      expect(unpackRows(p, 0, n)).toEqual(x);
      const d = bits + dense;
      expect(unpackRows(p, 5, 7)).toEqual(x.subarray(5 * d, 12 * d));
      expect(gatherRows(p, d, [30, 2, 2])).toEqual(gatherRows(x, d, [30, 2, 2]));
    }
  });

  it('are cached as their bytes: a row encoded and decoded is the row', () => {
    const x = denseRows(3, 1024, 20, 4);
    const p = packAll(x, 3, 1024, 20);
    const words = encodeRow(p, 1);
    expect(words.byteLength).toBe(128 + 80);
    const into = packedRows(2, 1024, 20);
    decodeRow(words, p, into, 0);
    expect(unpackRows(into, 0, 1)).toEqual(x.subarray(1044, 2088));
    expect(() => decodeRow(words.subarray(1), p, into, 0)).toThrow('words');
  });

  it('are handed out in blocks, and a dense pool in one', async () => {
    const x = denseRows(10, 16, 2, 9);
    const p = packAll(x, 10, 16, 2);
    const seen: number[][] = [];
    const rebuilt = new Float32Array(x.length);
    await forEachBlock(
      p,
      18,
      async (block, start, rows) => {
        seen.push([start, rows]);
        rebuilt.set(block, start * 18);
      },
      4,
    );
    expect(seen).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ]);
    expect(rebuilt).toEqual(x);
    const whole: number[][] = [];
    await forEachBlock(x, 18, async (_, start, rows) => void whole.push([start, rows]), 4);
    expect(whole).toEqual([[0, 10]]);
  });
});

describe('pool features, packed', () => {
  it('are featurize() rows, cached and read back bit for bit', async () => {
    const store = openStore(':memory:');
    const smiles = ['CCO', 'c1ccccc1O', 'CC(=O)Nc1ccccc1', 'C1CC1N'];
    const pool: MoleculeCandidate[] = smiles.map((s, idx) => ({
      kind: 'molecule',
      idx,
      label: s,
      smiles: s,
      heavyAtoms: 3,
    }));
    const spec = { morganRadius: 2, morganBits: 512, descriptors: true };
    const reference = await featurize(smiles, spec);
    const first = await packedFeatures(store, pool, spec);
    expect(first.nFeatures).toBe(reference.nFeatures);
    expect(unpackRows(first.packed, 0, 4)).toEqual(reference.matrix);
    // the second time from the cache, and the dense form for the callers that want it
    const again = await poolFeatures(store, pool, spec);
    expect(again.matrix).toEqual(reference.matrix);
    await store.close();
  });
});

describe('an ensemble screening packed rows', () => {
  it('predicts what it predicts from the dense rows, on the sparse and the dense path', async () => {
    const bits = 256;
    const dense = 4;
    const d = bits + dense;
    const n = 5000; // more than one 4096-row chunk
    const x = denseRows(n, bits, dense, 21);
    const model = new MlpEnsemble({ ensembleSize: 2, hiddenLayers: [16], epochs: 2, learningRate: 1e-2 });
    const y = Float32Array.from({ length: 64 }, (_, i) => x[i * d] as number);
    await model.fit(x.subarray(0, 64 * d), d, y, { seed: 2 });
    const p = packAll(x, n, bits, dense);
    for (const sparse of [true, false]) {
      const fromDense = await model.predict(x, n, { sparse, threads: 1, members: true });
      const fromPacked = await model.predict(p, n, { sparse, threads: 1, members: true });
      expect(fromPacked).toEqual(fromDense);
    }
    model.dispose();
  });
});
