import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../store/postgres/postgres-store.js';
import { MIGRATIONS } from '../../store/postgres/schema.js';
import { postgresBackend } from '../helpers/store-backends.js';
import { claimsSuite } from '../helpers/store-suites/claims.js';
import { exportStoreSuite } from '../helpers/store-suites/export-store.js';
import { predictionSamplesSuite } from '../helpers/store-suites/prediction-samples.js';
import { reportStoreSuite } from '../helpers/store-suites/report-store.js';
import { storeSuite } from '../helpers/store-suites/store.js';
import { storeCounterfactualSuite } from '../helpers/store-suites/store-counterfactual.js';
import { storeRestSuite } from '../helpers/store-suites/store-rest.js';

const backend = postgresBackend();

describe('the PostgreSQL store passes every store suite', () => {
  describe('store', () => storeSuite(backend));
  describe('the rest of the interface', () => storeRestSuite(backend));
  describe('export', () => exportStoreSuite(backend));
  describe('report', () => reportStoreSuite(backend));
  describe('counterfactual', () => storeCounterfactualSuite(backend));
  describe('prediction samples', () => predictionSamplesSuite(backend));
  describe('claims', () => claimsSuite(backend));
});

/** Stores of their own (not openStore's one per URL): each is a worker on a host of its own, with its own pool. */
const workers: PostgresStore[] = [];
function worker(url: string): PostgresStore {
  const store = new PostgresStore(url);
  workers.push(store);
  return store;
}
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
});

const database = () => backend.database();

describe('migrations', () => {
  it('are recorded one row each; workers opening one database at once apply them once', async () => {
    const url = await database();
    const many = Array.from({ length: 6 }, () => worker(url));
    await Promise.all(many.map((w) => w.ready));
    const versions = await many[0]?.rows('SELECT version FROM schema_version ORDER BY version');
    expect(versions?.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('a store closed and opened again keeps what was written', async () => {
    const url = await database();
    const first = worker(url);
    await first.putGeometry('CCO', 'rdkit', '{"kept":true}');
    await first.close();
    await first.close(); // twice is harmless
    expect(await worker(url).getGeometry('CCO', 'rdkit')).toBe('{"kept":true}');
  });
});
