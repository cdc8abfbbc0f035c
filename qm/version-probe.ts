/**
 * Running a program to learn its version: once per key (the answer is cached), and where it needs one, in
 * a temporary directory that is removed afterwards (some codes write scratch files wherever they start).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A cache of version probes: `probe` runs on the first call for a key, later calls get its promise. A probe
 * that rejects (MissingBinaryError) is not cached, so installing the program later works.
 */
export function versionCache(): (key: string, probe: () => Promise<string>) => Promise<string> {
  const versions = new Map<string, Promise<string>>();
  return (key, probe) => {
    let v = versions.get(key);
    if (!v) {
      v = probe();
      versions.set(key, v);
      v.catch(() => versions.delete(key));
    }
    return v;
  };
}

/** `run` in a fresh directory under the system's temporary directory, removed when it settles. */
export async function inScratchDir<T>(prefix: string, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
