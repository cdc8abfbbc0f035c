/**
 * Which kernel screens an ensemble's sparse rows, and the native one's loader.
 *
 * The native kernel (native/: C, built by scripts/setup.sh with node-gyp against the system's Node headers) runs
 * the whole forward pass, first layer and later layers, on every core: a gather-and-sum over the set bits, then
 * register-tiled AVX-512 (or AVX2, NEON) products. Native rather than a better wasm kernel because after the
 * gather the 256 x 256 layer is most of the work, and wasm has 128-bit SIMD and, in Node, one thread per TF.js
 * backend: XNNPACK ran it at ~20 GFLOP/s where the C kernel runs ~115 per core (native/src/gemm.c). It is used
 * wherever it was built; the WebAssembly kernel (./kernel.ts, with TF.js for the later layers) is the fallback,
 * so a machine without a C compiler still screens.
 * CASCADE_SPARSE_KERNEL=native|wasm forces one (native fails loudly when the addon does not load);
 * CASCADE_SPARSE_ADDON points at another build of the addon.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const SPARSE_KERNEL_ENV = 'CASCADE_SPARSE_KERNEL';
export const SPARSE_ADDON_ENV = 'CASCADE_SPARSE_ADDON';
export const SPARSE_KERNELS = ['native', 'wasm'] as const;
export type SparseKernelName = (typeof SPARSE_KERNELS)[number];

/** A model's weights inside the addon; freed by release() or when collected. */
export type NativeModel = { readonly __native: unique symbol };

/** native/src/addon.c's exports. */
export interface ScreenAddon {
  createModel(
    d: number,
    members: number,
    units: Int32Array,
    xMean: Float32Array,
    xStd: Float32Array,
    weights: Float32Array[],
  ): NativeModel;
  /** Writes out[k * rows + r]; false (nothing written) when the rows hold more than maxNonzeros entries. */
  forward(
    model: NativeModel,
    block: Float32Array,
    rows: number,
    maxNonzeros: number,
    threads: number,
    out: Float32Array,
  ): boolean;
  release(model: NativeModel): void;
  /** The SIMD width it was compiled for: 512 (AVX-512), 256 (AVX2 and others). */
  vectorBits: number;
}

export interface KernelChoice {
  kernel: SparseKernelName;
  /** Set when kernel is 'native'. */
  addon?: ScreenAddon;
  /** Why this kernel, in a few words (for logs and bench:screen). */
  reason: string;
}

/** Where scripts/setup.sh builds the addon, from the source tree (activities/ml/sparse/) or dist/. */
const BUILT = [
  '../../../native/build/Release/cascade_screen.node',
  '../../../../native/build/Release/cascade_screen.node',
];

const loaded = new Map<string, ScreenAddon | Error>();

/** The addon at `path` (default: the built one), loaded once per thread, or why it cannot be. */
export function loadAddon(path = defaultAddonPath()): ScreenAddon | Error {
  let addon = loaded.get(path);
  if (!addon) {
    try {
      if (!existsSync(path))
        throw new Error(`${path} is not built (\`make setup\` builds it when a C compiler is present)`);
      const missing = missingCpuFlags(path);
      if (missing.length > 0) {
        // -march=native code would die of SIGILL here (a shared checkout on a cluster with other nodes' CPUs)
        throw new Error(
          `${path} was built for a CPU with ${missing.join(' ')}, which this one lacks: run make setup here`,
        );
      }
      addon = createRequire(import.meta.url)(path) as ScreenAddon;
      if (typeof addon.forward !== 'function') throw new Error(`${path} is not the screening addon`);
    } catch (err) {
      addon = err instanceof Error ? err : new Error(String(err));
    }
    loaded.set(path, addon);
  }
  return addon;
}

/** The vector extensions that scripts/setup.sh recorded beside the build (PATH.cpu) and this CPU lacks (Linux). */
function missingCpuFlags(path: string): string[] {
  const recorded = `${path}.cpu`;
  if (!existsSync(recorded) || !existsSync('/proc/cpuinfo')) return [];
  const line = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  const here = new Set(line.trim().split(/\s+/));
  return readFileSync(recorded, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((flag) => flag && !here.has(flag));
}

/** CASCADE_SPARSE_ADDON, else where scripts/setup.sh builds it. */
export function defaultAddonPath(): string {
  const override = process.env[SPARSE_ADDON_ENV]?.trim();
  if (override) return override;
  const candidates = BUILT.map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] as string);
}

/**
 * The kernel sparse screening uses now: CASCADE_SPARSE_KERNEL's, else native where the addon loads, else wasm.
 * Read at each call (cheap: the addon is loaded once), so a model built after the variable changes follows it.
 */
export function chooseSparseKernel(): KernelChoice {
  const forced = process.env[SPARSE_KERNEL_ENV]?.trim();
  if (forced && !(SPARSE_KERNELS as readonly string[]).includes(forced)) {
    throw new Error(`${SPARSE_KERNEL_ENV}=${forced} is not one of ${SPARSE_KERNELS.join(', ')}`);
  }
  if (forced === 'wasm') return { kernel: 'wasm', reason: `forced by ${SPARSE_KERNEL_ENV}` };
  const addon = loadAddon();
  if (addon instanceof Error) {
    if (forced === 'native') throw new Error(`${SPARSE_KERNEL_ENV}=native, but ${addon.message}`);
    return { kernel: 'wasm', reason: `native kernel unavailable: ${addon.message}` };
  }
  const how = `${addon.vectorBits}-bit vectors`;
  return { kernel: 'native', addon, reason: forced ? `${how}, forced by ${SPARSE_KERNEL_ENV}` : how };
}
