/**
 * The PostgreSQL connection: a pool of clients, values read back as the SQLite store returns them (counts and ids
 * as numbers, times as ISO 8601 strings), migrations at open, statements prepared once per connection.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { MIGRATIONS } from './schema.js';

export type Db = pg.Pool;
/** The pool, or one client of it inside a transaction. */
export type Sql = pg.Pool | pg.PoolClient;

const { builtins } = pg.types;
const timestamp = pg.types.getTypeParser(builtins.TIMESTAMPTZ, 'text') as (v: string) => Date;

/** COUNT and SUM of integers are bigint, identities too: numbers (exact below 2^53, far beyond any table here). */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === builtins.INT8 || oid === builtins.NUMERIC) return (v: string) => Number(v);
    if (oid === builtins.TIMESTAMPTZ) return (v: string) => timestamp(v).toISOString();
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Where a URL points, for messages: never its password. */
export interface Target {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function targetOf(url: string): Target {
  // the client resolves the URL, its query parameters and the PG* environment as it would to connect
  const c = new pg.Client({ connectionString: url });
  return { host: c.host, port: c.port, database: c.database ?? c.user ?? '', user: c.user ?? '' };
}

export function openPool(url: string, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max, types, application_name: 'cascade' });
  // an idle client whose server went away must not take the process down; the next query reports it
  pool.on('error', () => undefined);
  return pool;
}

/** Connects, or says which server could not be reached and why. */
export async function connect(pool: Db, url: string): Promise<void> {
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    const t = targetOf(url);
    const why = e instanceof Error ? e.message || (e as NodeJS.ErrnoException).code || e.name : String(e);
    throw new Error(
      `cannot reach the PostgreSQL store at ${t.host}:${t.port}, database "${t.database}" as "${t.user}" ` +
        `(CASCADE_STORE=${redacted(url)}): ${why}`,
      { cause: e },
    );
  }
}

/** A URL without its password, for messages and `Store.location`. */
export function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** Serialises the migrations of workers that open the same database at once (any fixed number will do). */
const MIGRATION_LOCK = 0x63617363;

/** Applies the migrations this database has not seen, each in its own transaction. */
export async function migrate(pool: Db): Promise<void> {
  for (;;) {
    const applied = await transaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)',
      );
      const done = (await c.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version')).rows[0]
        .v as number;
      if (done >= MIGRATIONS.length) return false;
      await c.query(MIGRATIONS[done] as string);
      await c.query('INSERT INTO schema_version (version, applied_at) VALUES ($1, now())', [done + 1]);
      return true;
    });
    if (!applied) return;
  }
}

/** Runs `fn` on one client between BEGIN and COMMIT; ROLLBACK if it throws. */
export async function transaction<T>(pool: Db, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    // a connection that cannot even roll back is not given to the next caller
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw e;
  } finally {
    client.release(broken);
  }
}

const names = new Map<string, string>();

/** A statement prepared once per connection (named by its text's hash): the server parses and plans it once. */
export async function query<R extends pg.QueryResultRow = Record<string, unknown>>(
  sql: Sql,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  let name = names.get(text);
  if (!name) {
    name = `cascade_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return (await sql.query<R>({ name, text, values })).rows;
}
