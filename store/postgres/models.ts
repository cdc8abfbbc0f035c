import { modelDescriptionFrom, modelMetricsFrom } from '../../lib/surrogate/model.js';
import type { ModelRecord, Prediction, PredictionSamples } from '../store.js';
import { type Db, query } from './db.js';

export async function putModel(db: Db, m: ModelRecord, weights: Uint8Array): Promise<void> {
  await query(
    db,
    `INSERT INTO models (id, campaign_id, round, kind, backend, description_json, metrics_json, weights, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
     ON CONFLICT (id) DO UPDATE SET campaign_id = excluded.campaign_id, round = excluded.round,
       kind = excluded.kind, backend = excluded.backend, description_json = excluded.description_json,
       metrics_json = excluded.metrics_json, weights = excluded.weights, created_at = excluded.created_at`,
    [
      m.id,
      m.campaignId,
      m.round,
      m.kind,
      m.backend,
      JSON.stringify(m.description),
      JSON.stringify(m.metrics),
      Buffer.from(weights.buffer, weights.byteOffset, weights.byteLength),
    ],
  );
}

export interface ModelRow {
  id: string;
  campaign_id: string;
  round: number;
  kind: string;
  backend: string;
  description_json: unknown;
  metrics_json: unknown;
}

export const MODEL_COLUMNS = 'id, campaign_id, round, kind, backend, description_json, metrics_json';

export const modelFromRow = (r: ModelRow): ModelRecord => ({
  id: r.id,
  campaignId: r.campaign_id,
  round: r.round,
  kind: r.kind,
  backend: r.backend,
  description: modelDescriptionFrom(r.description_json, { kind: r.kind, backend: r.backend }),
  metrics: modelMetricsFrom(r.metrics_json),
});

/**
 * The latest model of the campaign's (first) objective, or with `property`, the latest of the surrogates a
 * multi-objective or constrained campaign trains for that property (their descriptions name it).
 */
export async function latestModel(
  db: Db,
  campaignId: string,
  property?: string,
): Promise<ModelRecord | undefined> {
  const [row] =
    property === undefined
      ? await query<ModelRow>(
          db,
          `SELECT ${MODEL_COLUMNS} FROM models WHERE campaign_id = $1 AND description_json->>'property' IS NULL
           ORDER BY round DESC, created_at DESC LIMIT 1`,
          [campaignId],
        )
      : await query<ModelRow>(
          db,
          `SELECT ${MODEL_COLUMNS} FROM models WHERE campaign_id = $1 AND description_json->>'property' = $2
           ORDER BY round DESC, created_at DESC LIMIT 1`,
          [campaignId, property],
        );
  return row ? modelFromRow(row) : undefined;
}

export async function getModelWeights(db: Db, id: string): Promise<Uint8Array | undefined> {
  const [row] = await query<{ weights: Buffer }>(db, 'SELECT weights FROM models WHERE id = $1', [id]);
  return row ? new Uint8Array(row.weights) : undefined;
}

/**
 * The model's predictions in one statement (columns as arrays, unnested by the server), with the drop of the
 * campaign's older models' predictions of candidates not evaluated since: the report checks each model against
 * the batch it chose, and the rest of the pool is the bulk of the rows.
 */
export async function putPredictions(
  db: Db,
  campaignId: string,
  modelId: string,
  mean: Float32Array,
  std: Float32Array,
  indices: readonly number[],
): Promise<void> {
  // the last of two predictions of one candidate wins, as SQLite's INSERT OR REPLACE has it
  const at = new Map(indices.map((idx, i) => [idx, i]));
  const rows = [...at.entries()];
  await query(
    db,
    `WITH dropped AS (
       DELETE FROM predictions p WHERE p.model_id IN (
           SELECT id FROM models WHERE campaign_id = $1 AND id <> $2 AND round < (SELECT round FROM models WHERE id = $2))
         AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.campaign_id = $1 AND e.idx = p.idx))
     INSERT INTO predictions (model_id, idx, mean, std)
     SELECT $2, t.idx, t.mean, t.std FROM unnest($3::integer[], $4::float8[], $5::float8[]) AS t(idx, mean, std)
     ON CONFLICT (model_id, idx) DO UPDATE SET mean = excluded.mean, std = excluded.std`,
    [
      campaignId,
      modelId,
      rows.map(([idx]) => idx),
      rows.map(([, i]) => mean[i] as number),
      rows.map(([, i]) => std[i] as number),
    ],
  );
}

export async function getPredictions(db: Db, modelId: string): Promise<Prediction[]> {
  return query<Prediction>(db, 'SELECT idx, mean, std FROM predictions WHERE model_id = $1 ORDER BY idx', [
    modelId,
  ]);
}

/** A model's members' predictions (Thompson sampling), as blobs; the campaign's older models' are dropped. */
export async function putPredictionSamples(
  db: Db,
  campaignId: string,
  modelId: string,
  members: readonly Float32Array[],
  indices: readonly number[],
): Promise<void> {
  const rows = indices.length;
  const packed = new Float32Array(members.length * rows);
  members.forEach((m, k) => {
    if (m.length !== rows) throw new Error(`member ${k} has ${m.length} predictions for ${rows} candidates`);
    packed.set(m, k * rows);
  });
  // typed arrays in the machine's byte order, as the SQLite store keeps them (little-endian everywhere cascade runs)
  await query(
    db,
    `WITH dropped AS (
       DELETE FROM prediction_samples WHERE model_id IN (SELECT id FROM models WHERE campaign_id = $1 AND id <> $2))
     INSERT INTO prediction_samples (model_id, n_members, n_rows, idx, samples) VALUES ($2, $3, $4, $5, $6)
     ON CONFLICT (model_id) DO UPDATE SET n_members = excluded.n_members, n_rows = excluded.n_rows,
       idx = excluded.idx, samples = excluded.samples`,
    [
      campaignId,
      modelId,
      members.length,
      rows,
      Buffer.from(Int32Array.from(indices).buffer),
      Buffer.from(packed.buffer),
    ],
  );
}

export async function getPredictionSamples(db: Db, modelId: string): Promise<PredictionSamples | undefined> {
  const [row] = await query<{ n_members: number; n_rows: number; idx: Buffer; samples: Buffer }>(
    db,
    'SELECT n_members, n_rows, idx, samples FROM prediction_samples WHERE model_id = $1',
    [modelId],
  );
  if (!row) return undefined;
  // copies: a Buffer may sit at an offset no typed array of 4-byte values can start at
  const indices = new Int32Array(new Uint8Array(row.idx).buffer);
  const packed = new Float32Array(new Uint8Array(row.samples).buffer);
  const members = Array.from({ length: row.n_members }, (_, k) =>
    packed.slice(k * row.n_rows, (k + 1) * row.n_rows),
  );
  return { indices, members };
}
