/**
 * Native TensorFlow (@tensorflow/tfjs-node, built by `make native-tf`) for the ML surrogates.
 *
 * Opt-in: the native assertions run only with CASCADE_NATIVE_TF=1 (`make native-tf` runs this file so
 * after building), and then fail, not skip, when the addon is missing. Without it the file checks what
 * the backend selection does on this machine: picks tfjs-node when the addon is installed, otherwise
 * falls back to wasm and logs that `make native-tf` provides it.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_ENV } from '../../activities/ml/backend.js';
import { type TrainRequest, trainAndPredict } from '../../activities/ml/trainer.js';
import { mulberry32 } from '../../lib/random.js';
import type { FitResult as TrainResult } from '../../lib/surrogate.js';

const NATIVE = process.env.CASCADE_NATIVE_TF === '1';

const installed = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

const forcedBefore = process.env[BACKEND_ENV];
afterEach(() => {
  if (forcedBefore === undefined) delete process.env[BACKEND_ENV];
  else process.env[BACKEND_ENV] = forcedBefore;
});

/** A smooth nonlinear target on n x d uniform features, and a pool to screen; the same for a given seed. */
function request(n: number, poolSize: number, d: number, spec: TrainRequest['spec']): TrainRequest {
  const rng = mulberry32(17);
  const x = new Float32Array(n * d).map(() => rng());
  const y = new Float32Array(n).map(
    (_, i) => Math.sin(3 * (x[i * d] as number)) + (x[i * d + 1] as number) * (x[i * d + 2] as number),
  );
  const pool = new Float32Array(poolSize * d).map(() => rng());
  return { x, nFeatures: d, y, pool, spec, seed: 5 };
}

/** Trains on the named backend (forced, so a missing one fails) and returns the result and the log. */
async function trainOn(backend: string): Promise<{ result: TrainResult; logs: string[] }> {
  process.env[BACKEND_ENV] = backend; // the training thread reads it when it starts
  const logs: string[] = [];
  const spec = { ensembleSize: 3, hiddenLayers: [32, 32], epochs: 20, learningRate: 1e-3 };
  const result = await trainAndPredict({ ...request(100, 500, 64, spec), onLog: (line) => logs.push(line) });
  return { result, logs };
}

function maxGap(a: Float32Array, b: Float32Array): number {
  expect(a).toHaveLength(b.length);
  return a.reduce((gap, v, i) => Math.max(gap, Math.abs(v - (b[i] as number))), 0);
}

// defined only when asked for (`make native-tf` does): the default suite neither runs nor skips it
if (NATIVE)
  describe('native TensorFlow (CASCADE_NATIVE_TF=1)', () => {
    it('trains and predicts on tfjs-node, agreeing with wasm on the same seed', async () => {
      process.env.TF_CPP_MIN_LOG_LEVEL ??= '2'; // TensorFlow's info lines on stderr
      const native = await trainOn('tfjs-node');
      expect(native.result.backend).toBe('tfjs-node');
      expect(native.logs).toContain(`tf backend: tfjs-node (forced by ${BACKEND_ENV})`);
      const wasm = await trainOn('wasm');
      expect(wasm.result.backend).toBe('wasm');

      // same seeds, same algorithm, float32 on both: only rounding differs (measured: ~2e-7)
      expect(native.result.mean).toHaveLength(500);
      expect(maxGap(native.result.mean, wasm.result.mean)).toBeLessThan(1e-4);
      expect(maxGap(native.result.std, wasm.result.std)).toBeLessThan(1e-4);
      expect(Math.abs(native.result.trainLoss - wasm.result.trainLoss)).toBeLessThan(1e-4);
      expect(native.result.description.backend).toBe('tfjs-node');
      expect({ ...native.result.description, backend: 'wasm' }).toEqual(wasm.result.description);
    });
  });

if (!NATIVE)
  describe('backend selection without CASCADE_NATIVE_TF', () => {
    const what = installed
      ? 'picks tfjs-node, which is installed'
      : 'falls back to wasm, logging that `make native-tf` provides tfjs-node';
    it(what, async () => {
      delete process.env[BACKEND_ENV];
      const logs: string[] = [];
      const spec = { ensembleSize: 1, hiddenLayers: [4], epochs: 1, learningRate: 1e-2 };
      const result = await trainAndPredict({ ...request(8, 4, 4, spec), onLog: (line) => logs.push(line) });
      if (installed) {
        expect(result.backend).toBe('tfjs-node');
        expect(logs.at(-1)).toBe('tf backend: tfjs-node');
      } else {
        expect(result.backend).toBe('wasm');
        expect(logs).toContainEqual(
          expect.stringMatching(/^tf backend: tfjs-node unavailable: .*`make native-tf`/),
        );
        expect(logs.at(-1)).toBe('tf backend: wasm');
      }
    });
  });
