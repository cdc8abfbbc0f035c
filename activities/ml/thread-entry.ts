/**
 * How to start a sibling module as a worker thread: its compiled .js when present (running from dist/), else
 * its .ts source. On Node 20, `--import tsx` in a worker's execArgv does not apply to the worker (tsx registers
 * its ESM hooks on the main thread only), so the .ts source is started from a bootstrap that registers tsx's
 * CommonJS hooks in the thread. Modules loaded that way must not use top-level await.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';

export function threadEntry(jsUrl: URL, tsUrl: URL): { filename: string | URL; options: WorkerOptions } {
  if (existsSync(fileURLToPath(jsUrl))) return { filename: jsUrl, options: {} };
  const ts = fileURLToPath(tsUrl);
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api'); // from here, not the working directory
  const bootstrap = `require(${JSON.stringify(tsx)}).register();\nrequire(${JSON.stringify(ts)});`;
  return { filename: bootstrap, options: { eval: true } };
}
