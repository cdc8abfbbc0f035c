/** Reads the data set's JSONL files (data/cbs/). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { MoleculeRow, SolidRow } from '../../lib/cbs/rows.js';

export function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
      }
    });
}

export function readDataset(dir: string): { solids?: SolidRow[]; molecules?: MoleculeRow[] } {
  const solids = path.join(dir, 'solids.jsonl');
  const molecules = path.join(dir, 'molecules.jsonl');
  if (!existsSync(solids) && !existsSync(molecules)) {
    throw new Error(
      `no data set in ${dir}: expected solids.jsonl and/or molecules.jsonl (make it with npm run cbs:generate)`,
    );
  }
  return {
    solids: existsSync(solids) ? readJsonl<SolidRow>(solids) : undefined,
    molecules: existsSync(molecules) ? readJsonl<MoleculeRow>(molecules) : undefined,
  };
}
