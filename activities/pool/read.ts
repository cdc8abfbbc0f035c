/**
 * Reads a candidate file (SMILES, CSV or SDF) into labelled SMILES, with a clear error naming the place.
 * What is wrong with the file as a whole (unreadable, too big, binary, UTF-16, not UTF-8, a ragged CSV, an id
 * used twice) is a CandidateFileError naming the file and, where there is one, the line; its message never
 * quotes the file beyond the offending field, so a wrong `source` (say /etc/passwd) does not leak its lines.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CsvError, parse as parseCsv } from 'csv-parse';
import type { CandidatesConfig } from '../../lib/campaign/schema.js';

export interface RawCandidate {
  label: string;
  /** SMILES, or an MDL molblock for SDF input (converted by the caller through RDKit). */
  molecule: string;
  line: number;
}

/**
 * Larger files are refused: the file's text is read into memory whole (its candidates are then parsed a batch at a
 * time, never all at once), and 100 MiB is over a million SMILES.
 */
export const MAX_CANDIDATE_FILE_BYTES = 100 * 1024 * 1024;

export class CandidateFileError extends Error {
  override name = 'CandidateFileError';
  /**
   * `unreadable`: the file could not be opened or read (it may appear, or another machine may see it);
   * `invalid`: its content is wrong, and reading it again gives the same answer.
   */
  constructor(
    message: string,
    readonly kind: 'unreadable' | 'invalid' = 'invalid',
  ) {
    super(message);
  }
}

export function formatOf(c: Pick<CandidatesConfig, 'source' | 'format'>): 'smi' | 'csv' | 'sdf' {
  if (c.format !== 'auto') return c.format;
  const ext = path.extname(c.source).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.sdf' || ext === '.sd' || ext === '.mol') return 'sdf';
  return 'smi';
}

/** Candidates handed out at once by candidateBatches unless asked otherwise. */
const BATCH = 4096;

/**
 * The file's candidates in file order, `size` at a time, parsed as they are taken: a million-molecule pool is never
 * a million objects at once. The whole file's problems (unreadable, too big, binary, not UTF-8) are found before
 * the first batch; a line's (a ragged CSV row, an id used twice) when its batch is reached.
 */
export async function* candidateBatches(
  c: CandidatesConfig,
  size = BATCH,
): AsyncGenerator<RawCandidate[], void, undefined> {
  const text = decodeText(await readBytes(c.source), c.source);
  const format = formatOf(c);
  const rows = format === 'csv' ? fromCsv(text, c) : format === 'sdf' ? fromSdf(text, c) : fromSmi(text);
  const ids = new Map<string, number>();
  let batch: RawCandidate[] = [];
  for await (const r of rows) {
    refuseDuplicateId(ids, r, c.source);
    batch.push(r);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function readBytes(source: string): Promise<Buffer> {
  try {
    const s = await stat(source);
    if (s.isDirectory()) throw new Error('it is a directory, not a file');
    if (s.size > MAX_CANDIDATE_FILE_BYTES) {
      throw new CandidateFileError(
        `candidates file ${source} is ${mib(s.size)} MiB; the limit is ${mib(MAX_CANDIDATE_FILE_BYTES)} MiB: split it into several campaigns`,
      );
    }
    return await readFile(source);
  } catch (e) {
    if (e instanceof CandidateFileError) throw e;
    throw new CandidateFileError(
      `cannot read candidates file ${source}: ${(e as Error).message}`,
      'unreadable',
    );
  }
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** How much of the start of a file is sniffed for binary content and UTF-16. */
const SNIFF_BYTES = 64 * 1024;

/**
 * The file as UTF-8 text (a UTF-8 byte-order mark dropped), or a CandidateFileError saying what it is instead:
 * UTF-16 (a byte-order mark, or NUL in every other byte), binary (NUL bytes or mostly control characters), or
 * another 8-bit encoding such as Latin-1 (invalid UTF-8), with the line of the first byte that is not UTF-8.
 */
export function decodeText(bytes: Buffer, source: string): string {
  const utf16 =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? 'UTF-16 (little-endian byte-order mark)'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'UTF-16 (big-endian byte-order mark)'
        : undefined;
  if (utf16) throw new CandidateFileError(`${source}: ${utf16}; ${SAVE_AS_UTF8}`);
  const sample = bytes.subarray(0, SNIFF_BYTES);
  let nul = 0;
  let nulOdd = 0;
  let control = 0;
  for (const [i, b] of sample.entries()) {
    if (b === 0) {
      nul++;
      if (i % 2 === 1) nulOdd++;
    } else if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) control++;
  }
  if (nul > 0) {
    // ASCII in UTF-16 has a NUL in every other byte, all on the same side
    const half = sample.length / 2;
    if (nul > half * 0.8 && (nulOdd > nul * 0.95 || nulOdd < nul * 0.05)) {
      throw new CandidateFileError(`${source}: looks like UTF-16 (every other byte is NUL); ${SAVE_AS_UTF8}`);
    }
    throw new CandidateFileError(
      `${source}: not a text file (NUL bytes, first at byte ${sample.indexOf(0)}); a candidates file is SMILES, CSV or SDF text`,
    );
  }
  if (control > sample.length * 0.05) {
    throw new CandidateFileError(
      `${source}: not a text file (${control} control characters in its first ${sample.length} bytes); a candidates file is SMILES, CSV or SDF text`,
    );
  }
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(body);
    const at = lenient.indexOf('\uFFFD');
    const line = lenient.slice(0, at).split('\n').length;
    const byte = body[Buffer.byteLength(lenient.slice(0, at))] ?? 0;
    throw new CandidateFileError(
      `${source}:${line}: not UTF-8 (byte 0x${byte.toString(16).toUpperCase()}): probably Latin-1 or another 8-bit encoding; convert it, e.g. iconv -f latin1 -t utf-8 ${source} > ${utf8Name(source)}`,
    );
  }
}

const SAVE_AS_UTF8 =
  'save it as UTF-8 (e.g. iconv -f utf-16 -t utf-8 FILE > NEW) and point candidates.source at that';

function utf8Name(source: string): string {
  const ext = path.extname(source);
  return `${source.slice(0, source.length - ext.length)}.utf8${ext}`;
}

/** The text's lines (without their `\r\n` or `\n`), numbered from 1, without splitting the whole text at once. */
function* linesOf(text: string): Generator<[string, number]> {
  let start = 0;
  for (let n = 1; start <= text.length; n++) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    yield [text.slice(start, text[stop - 1] === '\r' ? stop - 1 : stop), n];
    if (end < 0) return;
    start = end + 1;
  }
}

/** One molecule per line: `SMILES [name...]`; `#` starts a comment. */
function* fromSmi(text: string): Generator<RawCandidate> {
  for (const [raw, n] of linesOf(text)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [smiles, ...rest] = line.split(/\s+/);
    yield { molecule: smiles as string, label: rest.join(' ') || `line${n}`, line: n };
  }
}

interface CsvRow {
  record: Record<string, string>;
  info: { lines: number };
}

/** Text handed to the CSV parser at once: the parser waits for its records to be taken before it reads on. */
const CSV_SLICE = 64 * 1024;

function* slicesOf(text: string): Generator<string> {
  for (let i = 0; i < text.length; i += CSV_SLICE) yield text.slice(i, i + CSV_SLICE);
}

async function* fromCsv(text: string, c: CandidatesConfig): AsyncGenerator<RawCandidate> {
  const parser = Readable.from(slicesOf(text)).pipe(
    parseCsv({ columns: true, skip_empty_lines: true, trim: true, bom: true, info: true }),
  );
  let i = 0;
  try {
    for await (const { record: r, info } of parser as AsyncIterable<CsvRow>) {
      if (i === 0) refuseMissingColumns(r, c);
      i++;
      yield {
        molecule: r[c.smilesColumn] ?? '',
        label: (c.idColumn ? r[c.idColumn] : undefined) || `row${i}`,
        line: info.lines,
      };
    }
  } catch (e) {
    if (e instanceof CsvError) throw new CandidateFileError(csvProblem(e, c.source));
    throw e;
  }
}

/** The header's columns must hold the SMILES column and the id column asked for. */
function refuseMissingColumns(first: Record<string, string>, c: CandidatesConfig): void {
  if (!(c.smilesColumn in first)) {
    throw new CandidateFileError(
      `${c.source}: no column "${c.smilesColumn}" (${columnsText(first)}); set candidates.smilesColumn`,
    );
  }
  if (c.idColumn && !(c.idColumn in first)) {
    throw new CandidateFileError(`${c.source}: no column "${c.idColumn}" (${columnsText(first)})`);
  }
}

/** csv-parse's problem in our words: its own messages quote the offending record, which may be anything. */
function csvProblem(e: CsvError, source: string): string {
  const where = `${source}:${(e as CsvError & { lines?: number }).lines ?? '?'}`;
  const fields = e as CsvError & { record?: unknown[]; columns?: unknown[] };
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `${where}: ${fields.record?.length ?? 'a different number of'} fields where the header has ${fields.columns?.length ?? 'another number'}; quote fields that contain commas`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `${where}: a quoted field goes on after its closing quote; write a quote inside a quoted field as ""`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${where}: a quoted field is never closed`;
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${where}: text after a closing quote; write a quote inside a quoted field as ""`;
    default:
      return `${where}: not a valid CSV file (${e.code})`;
  }
}

/** The header's column names, unless they do not look like names (a file that is not CSV: say nothing of it). */
function columnsText(row: Record<string, string>): string {
  const names = Object.keys(row);
  const plausible = names.length <= 50 && names.every((n) => /^[\w .()#%+\-/[\]]{0,40}$/.test(n));
  return plausible
    ? `columns: ${names.join(', ')}`
    : `its first line, ${names.length} field(s), does not look like a header of column names`;
}

function* fromSdf(text: string, c: CandidatesConfig): Generator<RawCandidate> {
  let record: string[] = [];
  let start = 1;
  let n = 0;
  for (const [line, number] of linesOf(text)) {
    if (!/^\$\$\$\$\s*$/.test(line)) {
      record.push(line);
      continue;
    }
    // the first line of a record is its title, and may be empty: never strip it
    if (record.some((l) => l.trim())) yield sdfRecord(record, start, c, n++);
    record = [];
    start = number + 1;
  }
  if (record.some((l) => l.trim())) yield sdfRecord(record, start, c, n);
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

/**
 * Ids name candidates in results, the store and `cascade status`: one used twice is an error at its second line
 * (the file is fixed once, rather than a candidate dropped on every launch). Labels cascade makes up (`line7`,
 * `row3`, `record2`) are unique by construction.
 */
function refuseDuplicateId(first: Map<string, number>, r: RawCandidate, source: string): void {
  const seen = first.get(r.label);
  if (seen !== undefined) {
    const label = r.label.length > 60 ? `${r.label.slice(0, 57)}...` : r.label;
    throw new CandidateFileError(
      `${source}:${r.line}: duplicate id "${label}" (first on line ${seen}); ids name the candidates in results, so each must be unique`,
    );
  }
  first.set(r.label, r.line);
}
