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
import { CandidateFileError, type RawCandidate, readCandidates } from '../pool/read.js';
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

/** Reads, checks, filters and stores the pool; the summary of what was kept and why the rest was not. */
async function readPool(
  store: Store,
  args: { campaignId: string; config: CampaignConfig; candidates: CandidatesConfig },
): Promise<PoolSummary> {
  const c = args.candidates;
  const raw = await readCandidates(c).catch((e: unknown) => {
    // a file whose content is wrong stays wrong: fail the campaign now instead of after every retry
    if (e instanceof CandidateFileError && e.kind === 'invalid')
      throw ApplicationFailure.nonRetryable(e.message, 'CandidateFileError');
    throw e;
  });
  const f = c.filters;
  // an objective or constraint on the SA score needs it for every molecule (exact, so no surrogate learns it)
  const withSa = needsSaScore(args.config);
  const allowed = f.elements ? new Set([...f.elements, 'H']) : undefined;
  const rejected: Record<string, number> = {};
  const rejections: Record<string, PoolRejection[]> = {};
  const reject = (r: RawCandidate, why: Rejection) => countRejection(rejected, rejections, r, why);
  const seen = new Map<string, RawCandidate>();
  const pool: MoleculeCandidate[] = [];
  for (const [i, r] of raw.entries()) {
    if (c.limit !== undefined && pool.length >= c.limit) break;
    if (i % 200 === 0) {
      heartbeat({ read: i, kept: pool.length });
      await yieldToEventLoop(); // RDKit calls are synchronous: let heartbeats and other activities breathe
    }
    const verdict = await inspectMolecule(r.molecule);
    if (!verdict.ok) {
      reject(r, verdict);
      continue;
    }
    const m = verdict.molecule;
    const why = filterProblem(m, f, allowed, seen);
    if (why) {
      reject(r, why);
      continue;
    }
    // after the cheap filters: the SA score costs ~1 ms a molecule (and the fragment table once, ~1 s)
    let sa: number | undefined;
    if (f.maxSAScore !== undefined || withSa) {
      const score = await saScore(m.canonical);
      const hard = synthesisProblem(score, f.maxSAScore ?? Number.POSITIVE_INFINITY);
      if (hard) {
        reject(r, hard);
        continue;
      }
      sa = score ?? undefined; // never null here: synthesisProblem drops a molecule without a score
    }
    seen.set(m.canonical, r);
    pool.push({
      kind: 'molecule',
      idx: pool.length,
      label: r.label,
      smiles: m.canonical,
      heavyAtoms: m.heavyAtoms,
      ...(sa !== undefined && { saScore: sa }),
    });
  }
  return savePool(store, args.campaignId, pool, { source: c.source, read: raw.length, rejected, rejections });
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
  seen: ReadonlyMap<string, RawCandidate>,
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
