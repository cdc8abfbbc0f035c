/**
 * The SQLite store's schema, as numbered migrations applied in order at open (`PRAGMA user_version` says how
 * many ran). A migration is never edited once released: add the next one. Most are SQL text; one that SQL cannot
 * express (packing rows into blobs) is a function of the connection.
 */

import type Database from 'better-sqlite3';
import { toBlobs, toColumns } from '../prediction-columns.js';

const BASE = `
CREATE TABLE IF NOT EXISTS campaigns (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, config_json TEXT NOT NULL, config_file TEXT,
  pool_json TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
  campaign_id TEXT NOT NULL, idx INTEGER NOT NULL, label TEXT NOT NULL, smiles TEXT NOT NULL,
  heavy_atoms INTEGER NOT NULL, PRIMARY KEY (campaign_id, idx));
CREATE TABLE IF NOT EXISTS features (key TEXT PRIMARY KEY, n_features INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS geometries (
  smiles TEXT NOT NULL, generator TEXT NOT NULL, geometry_json TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (smiles, generator));
CREATE TABLE IF NOT EXISTS qm_results (
  key TEXT PRIMARY KEY, code TEXT NOT NULL, code_version TEXT NOT NULL, method TEXT NOT NULL,
  settings_json TEXT NOT NULL, geometry_hash TEXT NOT NULL, status TEXT NOT NULL,
  outputs_json TEXT, failure_json TEXT, provenance_json TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS qm_executions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, code TEXT NOT NULL, host TEXT NOT NULL,
  pid INTEGER NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL DEFAULT 'running');
CREATE INDEX IF NOT EXISTS qm_executions_key ON qm_executions (key);
CREATE TABLE IF NOT EXISTS evaluations (
  campaign_id TEXT NOT NULL, idx INTEGER NOT NULL, tier TEXT NOT NULL, round INTEGER NOT NULL,
  result_key TEXT, status TEXT NOT NULL, value REAL, message TEXT, cached INTEGER NOT NULL,
  cpu_seconds REAL NOT NULL, wall_seconds REAL NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (campaign_id, idx, tier));
CREATE TABLE IF NOT EXISTS models (
  id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, round INTEGER NOT NULL, kind TEXT NOT NULL,
  backend TEXT NOT NULL, description_json TEXT NOT NULL, metrics_json TEXT NOT NULL, weights BLOB NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS predictions (
  model_id TEXT NOT NULL, idx INTEGER NOT NULL, mean REAL NOT NULL, std REAL NOT NULL,
  PRIMARY KEY (model_id, idx));
CREATE TABLE IF NOT EXISTS ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT, campaign_id TEXT NOT NULL, round INTEGER NOT NULL,
  activity TEXT NOT NULL, host TEXT NOT NULL, wall_seconds REAL NOT NULL, cpu_seconds REAL NOT NULL,
  gpu_seconds REAL NOT NULL DEFAULT 0, energy_joules REAL NOT NULL, energy_method TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_campaign ON ledger (campaign_id);
CREATE TABLE IF NOT EXISTS cbs_ladders (
  campaign_id TEXT NOT NULL, round INTEGER NOT NULL, idx INTEGER NOT NULL, tier TEXT NOT NULL,
  bases_run TEXT NOT NULL, bases_skipped TEXT NOT NULL, cpu_seconds REAL NOT NULL,
  largest_basis_cpu_seconds REAL NOT NULL, energy REAL, lo REAL, hi REAL, source TEXT NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (campaign_id, idx, tier));
`;

/**
 * 2: candidates of any kind (a molecule's identity is its canonical SMILES, a crystal's a structure key, the
 * rest in payload_json); geometries keyed by candidate identity; every property an evaluation reported; the
 * peak memory of a ledger entry.
 */
const CANDIDATES_OF_ANY_KIND = `
ALTER TABLE candidates RENAME COLUMN smiles TO identity;
ALTER TABLE candidates ADD COLUMN kind TEXT NOT NULL DEFAULT 'molecule';
ALTER TABLE candidates ADD COLUMN payload_json TEXT NOT NULL DEFAULT '{}';
UPDATE candidates SET payload_json = json_object('heavyAtoms', heavy_atoms);
ALTER TABLE geometries RENAME COLUMN smiles TO identity;
ALTER TABLE evaluations ADD COLUMN values_json TEXT;
ALTER TABLE ledger ADD COLUMN peak_memory_bytes REAL;
`;

/** 3: how each ledger entry's energy was obtained, in full: the constants used and the hardware it ran on. */
const ENERGY_PROVENANCE = `
ALTER TABLE ledger ADD COLUMN energy_constants_json TEXT;
ALTER TABLE ledger ADD COLUMN hardware TEXT;
`;

/** 4: an entry of one candidate's work (its geometry, its calculation) names the candidate and the tier. */
const LEDGER_CANDIDATES = `
ALTER TABLE ledger ADD COLUMN idx INTEGER;
ALTER TABLE ledger ADD COLUMN tier TEXT;
`;

/**
 * 5: each ensemble member's predictions of the pool, for Thompson sampling: one row per model, the pool indices and
 * the members' values as blobs (Int32 and Float32, little-endian), not a row per candidate per member.
 */
const PREDICTION_SAMPLES = `
CREATE TABLE IF NOT EXISTS prediction_samples (
  model_id TEXT PRIMARY KEY, members INTEGER NOT NULL, rows INTEGER NOT NULL, idx BLOB NOT NULL, samples BLOB NOT NULL);
`;

/**
 * 6: the lease on a calculation being computed, one row per key ever claimed (store/sqlite/claims.ts): whoever
 * holds a live lease computes it, the others wait for its result. `lease_until` is in epoch milliseconds.
 */
const CLAIMS = `
CREATE TABLE IF NOT EXISTS qm_claims (key TEXT PRIMARY KEY, execution_id INTEGER, lease_until REAL NOT NULL);
CREATE INDEX IF NOT EXISTS qm_claims_execution ON qm_claims (execution_id);
`;

/**
 * 7: a model's predictions as one row of blobs (store/prediction-columns.ts: Int32 pool indices, or NULL for
 * 0..rows-1, and Float32 means and stds), not a row per candidate; the rows stored before move into it.
 */
function predictionColumns(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS prediction_columns (
    model_id TEXT PRIMARY KEY, rows INTEGER NOT NULL, idx BLOB, mean BLOB NOT NULL, std BLOB NOT NULL)`);
  const insert = db.prepare(
    'INSERT OR REPLACE INTO prediction_columns (model_id, rows, idx, mean, std) VALUES (?, ?, ?, ?, ?)',
  );
  const models = db.prepare('SELECT DISTINCT model_id FROM predictions').pluck().all() as string[];
  const rowsOf = db.prepare('SELECT idx, mean, std FROM predictions WHERE model_id = ? ORDER BY idx');
  for (const id of models) {
    const rows = rowsOf.all(id) as { idx: number; mean: number; std: number }[];
    const b = toBlobs(
      toColumns(
        rows.map((r) => r.mean),
        rows.map((r) => r.std),
        rows.map((r) => r.idx),
      ),
    );
    insert.run(id, b.rows, b.idx, b.mean, b.std);
  }
  db.exec('DROP TABLE predictions');
}

export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: readonly Migration[] = [
  BASE,
  CANDIDATES_OF_ANY_KIND,
  ENERGY_PROVENANCE,
  LEDGER_CANDIDATES,
  PREDICTION_SAMPLES,
  CLAIMS,
  predictionColumns,
];
