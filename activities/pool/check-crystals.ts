/**
 * What `cascade validate` and `cascade launch` know about a crystal pool before anything starts: every structure
 * file read as the campaign will read it (a file it would refuse is refused now, with its name), and how many
 * crystals the files and the generator give before symmetry reduction and filters (which run in the campaign
 * and report every crystal they drop: `cascade status`).
 */
import type { CrystalsConfig } from '../../lib/campaign/crystal-pool-schema.js';
import { generateCrystals } from '../../qm/crystal/generate.js';
import { crystalFiles, readCrystalFile } from '../../qm/crystal/read.js';

export interface CrystalsCheck {
  files: number;
  fromFiles: number;
  generated: number;
}

/** Throws an Error naming the file for a file the campaign would refuse. */
export async function checkCrystals(c: CrystalsConfig): Promise<CrystalsCheck> {
  let files = 0;
  let fromFiles = 0;
  for (const entry of c.files ?? []) {
    for (const f of await crystalFiles(entry)) {
      files++;
      fromFiles += (await readCrystalFile(f)).length;
    }
  }
  const generated = c.generate ? generateCrystals(c.generate).length : 0;
  return { files, fromFiles, generated };
}

/** "crystals: 3 from 2 file(s), 120 generated; symmetry and filters run when the pool is prepared". */
export function describeCrystalsCheck(k: CrystalsCheck): string {
  const parts = [];
  if (k.files > 0) parts.push(`${k.fromFiles} from ${k.files} file(s)`);
  if (k.generated > 0) parts.push(`${k.generated} generated`);
  return `crystals: ${parts.join(', ')}; duplicates (by symmetry) and filters are dropped when the pool is prepared`;
}
