/** The SQLite connection: WAL mode (the CLI reads while workers write), migrations at open, statements compiled once. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './schema.js';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  return db;
}

/** Applies the migrations this file has not seen, each in its own transaction. */
function migrate(db: Db): void {
  const done = db.pragma('user_version', { simple: true }) as number;
  for (let v = done; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      const m = MIGRATIONS[v] as Migration;
      if (typeof m === 'string') db.exec(m);
      else m(db);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** `db.prepare(sql)`, compiled once per connection: SQLite compiles the text again on every prepare. */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s;
}

export const now = (): string => new Date().toISOString();
