/**
 * What `cascade validate` and `cascade launch` know about a candidates file before anything starts: the same
 * reader the campaign uses (so a file it would refuse is refused now, with its name and line), the number of
 * molecules, and the first ones too large for RDKit. RDKit itself is not loaded: the pool's filters run in the
 * campaign, and report every molecule they drop (`cascade status`).
 */
import type { CandidatesConfig } from '../../lib/campaign/schema.js';
import type { PoolRejection } from '../../store/store.js';
import { sizeProblem } from '../chem/rdkit.js';
import { candidateBatches, formatOf } from './read.js';

export interface CandidatesCheck {
  source: string;
  format: 'smi' | 'csv' | 'sdf';
  molecules: number;
  /** Molecules the pool will reject as too large, with the first few. */
  tooLarge: number;
  firstTooLarge: PoolRejection[];
}

const SHOWN = 3;

/** Reads the candidates file as the campaign will; throws CandidateFileError for a file it would refuse. */
export async function checkCandidates(c: CandidatesConfig): Promise<CandidatesCheck> {
  const firstTooLarge: PoolRejection[] = [];
  let tooLarge = 0;
  let molecules = 0;
  // a batch at a time, as the pool is read: a million-molecule file is never a million objects at once
  for await (const rows of candidateBatches(c)) {
    molecules += rows.length;
    for (const r of rows) {
      const why = sizeProblem(r.molecule);
      if (!why) continue;
      tooLarge++;
      if (firstTooLarge.length < SHOWN) firstTooLarge.push({ line: r.line, label: r.label, why });
    }
  }
  return { source: c.source, format: formatOf(c), molecules, tooLarge, firstTooLarge };
}

/** "candidates: 11 molecules in FILE (smi); 1 too large for RDKit: FILE:6 (chain) 800 atoms (limit 300)". */
export function describeCheck(k: CandidatesCheck): string {
  const lines = [`candidates: ${k.molecules} molecule(s) in ${k.source} (${k.format})`];
  if (k.tooLarge > 0) {
    lines.push(`  ${k.tooLarge} too large for RDKit, rejected when the pool is prepared:`);
    for (const r of k.firstTooLarge) lines.push(`    ${k.source}:${r.line} (${r.label}) ${r.why}`);
  }
  return lines.join('\n');
}
