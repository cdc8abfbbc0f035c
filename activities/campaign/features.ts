/**
 * Pool features, cached in the store per (featurizer spec, candidate identity): computed once per candidate.
 * Molecules: Morgan fingerprint bits and RDKit descriptors (activities/ml/features.ts); crystals: composition
 * statistics, structure descriptors and the crystal system (lib/chem/structure-features.ts).
 *
 * A pool's features are bit-packed rows (lib/surrogate/pool-rows.ts): the fingerprint one bit per bit, the rest
 * float32, so a million molecules fit in a few hundred MB; the pool is read from the store and the cache a page at
 * a time. A cached row is the same packed form (./feature-rows.ts).
 */
import { createHash } from 'node:crypto';
import { CRYSTAL_FEATURE_NAMES, crystalFeatures } from '../../lib/chem/structure-features.js';
import { type Candidate, identity } from '../../lib/domain/candidate.js';
import { type PackedRows, packedRows, packRow, unpackRows } from '../../lib/surrogate/pool-rows.js';
import type { Store } from '../../store/store.js';
import { DESCRIPTORS, featurize } from '../ml/features.js';
import { decodeRow, encodeRow, type RowShape } from './feature-rows.js';
import { yieldToEventLoop } from './yield.js';

export interface FeatureSpec {
  morganRadius: number;
  morganBits: number;
  descriptors: boolean;
}

/** A pool's feature matrix: row r is the r-th candidate asked for. */
export interface PoolFeatures {
  packed: PackedRows;
  nFeatures: number;
}

/** 2: rows cached bit-packed (version 1 rows were a float per column). */
const FEATURIZER_VERSION = 2;
const CRYSTAL_FEATURIZER_VERSION = 2;
/** Candidates read from the store, and looked up in the cache, at once: bounds what a page holds in memory. */
const PAGE = 16_384;
/**
 * Molecules featurised per call: enough for featurize() to split them across threads (it does from 1,000) and for
 * the threads' start (~0.25 s each, RDKit's initialisation) to be a few percent of the call.
 */
const CHUNK = 16_384;

/** Features of the campaign's whole pool, row r = pool index r, read a page of candidates at a time. */
export async function campaignFeatures(
  store: Store,
  campaignId: string,
  spec: FeatureSpec,
  onChunk?: () => void,
): Promise<PoolFeatures> {
  const n = await store.countCandidates(campaignId);
  return featuresOfPages(
    store,
    n,
    async (start, count) =>
      store.getCandidates(
        campaignId,
        Array.from({ length: count }, (_, i) => start + i),
      ),
    spec,
    onChunk,
  );
}

/** Features of these candidates, row r = candidates[r], bit-packed. */
export async function packedFeatures(
  store: Store,
  candidates: readonly Candidate[],
  spec: FeatureSpec,
  onChunk?: () => void,
): Promise<PoolFeatures> {
  return featuresOfPages(
    store,
    candidates.length,
    async (start, count) => candidates.slice(start, start + count),
    spec,
    onChunk,
  );
}

/**
 * Features of these candidates as a dense row-major matrix, row r = candidates[r]: for the few rows of a
 * shortlist, and the models that take dense rows only (the failure and class classifiers).
 */
export async function poolFeatures(
  store: Store,
  candidates: readonly Candidate[],
  spec: FeatureSpec,
  onChunk?: () => void,
): Promise<{ matrix: Float32Array; nFeatures: number }> {
  const { packed, nFeatures } = await packedFeatures(store, candidates, spec, onChunk);
  return { matrix: unpackRows(packed, 0, packed.rows), nFeatures };
}

async function featuresOfPages(
  store: Store,
  n: number,
  page: (start: number, count: number) => Promise<readonly Candidate[]>,
  spec: FeatureSpec,
  onChunk?: () => void,
): Promise<PoolFeatures> {
  let packed: PackedRows | undefined;
  for (let start = 0; start < n; start += PAGE) {
    const candidates = await page(start, Math.min(PAGE, n - start));
    const shape = shapeOf(candidates[0] as Candidate, spec);
    packed ??= packedRows(n, shape.nBits, shape.nDense);
    await fillPage(store, candidates, spec, shape, packed, start, onChunk);
  }
  packed ??= packedRows(0, 0, 0);
  return { packed, nFeatures: packed.nBits + packed.nDense };
}

/** Rows start.. of `packed` for these candidates: from the cache, else computed and cached. */
async function fillPage(
  store: Store,
  candidates: readonly Candidate[],
  spec: FeatureSpec,
  shape: RowShape,
  packed: PackedRows,
  start: number,
  onChunk?: () => void,
): Promise<void> {
  const keys = candidates.map((c) => keyOf(c, spec));
  const cached = await store.getFeatures(keys);
  const missing: number[] = [];
  keys.forEach((key, i) => {
    const row = cached.get(key);
    if (row) decodeRow(row, shape, packed, start + i);
    else missing.push(i);
  });
  for (let from = 0; from < missing.length; from += CHUNK) {
    await yieldToEventLoop(); // RDKit is synchronous on small chunks: keep heartbeats flowing between them
    const chunk = missing.slice(from, from + CHUNK);
    const computed = await featuresOf(
      chunk.map((i) => candidates[i] as Candidate),
      spec,
    );
    const fresh = chunk.map((i, j) => {
      packRow(packed, start + i, computed[j] as Float32Array);
      return { key: keys[i] as string, features: encodeRow(packed, start + i) };
    });
    await store.putFeatures(fresh);
    onChunk?.();
  }
  if (missing.length === 0) onChunk?.();
}

function shapeOf(c: Candidate, spec: FeatureSpec): RowShape {
  if (c.kind === 'crystal') return { nBits: 0, nDense: CRYSTAL_FEATURE_NAMES.length };
  return { nBits: spec.morganBits, nDense: spec.descriptors ? DESCRIPTORS.length : 0 };
}

function keyOf(c: Candidate, spec: FeatureSpec): string {
  // a crystal's features do not depend on the molecular spec
  const tag =
    c.kind === 'crystal'
      ? JSON.stringify({ v: CRYSTAL_FEATURIZER_VERSION, kind: 'crystal' })
      : JSON.stringify({ v: FEATURIZER_VERSION, ...spec });
  return createHash('sha256').update(tag).update('\0').update(identity(c)).digest('hex');
}

/** One dense row per candidate (a campaign's pool holds one kind). */
async function featuresOf(chunk: readonly Candidate[], spec: FeatureSpec): Promise<Float32Array[]> {
  if (chunk.every((c) => c.kind === 'crystal')) {
    return chunk.map((c) =>
      Float32Array.from(
        crystalFeatures(c.structure, c.spaceGroup === undefined ? {} : { spaceGroup: c.spaceGroup }),
      ),
    );
  }
  const smiles = chunk.map((c) => {
    if (c.kind !== 'molecule') throw new Error('a pool holds molecules or crystals, not both');
    return c.smiles;
  });
  const f = await featurize(smiles, spec);
  return smiles.map((_, j) => f.matrix.subarray(j * f.nFeatures, (j + 1) * f.nFeatures));
}
