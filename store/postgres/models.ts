import { modelDescriptionFrom, modelMetricsFrom } from '../../lib/surrogate/model.js';
import {
  filterColumns,
  fromBlobs,
  type PredictionBlobs,
  toBlobs,
  toColumns,
  toPredictions,
} from '../prediction-columns.js';
import type { ModelRecord, Prediction, PredictionColumns, PredictionSamples } from '../store.js';
import { type Db, query, type Sql, transaction } from './db.js';

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
 * The model's predictions as one row of blobs, and the drop of the campaign's older models' predictions of
 * candidates not evaluated since (the report checks each model against the batch it chose; the rest of the pool
 * is the bulk of the bytes), in one transaction.
 */
export async function putPredictions(
  db: Db,
  campaignId: string,
  modelId: string,
  mean: Float32Array,
  std: Float32Array,
  indices: ArrayLike<number>,
): Promise<void> {
  const blobs = toBlobs(toColumns(mean, std, indices));
  await transaction(db, async (c) => {
    const older = await query<StoredColumns & { id: string }>(
      c,
      `SELECT p.model_id AS id, p.n_rows AS rows, p.idx, p.mean, p.std FROM prediction_columns p
         JOIN models m ON m.id = p.model_id
       WHERE m.campaign_id = $1 AND m.id <> $2 AND m.round < (SELECT round FROM models WHERE id = $2)`,
      [campaignId, modelId],
    );
    if (older.length > 0) {
      const evaluated = new Set(
        (
          await query<{ idx: number }>(c, 'SELECT DISTINCT idx FROM evaluations WHERE campaign_id = $1', [
            campaignId,
          ])
        ).map((r) => r.idx),
      );
      for (const row of older) {
        const kept = filterColumns(fromBlobs(row), (idx) => evaluated.has(idx));
        if (kept.indices.length === row.rows) continue; // already only evaluated ones
        if (kept.indices.length === 0)
          await query(c, 'DELETE FROM prediction_columns WHERE model_id = $1', [row.id]);
        else await writeColumns(c, row.id, toBlobs(kept));
      }
    }
    await writeColumns(c, modelId, blobs);
  });
}

interface StoredColumns {
  rows: number;
  idx: Buffer | null;
  mean: Buffer;
  std: Buffer;
}

async function writeColumns(sql: Sql, modelId: string, b: PredictionBlobs): Promise<void> {
  await query(
    sql,
    `INSERT INTO prediction_columns (model_id, n_rows, idx, mean, std) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (model_id) DO UPDATE SET n_rows = excluded.n_rows, idx = excluded.idx, mean = excluded.mean,
       std = excluded.std`,
    [modelId, b.rows, b.idx, b.mean, b.std],
  );
}

export async function getPredictionColumns(db: Db, modelId: string): Promise<PredictionColumns | undefined> {
  const [row] = await query<StoredColumns>(
    db,
    'SELECT n_rows AS rows, idx, mean, std FROM prediction_columns WHERE model_id = $1',
    [modelId],
  );
  return row ? fromBlobs(row) : undefined;
}

export async function getPredictions(db: Db, modelId: string): Promise<Prediction[]> {
  return toPredictions(await getPredictionColumns(db, modelId));
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
