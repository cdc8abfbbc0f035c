/**
 * Picks the fastest TensorFlow.js backend this machine offers, once per thread:
 * tfjs-node-gpu (CUDA), tfjs-node (native TensorFlow), wasm (XNNPACK, SIMD), then plain JS cpu.
 * Set CASCADE_TF_BACKEND to one of those names to force it (failing loudly when it does not work).
 *
 * Everything here and in the models uses the one @tensorflow/tfjs-core instance imported below; a
 * native package that registered its backend on another copy of tfjs-core is reported as unusable.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

export const BACKENDS = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const BACKEND_ENV = 'CASCADE_TF_BACKEND';

let selected: Promise<BackendName> | undefined;

/** Initialises the backend on first call (later calls return the same answer) and returns its name. */
export function selectBackend(opts: { log?: (line: string) => void } = {}): Promise<BackendName> {
  if (!selected) {
    selected = pick(opts.log ?? ((line) => console.info(line))).catch((err: unknown) => {
      selected = undefined;
      throw err;
    });
  }
  return selected;
}

async function pick(log: (line: string) => void): Promise<BackendName> {
  const forced = process.env[BACKEND_ENV]?.trim();
  if (forced) {
    if (!isBackendName(forced))
      throw new Error(`${BACKEND_ENV}=${forced} is not one of ${BACKENDS.join(', ')}`);
    try {
      await initialise(forced);
    } catch (err) {
      throw new Error(`${BACKEND_ENV}=${forced}, but it failed: ${oneLine(err)}${hint(forced)}`);
    }
    log(`tf backend: ${forced} (forced by ${BACKEND_ENV})`);
    return forced;
  }
  for (const name of BACKENDS) {
    try {
      await initialise(name);
      log(`tf backend: ${name}`);
      return name;
    } catch (err) {
      log(`tf backend: ${name} unavailable: ${oneLine(err)}${hint(name)}`);
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}

async function initialise(name: BackendName): Promise<void> {
  if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
    const pkg: string = `@tensorflow/${name}`; // not dependencies: a variable keeps bundlers and tsc from resolving it
    await import(pkg);
    if (!tf.findBackendFactory('tensorflow')) {
      throw new Error(`${pkg} loaded, but registered its backend on another copy of @tensorflow/tfjs-core`);
    }
    await use('tensorflow');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // point at the .wasm files in node_modules explicitly, so bundled or relocated code still finds them
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(entry) + path.sep);
    await use('wasm');
  } else {
    await use('cpu');
  }
}

/** Switches to the backend and checks it really computes. */
async function use(backend: string): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend "${backend}" failed to initialise`);
  await tf.ready();
  const product = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.fill([3, 2], 2)).dataSync());
  if (product[0] !== 6) throw new Error(`backend "${backend}" computed a wrong matrix product`);
}

/** How to get a missing backend, said where it is reported. */
function hint(name: BackendName): string {
  return name === 'tfjs-node' ? ' (`make native-tf` builds it: scripts/native-tf.sh)' : '';
}

function isBackendName(s: string): s is BackendName {
  return (BACKENDS as readonly string[]).includes(s);
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const first = text.split('\n')[0] ?? '';
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}
