/**
 * The results store: one SQLite file (WAL mode, so the CLI can read while workers write).
 * It is the source of truth for expensive results; workflows only ever see ids and summaries.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
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

/** Where cascade keeps its state: `$CASCADE_HOME`, else `.cascade/` in the working directory. */
export function cascadeHome(): string {
  return path.resolve(process.env.CASCADE_HOME ?? '.cascade');
}

const open = new Map<string, Db>();

/** Opens (once per process and file) the store, creating tables as needed. */
export function openStore(file = path.join(cascadeHome(), 'cascade.db')): Db {
  const existing = open.get(file);
  if (existing?.open) return existing;
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  open.set(file, db);
  return db;
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** `db.prepare(sql)`, compiled once per store: SQLite compiles the text again on every prepare. */
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

export function closeStores(): void {
  for (const db of open.values()) db.close();
  open.clear();
}

export const now = (): string => new Date().toISOString();
