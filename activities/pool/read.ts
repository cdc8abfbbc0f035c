/** Reads a candidate file (SMILES, CSV or SDF) into labelled SMILES, with a clear error naming the place. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { CandidatesConfig } from '../../lib/campaign/schema.js';

export interface RawCandidate {
  label: string;
  /** SMILES, or an MDL molblock for SDF input (converted by the caller through RDKit). */
  molecule: string;
  line: number;
}

export class CandidateFileError extends Error {
  override name = 'CandidateFileError';
}

export function formatOf(c: Pick<CandidatesConfig, 'source' | 'format'>): 'smi' | 'csv' | 'sdf' {
  if (c.format !== 'auto') return c.format;
  const ext = path.extname(c.source).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.sdf' || ext === '.sd' || ext === '.mol') return 'sdf';
  return 'smi';
}

export async function readCandidates(c: CandidatesConfig): Promise<RawCandidate[]> {
  let text: string;
  try {
    text = await readFile(c.source, 'utf8');
  } catch (e) {
    throw new CandidateFileError(`cannot read candidates file ${c.source}: ${(e as Error).message}`);
  }
  const format = formatOf(c);
  if (format === 'csv') return fromCsv(text, c);
  if (format === 'sdf') return fromSdf(text, c);
  return fromSmi(text);
}

/** One molecule per line: `SMILES [name...]`; `#` starts a comment. */
function fromSmi(text: string): RawCandidate[] {
  const out: RawCandidate[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [smiles, ...rest] = line.split(/\s+/);
    out.push({ molecule: smiles as string, label: rest.join(' ') || `line${i + 1}`, line: i + 1 });
  });
  return out;
}

function fromCsv(text: string, c: CandidatesConfig): RawCandidate[] {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
    string,
    string
  >[];
  const first = rows[0];
  if (first && !(c.smilesColumn in first)) {
    throw new CandidateFileError(
      `${c.source}: no column "${c.smilesColumn}" (columns: ${Object.keys(first).join(', ')}); set candidates.smilesColumn`,
    );
  }
  if (first && c.idColumn && !(c.idColumn in first)) {
    throw new CandidateFileError(
      `${c.source}: no column "${c.idColumn}" (columns: ${Object.keys(first).join(', ')})`,
    );
  }
  return rows.map((r, i) => ({
    molecule: r[c.smilesColumn] ?? '',
    label: (c.idColumn ? r[c.idColumn] : undefined) || `row${i + 1}`,
    line: i + 2,
  }));
}

function fromSdf(text: string, c: CandidatesConfig): RawCandidate[] {
  const out: RawCandidate[] = [];
  const lines = text.split(/\r?\n/);
  let record: string[] = [];
  let start = 1;
  lines.forEach((line, i) => {
    if (!/^\$\$\$\$\s*$/.test(line)) {
      record.push(line);
      return;
    }
    // the first line of a record is its title, and may be empty: never strip it
    if (record.some((l) => l.trim())) out.push(sdfRecord(record, start, c, out.length));
    record = [];
    start = i + 2;
  });
  if (record.some((l) => l.trim())) out.push(sdfRecord(record, start, c, out.length));
  return out;
}

function sdfRecord(lines: string[], start: number, c: CandidatesConfig, n: number): RawCandidate {
  const end = lines.findIndex((l) => l.startsWith('M  END'));
  if (end < 0) throw new CandidateFileError(`${c.source}:${start}: SDF record without "M  END"`);
  const molblock = lines.slice(0, end + 1).join('\n');
  const title = lines[0]?.trim();
  let prop: string | undefined;
  if (c.idColumn) {
    const header = lines.findIndex((l, i) => i > end && l.startsWith('>') && l.includes(`<${c.idColumn}>`));
    prop = header >= 0 ? lines[header + 1]?.trim() : undefined;
  }
  return { molecule: molblock, label: prop || title || `record${n + 1}`, line: start };
}
