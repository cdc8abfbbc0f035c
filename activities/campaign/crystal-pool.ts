/**
 * A crystal pool: structure files (and folders of them) read in order, then the generated prototypes; each
 * crystal reduced to its standardised primitive cell, whose symmetry-invariant key is its identity (the same
 * crystal written two ways is one candidate, and one calculation). Filters drop cells with foreign elements,
 * too many atoms, or a formula no common oxidation states make neutral; every drop is counted by reason.
 */
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { CrystalsConfig } from '../../lib/campaign/crystal-pool-schema.js';
import type { CrystalCandidate } from '../../lib/domain/candidate.js';
import type { Crystal } from '../../lib/domain/geometry.js';
import { crystalProblem } from '../../qm/crystal/filters.js';
import { generateCrystals } from '../../qm/crystal/generate.js';
import { crystalFiles, readCrystalFile } from '../../qm/crystal/read.js';
import type { PoolRejection, PoolSummary, Store } from '../../store/store.js';
import { crystalIdentity } from '../chem/crystal-identity.js';
import { countRejection, savePool } from './pool.js';
import { yieldToEventLoop } from './yield.js';

interface RawCrystal {
  label: string;
  crystal: Crystal;
  /** Where it came from, for the pool summary: its place in the list of crystals read. */
  line: number;
  prototype?: string;
}

export async function readCrystalPool(
  store: Store,
  args: { campaignId: string; crystals: CrystalsConfig; source: string },
): Promise<PoolSummary> {
  const c = args.crystals;
  const raw = [...(await readFiles(c.files ?? [])), ...generated(c)];
  raw.forEach((r, i) => {
    r.line = i + 1;
  });
  const rejected: Record<string, number> = {};
  const rejections: Record<string, PoolRejection[]> = {};
  const seen = new Map<string, RawCrystal>();
  const pool: CrystalCandidate[] = [];
  for (const [i, r] of raw.entries()) {
    if (c.limit !== undefined && pool.length >= c.limit) break;
    if (i % 50 === 0) {
      heartbeat({ read: i, kept: pool.length });
      await yieldToEventLoop();
    }
    const id = await crystalIdentity(r.crystal, c.symprec).catch((e: unknown) => e as Error);
    if (id instanceof Error) {
      countRejection(rejected, rejections, r, { reason: 'no symmetry', detail: id.message });
      continue;
    }
    const why = crystalProblem(id.primitive, c.filters);
    if (why) {
      countRejection(rejected, rejections, r, why);
      continue;
    }
    const twin = seen.get(id.key);
    if (twin) {
      countRejection(rejected, rejections, r, {
        reason: 'duplicate',
        detail: `same crystal as #${twin.line} (${twin.label})`,
      });
      continue;
    }
    seen.set(id.key, r);
    pool.push({
      kind: 'crystal',
      idx: pool.length,
      label: r.label,
      key: id.key,
      structure: id.primitive,
      spaceGroup: id.spaceGroup,
      ...(r.prototype !== undefined && { prototype: r.prototype }),
    });
  }
  return savePool(store, args.campaignId, pool, {
    source: args.source,
    read: raw.length,
    rejected,
    rejections,
  });
}

/** The crystals of every file, a folder's files in name order; a file that cannot be read fails the campaign. */
async function readFiles(files: readonly string[]): Promise<RawCrystal[]> {
  const out: RawCrystal[] = [];
  try {
    for (const entry of files) {
      for (const f of await crystalFiles(entry)) {
        for (const { label, crystal } of await readCrystalFile(f)) out.push({ label, crystal, line: 0 });
      }
    }
  } catch (e) {
    // a wrong file stays wrong: fail now instead of after every retry
    throw ApplicationFailure.nonRetryable((e as Error).message, 'CrystalFileError');
  }
  return out;
}

function generated(c: CrystalsConfig): RawCrystal[] {
  if (!c.generate) return [];
  return generateCrystals(c.generate).map((g) => ({
    label: g.label,
    crystal: g.crystal,
    line: 0,
    prototype: g.prototype,
  }));
}
