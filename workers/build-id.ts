/**
 * A worker's build id: a content hash of the code that decides what a campaign's workflow does, so that two
 * workers share a build id exactly when they would replay a campaign's history the same way.
 *
 * What is hashed: the workflow entry point (`workflows/index.ts`) and every file it imports, transitively, by a
 * relative import (the files under `workflows/` and the `lib/` modules they use), each with its path relative to
 * the project root; and the version of every package those files import (`@temporalio/workflow`, `zod`, ...).
 * Type-only imports are left out: the compiler erases them, so they cannot change behaviour. That keeps the id
 * still when only activities, the CLI or the store change, and those roll out in place: a campaign's activities
 * may run on any worker of its version, old code or new (see workers/main.ts).
 *
 * Paths, not the bundle: Temporal's webpack bundle embeds absolute paths in its source map, so hashing it would
 * give each checkout location its own id, and the `ml` and `qm` workers of one version on other hosts must
 * compute the same id as its `default` worker. The file set is checked against the real bundle's in
 * test/unit/build-id.test.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** `CASCADE_BUILD_ID` names a build by hand (tests, or an operator who tags releases); else the hash. */
export function buildId(entry: string, root = projectRootOf(entry)): string {
  return process.env.CASCADE_BUILD_ID || workflowBuildId(entry, root);
}

/** 12 hex digits of the SHA-256 of the workflow code reachable from `entry` (see the file's comment). */
export function workflowBuildId(entry: string, root = projectRootOf(entry)): string {
  const { files, packages } = workflowSources(entry);
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`file ${path.relative(root, file).split(path.sep).join('/')}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  for (const [name, version] of packages) hash.update(`package ${name}@${version}\0`);
  return hash.digest('hex').slice(0, 12);
}

export interface WorkflowSources {
  /** Absolute paths, sorted. */
  files: string[];
  /** Package name → version, sorted by name. */
  packages: [string, string][];
}

/** The files reachable from `entry` through value imports, and the packages they import. */
export function workflowSources(entry: string): WorkflowSources {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [path.resolve(entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of valueImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) pending.push(resolveRelative(file, specifier));
      else {
        const name = packageName(specifier);
        packages.set(name, packageVersion(name, path.dirname(file)));
      }
    }
  }
  return {
    files: [...files].sort(),
    packages: [...packages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

// `import ... from 'x'`, `import 'x'`, `export ... from 'x'` (the clause may span lines), and `import('x')` but
// not the type `typeof import('x')`; group 1 is `type ` for the imports the compiler erases
const STATIC_IMPORT = /^[ \t]*(?:import|export)\s+(type\s+)?(?:[\w$*{},\s]+?\s+from\s+)?['"]([^'"\n]+)['"]/gm;
const DYNAMIC_IMPORT = /(?<!typeof\s+)\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** The specifiers a module imports for their values, in the order written. */
export function valueImports(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(STATIC_IMPORT)) if (!m[1] && m[2]) found.push(m[2]);
  for (const m of source.matchAll(DYNAMIC_IMPORT)) if (m[1]) found.push(m[1]);
  return found;
}

/** `./x.js` is `./x.ts` when running from sources, the `.js` itself when running from `dist/`. */
function resolveRelative(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  const candidates = [
    target.replace(/\.js$/, '.ts'),
    target,
    `${target}.ts`,
    `${target}.js`,
    path.join(target, 'index.ts'),
    path.join(target, 'index.js'),
  ];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) throw new Error(`cannot resolve "${specifier}" imported by ${from}`);
  return found;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** The version Node would load: the nearest `node_modules/<name>/package.json` up from the importer. */
function packageVersion(name: string, from: string): string {
  if (name.startsWith('node:')) return 'builtin';
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest))
      return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    if (path.dirname(dir) === dir) throw new Error(`cannot find package "${name}" imported from ${from}`);
  }
}

/** The folder above `workflows/`: paths in the hash are relative to it, wherever the project is checked out. */
function projectRootOf(entry: string): string {
  return path.dirname(path.dirname(path.resolve(entry)));
}
