/**
 * The store backends the store suites (test/helpers/store-suites/) run against: the same assertions hold for
 * every backend. SQLite runs with the unit tests (a file per store); PostgreSQL with the integration tests (a
 * throw-away cluster per file, a database per store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { closeStores, connectStore } from '../../store/open.js';
import { PostgresStore } from '../../store/postgres/postgres-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { usePostgres } from './postgres.js';

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** A new, empty store (closed after the file's tests). */
  open(): Promise<Store>;
  /**
   * The rows of a query on a store this backend opened, for checks of what the interface does not read back;
   * `?` stands for each parameter. JSON columns come back as text from SQLite and parsed from PostgreSQL:
   * compare them through `json()`.
   */
  rows(store: Store, sql: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * `n` connections to one new, empty store, as workers on several hosts (or processes on one) have, and the
   * store's location for a process of its own (closed after the file's tests).
   */
  shared(n: number): Promise<{ location: string; stores: Store[] }>;
}

/** A JSON column's value, whichever backend read it. */
export const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** SQLite files in a temporary folder removed after the file's tests. */
export function sqliteBackend(): StoreBackend {
  let dir = '';
  let n = 0;
  const own: Store[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-store-'));
  });
  afterAll(async () => {
    await closeStores();
    await Promise.all(own.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    name: 'sqlite',
    open: () => connectStore(path.join(dir, `store-${++n}.db`)),
    async rows(store, sql, values = []) {
      if (!(store instanceof SqliteStore)) throw new Error('not a SQLite store');
      return store.db.prepare(sql).all(...values) as Record<string, unknown>[];
    },
    async shared(count) {
      const location = path.join(dir, `store-${++n}.db`);
      const stores = Array.from({ length: count }, () => new SqliteStore(location));
      own.push(...stores);
      return { location, stores };
    },
  };
}

/** Databases on a throw-away PostgreSQL cluster of the file's own; `database()` makes one for a test's own stores. */
export function postgresBackend(): StoreBackend & { database(): Promise<string> } {
  const server = usePostgres();
  const own: Store[] = [];
  afterAll(async () => {
    await closeStores();
    await Promise.all(own.map((s) => s.close()));
  });
  return {
    name: 'postgres',
    database: () => server.database(),
    open: async () => connectStore(await server.database()),
    async rows(store, sql, values = []) {
      if (!(store instanceof PostgresStore)) throw new Error('not a PostgreSQL store');
      let i = 0;
      return store.rows(
        sql.replace(/\?/g, () => `$${++i}`),
        values,
      );
    },
    async shared(count) {
      const location = await server.database();
      const stores = Array.from({ length: count }, () => new PostgresStore(location));
      own.push(...stores);
      await Promise.all(stores.map((s) => s.ready));
      return { location, stores };
    },
  };
}
