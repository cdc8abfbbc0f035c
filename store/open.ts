/**
 * Opening the store, for process entry points only (the worker, the CLI, tests, benches): everything else gets
 * the store it is given. `CASCADE_STORE` names it (a SQLite file path, or `sqlite:PATH`); by default it is
 * `cascade.db` in `$CASCADE_HOME`.
 */
import path from 'node:path';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Where cascade keeps its state: `$CASCADE_HOME`, else `.cascade/` in the working directory. */
export function cascadeHome(): string {
  return path.resolve(process.env.CASCADE_HOME ?? '.cascade');
}

/** The store's location from the environment. */
export function storeLocation(): string {
  const named = process.env.CASCADE_STORE;
  if (named) {
    if (/^postgres(ql)?:\/\//.test(named)) {
      throw new Error(
        `CASCADE_STORE=${redacted(named)}: a PostgreSQL store is not available yet (SQLite only)`,
      );
    }
    return path.resolve(named.replace(/^sqlite:/, ''));
  }
  return path.join(cascadeHome(), 'cascade.db');
}

const open = new Map<string, Store>();

/** The store at `location` (default: from the environment), opened once per process. */
export function openStore(location = storeLocation()): Store {
  const existing = open.get(location);
  if (existing) return existing;
  const store = new SqliteStore(location);
  open.set(location, store);
  return store;
}

/** Closes every store this process opened. */
export async function closeStores(): Promise<void> {
  const stores = [...open.values()];
  open.clear();
  await Promise.all(stores.map((s) => s.close()));
}

function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
