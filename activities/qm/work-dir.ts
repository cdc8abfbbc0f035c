/**
 * Work directories of calculations: one per distinct input, named by the input hash, holding the input
 * files, whatever the code writes, and the runner's own `.cascade-*` files.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** Whether `name` names a file directly inside the work directory (no separators, not `.` or `..`). */
export function isPlainFileName(name: string): boolean {
  return FILE_NAME.test(name);
}

const workDirLocks = new Map<string, Promise<void>>();

/** Waits until no other run in this process uses `dir`; the returned function lets the next one in. */
export async function lockWorkDir(dir: string): Promise<() => void> {
  const previous = workDirLocks.get(dir) ?? Promise.resolve();
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const mine = previous.then(() => gate);
  workDirLocks.set(dir, mine);
  await previous;
  return () => {
    release();
    if (workDirLocks.get(dir) === mine) workDirLocks.delete(dir);
  };
}

/**
 * Empties (or creates) the work directory and writes the input files into it. Input files are small, and a
 * synchronous write costs less than a round trip through libuv's thread pool; only removing an old
 * directory (a previous attempt's scratch files, possibly large) is left to the pool.
 */
export async function prepareWorkDir(workDir: string, files: Record<string, string>): Promise<void> {
  if (existsSync(workDir)) await rm(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(workDir, name), text);
}

/** Keeps the code's full stdout and stderr beside its own files, for post-mortems; failures are ignored. */
export async function saveOutput(workDir: string, stdout: string, stderr: string): Promise<void> {
  await writeFile(join(workDir, '.cascade-stdout'), stdout).catch(() => undefined);
  await writeFile(join(workDir, '.cascade-stderr'), stderr).catch(() => undefined);
}

/** A file the code wrote, or undefined when it is missing or its name is not a plain file name. */
export function readWorkFile(workDir: string, name: string): string | undefined {
  if (!FILE_NAME.test(name)) return undefined;
  try {
    return readFileSync(join(workDir, name), 'utf8');
  } catch {
    return undefined;
  }
}
