/**
 * How a described code is launched here and which version it is: the binary (CASCADE_<CODE> overrides the
 * description's), threads and environment, and the description's version probe.
 */
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { codeEnvironment } from '../../environment.js';
import { resolveBinary } from '../../profile.js';
import type { Profile } from '../../template.js';
import { inScratchDir, versionCache } from '../../version-probe.js';
import type { CodeDescription } from './description.js';

/** The environment variable that overrides a description's binary: CASCADE_ORCA, CASCADE_QUANTUM_ESPRESSO. */
export function binaryEnvVar(code: string): string {
  return `CASCADE_${code.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The profile of a described code: binary from CASCADE_<CODE> or the description, its threads and env. */
export function genericProfile(desc: CodeDescription, overrides: Partial<Profile> = {}): Profile {
  return {
    binary: overrides.binary ?? (process.env[binaryEnvVar(desc.code)] || desc.binary),
    threads: overrides.threads ?? desc.threads,
    env: { ...desc.env, ...overrides.env },
  };
}

/** sha256 of the description in canonical form (sorted keys): what the generated inputs and parsing depend on. */
export function descriptionHash(desc: CodeDescription): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  const { description: _, ...rest } = desc;
  return createHash('sha256')
    .update(JSON.stringify(canonical(rest)))
    .digest('hex');
}

const cachedVersion = versionCache();

/**
 * The code's version per the description: the fixed one, or the first capture group of `regex` over the
 * stdout and stderr of `binary argv...`, run once per binary and cached; "unknown" when nothing matches or
 * no probe is described. The probe runs in a fresh temporary directory (some codes write scratch files
 * wherever they start) that is removed afterwards. Throws MissingBinaryError (not cached).
 */
export function probeVersion(desc: CodeDescription, binary: string): Promise<string> {
  const probe = desc.version;
  if (probe?.fixed !== undefined) return Promise.resolve(probe.fixed);
  if (probe?.argv === undefined || probe.regex === undefined) return Promise.resolve('unknown');
  const { argv, regex } = probe;
  return cachedVersion(JSON.stringify([binary, argv, regex]), () =>
    runProbe(binary, argv, new RegExp(regex, 'm')),
  );
}

async function runProbe(binary: string, argv: string[], re: RegExp): Promise<string> {
  const path = await resolveBinary(binary);
  return inScratchDir('cascade-version-', async (cwd) => {
    const r = await execa(path, argv, {
      cwd,
      reject: false,
      stdin: 'ignore',
      timeout: 30_000,
      forceKillAfterDelay: 2_000,
      // a described binary is anyone's program: it gets what a calculation gets, not the worker's environment
      env: codeEnvironment({ OMP_NUM_THREADS: '1' }),
      extendEnv: false,
    });
    const m = re.exec(`${r.stdout}\n${r.stderr}`);
    return m?.[1]?.trim() || 'unknown';
  });
}
