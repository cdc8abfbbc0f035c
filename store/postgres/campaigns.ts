import type { CampaignConfig } from '../../lib/campaign/schema.js';
import type { CampaignRecord, PoolSummary } from '../store.js';
import { type Db, query, transaction } from './db.js';

export async function saveCampaign(
  db: Db,
  id: string,
  config: CampaignConfig,
  configFile?: string,
): Promise<void> {
  // as in SQLite, a later save keeps the first name and, given no file, the recorded one
  await query(
    db,
    `INSERT INTO campaigns (id, name, config_json, config_file, created_at, updated_at) VALUES ($1, $2, $3, $4, now(), now())
     ON CONFLICT (id) DO UPDATE SET config_json = excluded.config_json,
       config_file = COALESCE(excluded.config_file, campaigns.config_file), updated_at = excluded.updated_at`,
    [id, config.name, JSON.stringify(config), configFile ?? null],
  );
}

export async function getCampaign(db: Db, id: string): Promise<CampaignRecord | undefined> {
  const [row] = await query<{
    id: string;
    name: string;
    config_json: CampaignConfig;
    config_file: string | null;
    pool_json: PoolSummary | null;
  }>(db, 'SELECT id, name, config_json, config_file, pool_json FROM campaigns WHERE id = $1', [id]);
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    config: row.config_json,
    configFile: row.config_file ?? undefined,
    pool: row.pool_json ?? undefined,
  };
}

export async function setPoolSummary(db: Db, id: string, pool: PoolSummary): Promise<void> {
  await query(db, 'UPDATE campaigns SET pool_json = $1, updated_at = now() WHERE id = $2', [
    JSON.stringify(pool),
    id,
  ]);
}

export async function deleteCampaign(db: Db, id: string): Promise<void> {
  await query(db, 'DELETE FROM campaigns WHERE id = $1', [id]);
}

export async function resetCampaign(db: Db, id: string): Promise<void> {
  await transaction(db, async (c) => {
    const models = 'SELECT id FROM models WHERE campaign_id = $1';
    await query(c, 'DELETE FROM evaluations WHERE campaign_id = $1', [id]);
    await query(c, `DELETE FROM prediction_columns WHERE model_id IN (${models})`, [id]);
    await query(c, `DELETE FROM prediction_samples WHERE model_id IN (${models})`, [id]);
    await query(c, 'DELETE FROM models WHERE campaign_id = $1', [id]);
    await query(c, 'DELETE FROM ledger WHERE campaign_id = $1', [id]);
    await query(c, 'DELETE FROM cbs_ladders WHERE campaign_id = $1', [id]);
  });
}
