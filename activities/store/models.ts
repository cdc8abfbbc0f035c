import { type Db, now } from './db.js';

export interface ModelRecord {
  id: string;
  campaignId: string;
  round: number;
  kind: string;
  backend: string;
  description: Record<string, unknown>;
  metrics: Record<string, number>;
}

export function putModel(db: Db, m: ModelRecord, weights: Uint8Array): void {
  db.prepare(
    `INSERT OR REPLACE INTO models (id, campaign_id, round, kind, backend, description_json, metrics_json, weights,
       created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    m.id,
    m.campaignId,
    m.round,
    m.kind,
    m.backend,
    JSON.stringify(m.description),
    JSON.stringify(m.metrics),
    Buffer.from(weights),
    now(),
  );
}

export function latestModel(db: Db, campaignId: string): ModelRecord | undefined {
  const row = db
    .prepare('SELECT * FROM models WHERE campaign_id = ? ORDER BY round DESC, created_at DESC LIMIT 1')
    .get(campaignId) as Record<string, string | number> | undefined;
  if (!row) return undefined;
  return {
    id: String(row.id),
    campaignId: String(row.campaign_id),
    round: Number(row.round),
    kind: String(row.kind),
    backend: String(row.backend),
    description: JSON.parse(String(row.description_json)),
    metrics: JSON.parse(String(row.metrics_json)),
  };
}

/** Predictions of one model over the pool; older models' predictions are dropped (the weights stay). */
export function putPredictions(
  db: Db,
  campaignId: string,
  modelId: string,
  mean: Float32Array,
  std: Float32Array,
  indices: number[],
): void {
  const insert = db.prepare(
    'INSERT OR REPLACE INTO predictions (model_id, idx, mean, std) VALUES (?, ?, ?, ?)',
  );
  db.transaction(() => {
    db.prepare(
      'DELETE FROM predictions WHERE model_id IN (SELECT id FROM models WHERE campaign_id = ? AND id != ?)',
    ).run(campaignId, modelId);
    for (let i = 0; i < indices.length; i++) insert.run(modelId, indices[i], mean[i], std[i]);
  })();
}

export function getPredictions(db: Db, modelId: string): { idx: number; mean: number; std: number }[] {
  return db
    .prepare('SELECT idx, mean, std FROM predictions WHERE model_id = ? ORDER BY idx')
    .all(modelId) as {
    idx: number;
    mean: number;
    std: number;
  }[];
}
