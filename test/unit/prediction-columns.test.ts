import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { fromBlobs, toBlobs, toColumns } from '../../store/prediction-columns.js';
import { MIGRATIONS } from '../../store/sqlite/schema.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cascade-prediction-columns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prediction columns', () => {
  it('sort by pool index, keep the later of two predictions of one index, and leave out a dense index', () => {
    const c = toColumns([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4], [5, 2, 5, 0]);
    expect([...c.indices]).toEqual([0, 2, 5]);
    expect([...c.mean]).toEqual([4, 2, 3]);
    const sparse = toBlobs(c);
    expect(sparse.idx).not.toBeNull();
    expect(fromBlobs(sparse)).toEqual(c);
    const dense = toBlobs(toColumns(new Float32Array([7, 8]), new Float32Array([1, 1]), [0, 1]));
    expect(dense.idx).toBeNull();
    expect([...fromBlobs(dense).indices]).toEqual([0, 1]);
    expect(dense.mean.byteLength).toBe(8); // four bytes a value
  });
});

describe('a SQLite store written with a row per prediction', () => {
  it('opens with its predictions moved into blobs, the old table gone', async () => {
    const file = path.join(dir, 'rows.db');
    const old = new Database(file);
    MIGRATIONS.slice(0, 6).forEach((m) => {
      old.exec(m as string);
    });
    old.pragma('user_version = 6');
    const insert = old.prepare('INSERT INTO predictions (model_id, idx, mean, std) VALUES (?, ?, ?, ?)');
    insert.run('a-r1', 4, -1.25, 0.5);
    insert.run('a-r1', 1, 3.5, 0.25);
    insert.run('a-r2', 0, 2, 1);
    insert.run('a-r2', 1, 0.1, 0.2);
    old.close();

    const store = new SqliteStore(file);
    expect(await store.getPredictions('a-r1')).toEqual([
      { idx: 1, mean: 3.5, std: 0.25 },
      { idx: 4, mean: -1.25, std: 0.5 },
    ]);
    // stored as float32: 0.1 comes back as the float32 nearest to it
    expect(await store.getPredictions('a-r2')).toEqual([
      { idx: 0, mean: 2, std: 1 },
      { idx: 1, mean: Math.fround(0.1), std: Math.fround(0.2) },
    ]);
    expect(await store.getPredictions('a-r3')).toEqual([]);
    expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(
      store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'predictions'").all(),
    ).toEqual([]);
    await store.close();
  });
});
