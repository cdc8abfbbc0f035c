import type { CampaignConfig } from '../../lib/campaign/schema.js';
import { type Db, now } from './db.js';

export interface PoolSummary {
  source: string;
  read: number;
  kept: number;
  rejected: Record<string, number>;
}

export interface CampaignRecord {
  id: string;
  name: string;
  config: CampaignConfig;
  configFile?: string;
  pool?: PoolSummary;
}

/** Records the campaign's config (the latest launch or resume wins). */
export function saveCampaign(db: Db, id: string, config: CampaignConfig, configFile?: string): void {
  db.prepare(
    `INSERT INTO campaigns (id, name, config_json, config_file, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET config_json = excluded.config_json,
       config_file = COALESCE(excluded.config_file, campaigns.config_file), updated_at = excluded.updated_at`,
  ).run(id, config.name, JSON.stringify(config), configFile ?? null, now(), now());
}

export function getCampaign(db: Db, id: string): CampaignRecord | undefined {
  const row = db.prepare('SELECT * FROM campaigns WHERE id = ?').get(id) as
    | { id: string; name: string; config_json: string; config_file: string | null; pool_json: string | null }
    | undefined;
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    config: JSON.parse(row.config_json),
    configFile: row.config_file ?? undefined,
    pool: row.pool_json ? JSON.parse(row.pool_json) : undefined,
  };
}

export function setPoolSummary(db: Db, id: string, pool: PoolSummary): void {
  db.prepare('UPDATE campaigns SET pool_json = ?, updated_at = ? WHERE id = ?').run(
    JSON.stringify(pool),
    now(),
    id,
  );
}

/** Forgets a campaign's evaluations and models (for a fresh start); QM results, geometries and features stay cached. */
export function resetCampaign(db: Db, id: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM evaluations WHERE campaign_id = ?').run(id);
    db.prepare('DELETE FROM predictions WHERE model_id IN (SELECT id FROM models WHERE campaign_id = ?)').run(
      id,
    );
    db.prepare('DELETE FROM models WHERE campaign_id = ?').run(id);
    db.prepare('DELETE FROM ledger WHERE campaign_id = ?').run(id);
  })();
}
