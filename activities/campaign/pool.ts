/**
 * preparePool: reads the candidate file, canonicalises and filters with RDKit, and stores the pool (a crystal
 * pool: activities/campaign/crystal-pool.ts). Every candidate dropped is counted by reason, and the first few of
 * each reason are kept with their line and label.
 */
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { needsSaScore } from '../../lib/campaign/objectives.js';
import { poolSource } from '../../lib/campaign/pool-source.js';
import type { CampaignConfig, CandidatesConfig } from '../../lib/campaign/schema.js';
import type { Candidate, MoleculeCandidate } from '../../lib/domain/candidate.js';
import type { Usage } from '../../lib/domain/usage.js';
import type { PoolRejection, PoolSummary, Store } from '../../store/store.js';
import { inspectMolecule, type MoleculeInfo } from '../chem/rdkit.js';
import { saScore } from '../chem/sa-score.js';
import { CandidateFileError, candidateBatches, type RawCandidate } from '../pool/read.js';
import { measured } from '../usage.js';
import { readCrystalPool } from './crystal-pool.js';
import { yieldToEventLoop } from './yield.js';

export async function preparePool(
  store: Store,
  args: { campaignId: string; config: CampaignConfig },
): Promise<PoolSummary & { usage?: Usage }> {
  const existing = (await store.getCampaign(args.campaignId))?.pool;
  const source = poolSource(args.config);
  if (
    existing &&
    existing.source === source &&
    (await store.countCandidates(args.campaignId)) === existing.kept
  ) {
    return existing; // a retried or resumed campaign keeps its pool (and its candidate numbering)
  }
  const { crystals, candidates } = args.config;
  const { value: summary, usage } = await measured(() =>
    crystals
      ? readCrystalPool(store, { campaignId: args.campaignId, crystals, source })
      : readPool(store, { ...args, candidates: candidates as CandidatesConfig }),
  );
  await store.record({ campaignId: args.campaignId, round: 0, activity: 'pool:prepare', usage });
  return { ...summary, usage };
}

/** Molecules stored at once: the pool is written as it is read, never held whole. */
const STORE_BATCH = 16_384;

/**
 * Reads, checks, filters and stores the pool a batch at a time; the summary of what was kept and why the rest was
 * not. Past `limit`, the rest of the file is only counted (and its ids checked).
 */
async function readPool(
  store: Store,
  args: { campaignId: string; config: CampaignConfig; candidates: CandidatesConfig },
): Promise<PoolSummary> {
  const c = args.candidates;
  const f = c.filters;
  // an objective or constraint on the SA score needs it for every molecule (exact, so no surrogate learns it)
  const withSa = needsSaScore(args.config);
  const allowed = f.elements ? new Set([...f.elements, 'H']) : undefined;
  const rejected: Record<string, number> = {};
  const rejections: Record<string, PoolRejection[]> = {};
  const reject = (r: RawCandidate, why: Rejection) => countRejection(rejected, rejections, r, why);
  // canonical SMILES -> where it was first kept: the one thing held for every molecule (to drop duplicates)
  const seen = new Map<string, { line: number; label: string }>();
  let batch: MoleculeCandidate[] = [];
  let kept = 0;
  let read = 0;
  await store.putCandidates(args.campaignId, []); // a fresh pool: a retry starts again from the file's start
  try {
    for await (const rows of candidateBatches(c)) {
      for (const r of rows) {
        read++;
        if (c.limit !== undefined && kept >= c.limit) continue;
        if (read % 200 === 1) {
          heartbeat({ read: read - 1, kept });
          await yieldToEventLoop(); // RDKit calls are synchronous: let heartbeats and other activities breathe
        }
        const molecule = await checked(r, f, allowed, seen, withSa);
        if ('reason' in molecule) {
          reject(r, molecule);
          continue;
        }
        seen.set(molecule.smiles, { line: r.line, label: r.label });
        batch.push({ ...molecule, idx: kept++ });
        if (batch.length >= STORE_BATCH) {
          await store.appendCandidates(args.campaignId, batch);
          batch = [];
        }
      }
    }
  } catch (e) {
    // a file whose content is wrong stays wrong: fail the campaign now instead of after every retry
    if (e instanceof CandidateFileError && e.kind === 'invalid')
      throw ApplicationFailure.nonRetryable(e.message, 'CandidateFileError');
    throw e;
  }
  await store.appendCandidates(args.campaignId, batch);
  const summary: PoolSummary = { source: c.source, read, rejected, rejections, kept };
  await store.setPoolSummary(args.campaignId, summary);
  return summary;
}

/** The molecule as the pool keeps it (its index still to give), or why the filters drop it. */
async function checked(
  r: RawCandidate,
  f: CandidatesConfig['filters'],
  allowed: ReadonlySet<string> | undefined,
  seen: ReadonlyMap<string, { line: number; label: string }>,
  withSa: boolean,
): Promise<Omit<MoleculeCandidate, 'idx'> | Rejection> {
  const verdict = await inspectMolecule(r.molecule);
  if (!verdict.ok) return verdict;
  const m = verdict.molecule;
  const why = filterProblem(m, f, allowed, seen);
  if (why) return why;
  // after the cheap filters: the SA score costs ~1 ms a molecule (and the fragment table once, ~1 s)
  let sa: number | undefined;
  if (f.maxSAScore !== undefined || withSa) {
    const score = await saScore(m.canonical);
    const hard = synthesisProblem(score, f.maxSAScore ?? Number.POSITIVE_INFINITY);
    if (hard) return hard;
    sa = score ?? undefined; // never null here: synthesisProblem drops a molecule without a score
  }
  return {
    kind: 'molecule',
    label: r.label,
    smiles: m.canonical,
    heavyAtoms: m.heavyAtoms,
    ...(sa !== undefined && { saScore: sa }),
  };
}

/** Stores the pool and its summary: what was read, kept, and dropped by reason. */
export async function savePool(
  store: Store,
  campaignId: string,
  pool: Candidate[],
  seen: Omit<PoolSummary, 'kept'>,
): Promise<PoolSummary> {
  await store.putCandidates(campaignId, pool);
  const summary: PoolSummary = { ...seen, kept: pool.length };
  await store.setPoolSummary(campaignId, summary);
  return summary;
}

export interface Rejection {
  reason: string;
  detail: string;
}

/** The first rejections of each reason kept in the pool summary (the counts are complete). */
const REJECTIONS_KEPT = 5;

/** Counts a dropped candidate under its reason, keeping the first few of each reason with their line and label. */
export function countRejection(
  rejected: Record<string, number>,
  rejections: Record<string, PoolRejection[]>,
  r: { line: number; label: string },
  why: Rejection,
): void {
  rejected[why.reason] = (rejected[why.reason] ?? 0) + 1;
  const examples = rejections[why.reason] ?? [];
  if (examples.length < REJECTIONS_KEPT) examples.push({ line: r.line, label: r.label, why: why.detail });
  rejections[why.reason] = examples;
}

/** Why the candidate filters drop a molecule RDKit read, or undefined when it stays. */
function filterProblem(
  m: MoleculeInfo,
  f: CandidatesConfig['filters'],
  allowed: ReadonlySet<string> | undefined,
  seen: ReadonlyMap<string, { line: number; label: string }>,
): { reason: string; detail: string } | undefined {
  if (f.singleFragment && m.fragments > 1)
    return { reason: 'several fragments', detail: `${m.fragments} fragments` };
  if (f.neutralOnly && m.formalCharge !== 0)
    return { reason: 'charged', detail: `net charge ${m.formalCharge > 0 ? '+' : ''}${m.formalCharge}` };
  if (m.heavyAtoms > f.maxHeavyAtoms)
    return { reason: 'too many heavy atoms', detail: `${m.heavyAtoms} heavy atoms (max ${f.maxHeavyAtoms})` };
  if (m.heavyAtoms < f.minHeavyAtoms)
    return { reason: 'too few heavy atoms', detail: `${m.heavyAtoms} heavy atoms (min ${f.minHeavyAtoms})` };
  const foreign = allowed && m.elements.filter((e) => !allowed.has(e));
  if (foreign?.length) return { reason: 'element not allowed', detail: `${foreign.join(', ')} not allowed` };
  const twin = seen.get(m.canonical);
  if (twin) return { reason: 'duplicate', detail: `same molecule as line ${twin.line} (${twin.label})` };
  return undefined;
}

/**
 * Why `filters.maxSAScore` drops a molecule with this SA score, or undefined when it stays. A molecule that RDKit
 * read but the SA score could not (null) is dropped: the filter was asked for, so nothing passes it unchecked.
 */
export function synthesisProblem(
  score: number | null,
  maxSAScore: number,
): { reason: string; detail: string } | undefined {
  if (score === null) return { reason: 'no SA score', detail: 'RDKit could not compute its SA score' };
  if (score <= maxSAScore) return undefined;
  const shown = Number(score.toFixed(1)) > maxSAScore ? score.toFixed(1) : score.toFixed(3); // never "5.0 > 5"
  return { reason: 'hard to synthesise', detail: `SA score ${shown} > ${maxSAScore}` };
}
