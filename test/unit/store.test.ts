/**
 * The SQLite store on real files in a temporary folder: the suite every backend passes
 * (test/helpers/store-suites/store.ts), and what is SQLite's own: where the file lives, its migrations, and how
 * CASCADE_STORE picks the backend.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wattsPerCore } from '../../activities/usage.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import { freePort } from '../../scripts/free-port.js';
import { cascadeHome, closeStores, connectStore, openStore } from '../../store/open.js';
import { PostgresStore } from '../../store/postgres/postgres-store.js';
import { MIGRATIONS } from '../../store/sqlite/schema.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { sqliteBackend } from '../helpers/store-backends.js';
import { storeSuite } from '../helpers/store-suites/store.js';
import { storeRestSuite } from '../helpers/store-suites/store-rest.js';

const sqlite = sqliteBackend();
describe('the SQLite store', () => storeSuite(sqlite));
describe('the SQLite store: the rest of the interface', () => storeRestSuite(sqlite));

let dir: string;
const savedHome = process.env.CASCADE_HOME;
const savedStore = process.env.CASCADE_STORE;
const savedWatts = process.env.CASCADE_WATTS_PER_CORE;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-store-open-'));
});
afterEach(() => {
  for (const [name, saved] of [
    ['CASCADE_STORE', savedStore],
    ['CASCADE_WATTS_PER_CORE', savedWatts],
  ] as const) {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
});
afterAll(async () => {
  await closeStores();
  if (savedHome === undefined) delete process.env.CASCADE_HOME;
  else process.env.CASCADE_HOME = savedHome;
  rmSync(dir, { recursive: true, force: true });
});

const config = (name: string) =>
  CampaignConfig.parse({
    name,
    candidates: { source: '/data/mols.smi', limit: 10 },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }],
    budget: { rounds: 3, callsPerTier: { xtb: 12 } },
  });

describe('opening the store', () => {
  it('lives under $CASCADE_HOME by default and is opened once per file', async () => {
    delete process.env.CASCADE_STORE;
    const home = path.join(dir, 'home');
    process.env.CASCADE_HOME = home;
    expect(cascadeHome()).toBe(home);
    const a = openStore() as SqliteStore;
    expect(a.location).toBe(path.join(home, 'cascade.db'));
    expect(existsSync(path.join(home, 'cascade.db'))).toBe(true);
    expect(openStore()).toBe(a);
    expect(await connectStore()).toBe(a);
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('CASCADE_STORE names the file, or a PostgreSQL server whose location hides the password', async () => {
    process.env.CASCADE_STORE = `sqlite:${path.join(dir, 'named.db')}`;
    expect(openStore().location).toBe(path.join(dir, 'named.db'));
    for (const scheme of ['postgres', 'postgresql']) {
      // (port 1: nothing listens, so the connection it starts at once fails at once)
      process.env.CASCADE_STORE = `${scheme}://user:secret@localhost:1/cascade`;
      const server = openStore();
      expect(server).toBeInstanceOf(PostgresStore);
      expect(server.location).toBe(`${scheme}://***@localhost:1/cascade`);
      expect(openStore()).toBe(server);
    }
    // nothing was reached yet; closing one that never connected is quiet
    await closeStores();
  });

  it('an unreachable server is an error naming its host, port and database, before anything runs', async () => {
    const port = await freePort(); // nothing listens there
    process.env.CASCADE_STORE = `postgres://cascade:secret@127.0.0.1:${port}/campaigns`;
    const failure = connectStore().then(
      () => undefined,
      (e: Error) => e,
    );
    const e = await failure;
    expect(e?.message).toContain(
      `cannot reach the PostgreSQL store at 127.0.0.1:${port}, database "campaigns"`,
    );
    expect(e?.message).toContain(`CASCADE_STORE=postgres://***@127.0.0.1:${port}/campaigns`);
    expect(e?.message).toMatch(/ECONNREFUSED/);
    expect(e?.message).not.toContain('secret');
    // forgotten: the next call tries again (and fails again, the same way)
    await expect(connectStore()).rejects.toThrow('cannot reach the PostgreSQL store');
    // a store opened without waiting reports it at its first call
    const lazy = openStore();
    await expect(lazy.getCampaign('x')).rejects.toThrow(`127.0.0.1:${port}`);
    await closeStores();
  });

  it('migrates a store written before candidates had kinds, keeping its rows', async () => {
    const file = path.join(dir, 'old.db');
    const old = new Database(file);
    old.exec(MIGRATIONS[0] as string);
    old
      .prepare('INSERT INTO candidates (campaign_id, idx, label, smiles, heavy_atoms) VALUES (?, ?, ?, ?, ?)')
      .run('a', 0, 'ethanol', 'CCO', 3);
    old
      .prepare('INSERT INTO geometries (smiles, generator, geometry_json, created_at) VALUES (?, ?, ?, ?)')
      .run('CCO', 'obabel-gen3d', '{}', 'then');
    old.close();
    const store = openStore(file);
    expect(await store.listCandidates('a')).toEqual([
      { kind: 'molecule', idx: 0, label: 'ethanol', smiles: 'CCO', heavyAtoms: 3 },
    ]);
    expect(await store.getGeometry('CCO', 'obabel-gen3d')).toBe('{}');
    expect((store as SqliteStore).db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('reopens a closed store, keeping what was written', async () => {
    const file = path.join(dir, 'reopen.db');
    await openStore(file).saveCampaign('kept', config('kept'));
    await closeStores();
    const again = openStore(file) as SqliteStore;
    expect(again.db.open).toBe(true);
    expect((await again.getCampaign('kept'))?.config.name).toBe('kept');
  });
});

describe('the energy model the ledger records', () => {
  it('defaults to 12 W per core and refuses a value that is not a positive number', async () => {
    delete process.env.CASCADE_WATTS_PER_CORE;
    expect(wattsPerCore()).toBe(12);
    for (const bad of ['abc', '0', '-5']) {
      process.env.CASCADE_WATTS_PER_CORE = bad;
      expect(() => wattsPerCore()).toThrow(/CASCADE_WATTS_PER_CORE must be a positive number/);
    }
    process.env.CASCADE_WATTS_PER_CORE = '';
    expect(wattsPerCore()).toBe(12);
    process.env.CASCADE_WATTS_PER_CORE = '7.5';
    expect(wattsPerCore()).toBe(7.5);
  });
});
