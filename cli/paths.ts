/** Where things live: the project root (for `.tools/`), and cascade's state folder. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding cascade's package.json, found from this file whether run from sources or `dist/`. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'cascade') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the cascade project root');
    dir = up;
  }
}

/** The `temporal` CLI: `$CASCADE_TEMPORAL_BIN`, else the pinned one `make setup` installs in `.tools/`, else PATH. */
export function temporalBinary(): string {
  if (process.env.CASCADE_TEMPORAL_BIN) return process.env.CASCADE_TEMPORAL_BIN;
  const local = path.join(projectRoot(), '.tools', 'venv', 'bin', 'temporal');
  return existsSync(local) ? local : 'temporal';
}

/** cascade's version, from its package.json (stamped on reports and exported data). */
export function cascadeVersion(): string {
  return (JSON.parse(readFileSync(path.join(projectRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}
