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
import { type Db, now, statement } from './db.js';

export function putModel(db: Db, m: ModelRecord, weights: Uint8Array): void {
  statement(
    db,
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

/**
 * The latest model of the campaign's (first) objective, or with `property`, the latest of the surrogates a
 * multi-objective or constrained campaign trains for that property (their descriptions name it).
 */
export function latestModel(db: Db, campaignId: string, property?: string): ModelRecord | undefined {
  const row = (
    property === undefined
      ? statement(
          db,
          `SELECT * FROM models WHERE campaign_id = ? AND json_extract(description_json, '$.property') IS NULL
           ORDER BY round DESC, created_at DESC LIMIT 1`,
        ).get(campaignId)
      : statement(
          db,
          `SELECT * FROM models WHERE campaign_id = ? AND json_extract(description_json, '$.property') = ?
           ORDER BY round DESC, created_at DESC LIMIT 1`,
        ).get(campaignId, property)
  ) as Record<string, string | number> | undefined;
  if (!row) return undefined;
  return {
    id: String(row.id),
    campaignId: String(row.campaign_id),
    round: Number(row.round),
    kind: String(row.kind),
    backend: String(row.backend),
    description: modelDescriptionFrom(JSON.parse(String(row.description_json)), {
      kind: String(row.kind),
      backend: String(row.backend),
    }),
    metrics: modelMetricsFrom(JSON.parse(String(row.metrics_json))),
  };
}

export function getModelWeights(db: Db, id: string): Uint8Array | undefined {
  const row = statement(db, 'SELECT weights FROM models WHERE id = ?').get(id) as
    | { weights: Buffer }
    | undefined;
  return row ? new Uint8Array(row.weights) : undefined;
}

export function putPredictions(
  db: Db,
  campaignId: string,
  modelId: string,
  mean: Float32Array,
  std: Float32Array,
  indices: ArrayLike<number>,
): void {
  const blobs = toBlobs(toColumns(mean, std, indices));
  db.transaction(() => {
    // an older model's predictions of candidates evaluated since stay: the report checks each model against the
    // batch it chose; the rest of the pool is dropped (the bulk of the bytes)
    const older = statement(
      db,
      `SELECT p.model_id AS id, p.rows, p.idx, p.mean, p.std FROM prediction_columns p JOIN models m ON m.id = p.model_id
       WHERE m.campaign_id = ? AND m.id != ? AND m.round < (SELECT round FROM models WHERE id = ?)`,
    ).all(campaignId, modelId, modelId) as (StoredColumns & { id: string })[];
    if (older.length > 0) {
      const evaluated = new Set(
        statement(db, 'SELECT DISTINCT idx FROM evaluations WHERE campaign_id = ?')
          .pluck()
          .all(campaignId) as number[],
      );
      for (const row of older) {
        const kept = filterColumns(fromBlobs(row), (idx) => evaluated.has(idx));
        if (kept.indices.length === row.rows) continue; // already only evaluated ones
        if (kept.indices.length === 0) statement(db, DELETE_COLUMNS).run(row.id);
        else writeColumns(db, row.id, toBlobs(kept));
      }
    }
    writeColumns(db, modelId, blobs);
  })();
}

interface StoredColumns {
  rows: number;
  idx: Buffer | null;
  mean: Buffer;
  std: Buffer;
}

const DELETE_COLUMNS = 'DELETE FROM prediction_columns WHERE model_id = ?';

function writeColumns(db: Db, modelId: string, b: PredictionBlobs): void {
  statement(
    db,
    'INSERT OR REPLACE INTO prediction_columns (model_id, rows, idx, mean, std) VALUES (?, ?, ?, ?, ?)',
  ).run(modelId, b.rows, b.idx, b.mean, b.std);
}

export function getPredictionColumns(db: Db, modelId: string): PredictionColumns | undefined {
  const row = statement(db, 'SELECT rows, idx, mean, std FROM prediction_columns WHERE model_id = ?').get(
    modelId,
  ) as StoredColumns | undefined;
  return row ? fromBlobs(row) : undefined;
}

export function getPredictions(db: Db, modelId: string): Prediction[] {
  return toPredictions(getPredictionColumns(db, modelId));
}

/** A model's members' predictions (Thompson sampling), as blobs; the campaign's older models' are dropped. */
export function putPredictionSamples(
  db: Db,
  campaignId: string,
  modelId: string,
  members: readonly Float32Array[],
  indices: readonly number[],
): void {
  const rows = indices.length;
  const packed = new Float32Array(members.length * rows);
  members.forEach((m, k) => {
    if (m.length !== rows) throw new Error(`member ${k} has ${m.length} predictions for ${rows} candidates`);
    packed.set(m, k * rows);
  });
  db.transaction(() => {
    db.prepare(
      'DELETE FROM prediction_samples WHERE model_id IN (SELECT id FROM models WHERE campaign_id = ? AND id != ?)',
    ).run(campaignId, modelId);
    statement(
      db,
      'INSERT OR REPLACE INTO prediction_samples (model_id, members, rows, idx, samples) VALUES (?, ?, ?, ?, ?)',
    ).run(
      modelId,
      members.length,
      rows,
      Buffer.from(Int32Array.from(indices).buffer),
      Buffer.from(packed.buffer),
    );
  })();
}

export function getPredictionSamples(db: Db, modelId: string): PredictionSamples | undefined {
  const row = statement(
    db,
    'SELECT members, rows, idx, samples FROM prediction_samples WHERE model_id = ?',
  ).get(modelId) as { members: number; rows: number; idx: Buffer; samples: Buffer } | undefined;
  if (!row) return undefined;
  // copies: a Buffer from SQLite may sit at an offset no typed array of 4-byte values can start at
  const indices = new Int32Array(new Uint8Array(row.idx).buffer);
  const packed = new Float32Array(new Uint8Array(row.samples).buffer);
  const members = Array.from({ length: row.members }, (_, k) =>
    packed.slice(k * row.rows, (k + 1) * row.rows),
  );
  return { indices, members };
}
