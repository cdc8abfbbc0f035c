/**
 * What every code's profile shares: finding its binary (with an error that says what to install) and
 * reading its version. The codes' own profiles (qm/codes/<code>/profile.ts) say which binary, threads and
 * environment.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { execa } from 'execa';
import { versionCache } from './version-probe.js';

/** Where each program comes from, for error messages. Keyed by the binary's base name. */
const INSTALL_HINTS: Record<string, { debianPackage: string; envVar: string }> = {
  xtb: { debianPackage: 'xtb', envVar: 'CASCADE_XTB' },
  obabel: { debianPackage: 'openbabel', envVar: 'CASCADE_OBABEL' },
  nwchem: { debianPackage: 'nwchem', envVar: 'CASCADE_NWCHEM' },
  'elk-lapw': { debianPackage: 'elk-lapw', envVar: 'CASCADE_ELK' },
};

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
  readonly debianPackage: string | undefined;

  constructor(readonly binary: string) {
    const hint = INSTALL_HINTS[basename(binary)];
    const where = binary.includes('/') ? `at ${binary}` : `on PATH (${process.env.PATH ?? ''})`;
    const fix = hint
      ? `install it with "apt-get install ${hint.debianPackage}" (Debian/Ubuntu) or set ${hint.envVar} to its path`
      : 'install it or give the full path in the profile';
    super(`${binary}: executable not found ${where}; ${fix}`);
    this.debianPackage = hint?.debianPackage;
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Where each binary was found (by name and PATH); a program that disappears later fails to start instead. */
const resolved = new Map<string, string>();

/** Absolute path of `binary` (a path, or a name looked up on PATH); throws MissingBinaryError. */
export async function resolveBinary(binary: string): Promise<string> {
  const key = `${binary}\0${binary.includes('/') ? process.cwd() : process.env.PATH}`;
  const known = resolved.get(key);
  if (known !== undefined) return known;
  const found = await findBinary(binary);
  resolved.set(key, found);
  return found;
}

async function findBinary(binary: string): Promise<string> {
  if (binary.includes('/')) {
    const path = isAbsolute(binary) ? binary : resolve(binary);
    if (await isExecutableFile(path)) return path;
    throw new MissingBinaryError(binary);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, binary);
    if (await isExecutableFile(path)) return path;
  }
  throw new MissingBinaryError(binary);
}

const cachedVersion = versionCache();

/**
 * The program's version from `<binary> --version` (e.g. "6.5.1" for "xtb version 6.5.1 (unknown)"),
 * run once per binary and cached; "unknown" when the output names none. Throws MissingBinaryError
 * (not cached, so installing the program later works).
 */
export function codeVersion(binary: string): Promise<string> {
  return cachedVersion(binary, () => readVersion(binary));
}

async function readVersion(binary: string): Promise<string> {
  const path = await resolveBinary(binary);
  const r = await execa(path, ['--version'], {
    reject: false,
    stdin: 'ignore',
    timeout: 30_000,
    env: { OMP_NUM_THREADS: '1' },
  });
  const text = `${r.stdout}\n${r.stderr}`;
  const m = /version\s+v?(\d+(?:\.\d+)+)/i.exec(text) ?? /\b(\d+\.\d+(?:\.\d+)*)\b/.exec(text);
  return m?.[1] ?? 'unknown';
}
