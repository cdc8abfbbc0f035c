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

/** The data files in a directory; a part whose file is absent is undefined. */
export function readDatasetFiles(dir: string): { solids?: SolidRow[]; molecules?: MoleculeRow[] } {
  const read = <T>(name: string): T[] | undefined =>
    existsSync(path.join(dir, name)) ? readJsonl<T>(path.join(dir, name)) : undefined;
  return { solids: read<SolidRow>('solids.jsonl'), molecules: read<MoleculeRow>('molecules.jsonl') };
}

/** As readDatasetFiles, but a directory without either file is an error. */
export function readDataset(dir: string): { solids?: SolidRow[]; molecules?: MoleculeRow[] } {
  const data = readDatasetFiles(dir);
  if (!data.solids && !data.molecules) {
    throw new Error(
      `no data set in ${dir}: expected solids.jsonl and/or molecules.jsonl (make it with npm run cbs:generate)`,
    );
  }
  return data;
}
