/**
 * Reads the data set's JSONL files (data/cbs/). A file given in a config (`cbs.data`) may be any path, so a
 * problem is reported by file, line and what was expected, never with the line's text: V8's JSON errors quote
 * the input ("Unexpected token 'r', \"root:x:0:0\"... is not valid JSON"), and a message travels into
 * Temporal failures, logs and the Web UI.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MoleculeRow, SolidRow } from '../../lib/cbs/rows.js';

/** Far above any data set cascade makes (data/cbs/ holds well under 1 MB): a wrong path fails fast. */
const MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;

const EXPECTED = 'expected one JSON object per line (JSON Lines, as cascade cbs generate writes)';

export function readJsonl<T>(file: string): T[] {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error(`${file}: not a regular file; ${EXPECTED}`);
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${file}: no such file; ${EXPECTED}`);
    if (code === 'EACCES') throw new Error(`${file}: not readable (permission denied)`);
    throw e;
  }
  if (size > MAX_DATA_FILE_BYTES)
    throw new Error(`${file}: ${size} bytes, more than the ${MAX_DATA_FILE_BYTES} a data set may have`);
  const rows: T[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch (e) {
        // keep only where it broke: the message itself may quote the line
        const at = /at position (\d+)/.exec((e as Error).message)?.[1];
        const where = at === undefined ? '' : ` (column ${Number(at) + 1})`;
        throw new Error(`${file}:${i + 1}: not valid JSON${where}; ${EXPECTED}`);
      }
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        const got = row === null ? 'null' : Array.isArray(row) ? 'an array' : `a ${typeof row}`;
        throw new Error(`${file}:${i + 1}: ${EXPECTED}, got ${got}`);
      }
      rows.push(row as T);
    });
  return rows;
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
