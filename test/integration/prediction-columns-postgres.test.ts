import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../store/postgres/postgres-store.js';
import { MIGRATIONS } from '../../store/postgres/schema.js';
import { postgresBackend } from '../helpers/store-backends.js';

const backend = postgresBackend();
const stores: PostgresStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

describe('a PostgreSQL store written with a row per prediction', () => {
  it('opens with its predictions moved into little-endian blobs, the old table gone', async () => {
    const url = await backend.database();
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    await old.query(
      'CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)',
    );
    for (const [v, m] of MIGRATIONS.slice(0, 2).entries()) {
      await old.query(m);
      await old.query('INSERT INTO schema_version VALUES ($1, now())', [v + 1]);
    }
    await old.query(
      `INSERT INTO predictions (model_id, idx, mean, std) VALUES
       ('a-r1', 4, -1.25, 0.5), ('a-r1', 1, 3.5, 0.25), ('a-r2', 0, 2, 1), ('a-r2', 1, 0.1, 0.2)`,
    );
    await old.end();

    const store = new PostgresStore(url);
    stores.push(store);
    expect(await store.getPredictions('a-r1')).toEqual([
      { idx: 1, mean: 3.5, std: 0.25 },
      { idx: 4, mean: -1.25, std: 0.5 },
    ]);
    expect(await store.getPredictions('a-r2')).toEqual([
      { idx: 0, mean: 2, std: 1 },
      { idx: 1, mean: Math.fround(0.1), std: Math.fround(0.2) },
    ]);
    expect(await store.rows("SELECT to_regclass('predictions') AS t")).toEqual([{ t: null }]);
    expect(
      (await store.rows('SELECT version FROM schema_version ORDER BY version')).map((r) => r.version),
    ).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});
