import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { CampaignRecord, PoolSummary } from '../store.js';
import { type Db, now, statement } from './db.js';

export function saveCampaign(db: Db, id: string, config: CampaignConfig, configFile?: string): void {
  statement(
    db,
    `INSERT INTO campaigns (id, name, config_json, config_file, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET config_json = excluded.config_json,
       config_file = COALESCE(excluded.config_file, campaigns.config_file), updated_at = excluded.updated_at`,
  ).run(id, config.name, JSON.stringify(config), configFile ?? null, now(), now());
}

export function getCampaign(db: Db, id: string): CampaignRecord | undefined {
  const row = statement(db, 'SELECT * FROM campaigns WHERE id = ?').get(id) as
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
  statement(db, 'UPDATE campaigns SET pool_json = ?, updated_at = ? WHERE id = ?').run(
    JSON.stringify(pool),
    now(),
    id,
  );
}

export function deleteCampaign(db: Db, id: string): void {
  statement(db, 'DELETE FROM campaigns WHERE id = ?').run(id);
}

export function resetCampaign(db: Db, id: string): void {
  db.transaction(() => {
    db.prepare('DELETE FROM evaluations WHERE campaign_id = ?').run(id);
    db.prepare(
      'DELETE FROM prediction_columns WHERE model_id IN (SELECT id FROM models WHERE campaign_id = ?)',
    ).run(id);
    db.prepare(
      'DELETE FROM prediction_samples WHERE model_id IN (SELECT id FROM models WHERE campaign_id = ?)',
    ).run(id);
    db.prepare('DELETE FROM models WHERE campaign_id = ?').run(id);
    db.prepare('DELETE FROM ledger WHERE campaign_id = ?').run(id);
    db.prepare('DELETE FROM cbs_ladders WHERE campaign_id = ?').run(id);
  })();
}
