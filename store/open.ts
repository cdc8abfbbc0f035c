/**
 * Opening the store, for process entry points only (the worker, the CLI, tests, benches): everything else gets
 * the store it is given. `CASCADE_STORE` names it: a SQLite file path or `sqlite:PATH`, or a PostgreSQL server
 * (`postgres://` or `postgresql://` URL, for workers on several hosts); by default it is `cascade.db` in
 * `$CASCADE_HOME`.
 */
import path from 'node:path';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Where cascade keeps its state: `$CASCADE_HOME`, else `.cascade/` in the working directory. */
export function cascadeHome(): string {
  return path.resolve(process.env.CASCADE_HOME ?? '.cascade');
}

const isServer = (location: string): boolean => /^postgres(ql)?:\/\//.test(location);

/** The store's location from the environment: a server URL as given, else an absolute file path. */
export function storeLocation(): string {
  const named = process.env.CASCADE_STORE;
  if (named) return isServer(named) ? named : path.resolve(named.replace(/^sqlite:/, ''));
  return path.join(cascadeHome(), 'cascade.db');
}

const open = new Map<string, Store>();

/**
 * The store at `location` (default: from the environment), opened once per process. A server store connects in
 * the background: its first call reports a server it cannot reach (connectStore() does at once).
 */
export function openStore(location = storeLocation()): Store {
  const existing = open.get(location);
  if (existing) return existing;
  const store = isServer(location) ? new PostgresStore(location) : new SqliteStore(location);
  open.set(location, store);
  return store;
}

/**
 * openStore(), once the store can be used: for a server, connected and its schema migrated, or an error that
 * names the host, port and database and what the server (or the network) said. A store that could not be
 * reached is forgotten, so that a later call tries again.
 */
export async function connectStore(location = storeLocation()): Promise<Store> {
  const store = openStore(location);
  if (store instanceof PostgresStore) {
    try {
      await store.ready;
    } catch (e) {
      open.delete(location);
      await store.close();
      throw e;
    }
  }
  return store;
}

/** Closes every store this process opened. */
export async function closeStores(): Promise<void> {
  const stores = [...open.values()];
  open.clear();
  await Promise.all(stores.map((s) => s.close()));
}
