/**
 * The syntax of CIF 1.1 (and the DDLm/mmCIF spelling of tag names): data blocks, tag-value pairs, loops,
 * quoted strings, `;` text fields and comments. What the tags mean for a crystal is in cif.ts.
 *
 * Written by hand: the one CIF reader on npm (crystcif-parse) is a small project that pulls in mathjs 7 from
 * 2020, and cascade needs only this much of the format.
 */
import { StructureError } from '../structure.js';

/** One value as written: `quoted` values are always text ('?' in quotes is a question mark, not "unknown"). */
export interface CifValue {
  text: string;
  quoted: boolean;
  line: number;
}

/** A loop: its tags (lower case) and its rows, one value per tag. */
export interface CifLoop {
  tags: string[];
  rows: CifValue[][];
}

export interface CifBlock {
  /** The block's name, as written after `data_`. */
  name: string;
  line: number;
  /** Tags given once, outside loops (lower case, DDLm dots written as underscores). */
  items: Map<string, CifValue>;
  loops: CifLoop[];
}

interface Token {
  kind: 'word' | 'value';
  text: string;
  quoted: boolean;
  line: number;
}

/** Splits a CIF into tokens: bare words (tags, reserved words, unquoted values) and quoted or text-field values. */
function tokenize(text: string, source: string): Token[] {
  const lines = text.split(/\r\n?|\n/);
  const tokens: Token[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith(';')) {
      // a text field runs from here to the next line that starts with ';'
      const body = [line.slice(1)];
      let j = i + 1;
      while (j < lines.length && !(lines[j] as string).startsWith(';')) body.push(lines[j++] as string);
      if (j >= lines.length) throw new StructureError(`${source}:${i + 1}: text field (;) is never closed`);
      tokens.push({ kind: 'value', text: body.join('\n').trim(), quoted: true, line: i + 1 });
      i = j; // anything after the closing ';' on its line is ignored, as most readers do
      continue;
    }
    tokensOfLine(line, i + 1, source, tokens);
  }
  return tokens;
}

function tokensOfLine(line: string, lineNo: number, source: string, out: Token[]): void {
  let k = 0;
  while (k < line.length) {
    const ch = line[k] as string;
    if (/\s/.test(ch)) {
      k++;
      continue;
    }
    if (ch === '#') return; // a comment runs to the end of the line
    if (ch === "'" || ch === '"') {
      // a quote closes only when whitespace or the end of the line follows it: 'O''s' is one value
      let end = k + 1;
      while (
        end < line.length &&
        !(line[end] === ch && (end + 1 === line.length || /\s/.test(line[end + 1] as string)))
      )
        end++;
      if (end >= line.length)
        throw new StructureError(`${source}:${lineNo}: quoted value ${ch}... is never closed`);
      out.push({ kind: 'value', text: line.slice(k + 1, end), quoted: true, line: lineNo });
      k = end + 1;
      continue;
    }
    let end = k;
    while (end < line.length && !/\s/.test(line[end] as string)) end++;
    out.push({ kind: 'word', text: line.slice(k, end), quoted: false, line: lineNo });
    k = end;
  }
}

/** `_cell.length_a` (DDLm, mmCIF) and `_cell_length_a` (CIF 1) name the same item. */
function tagName(word: string): string {
  return word.toLowerCase().replace('.', '_');
}

const isTag = (t: Token) => t.kind === 'word' && t.text.startsWith('_');
const reserved = (t: Token, word: string) => t.kind === 'word' && t.text.toLowerCase().startsWith(word);

/**
 * Parses a CIF into its data blocks. Save frames and the global block are skipped. Throws StructureError with
 * `source:line` for what cannot be parsed: a value with no tag, a tag with no value, a loop whose values do not
 * fill its rows.
 */
export function parseCif(text: string, source: string): CifBlock[] {
  const tokens = tokenize(text, source);
  const blocks: CifBlock[] = [];
  let block: CifBlock | undefined;
  let skipping = false; // inside a save frame or global_
  const at = (t: Token) => `${source}:${t.line}`;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (reserved(t, 'data_')) {
      block = { name: t.text.slice(5), line: t.line, items: new Map(), loops: [] };
      blocks.push(block);
      skipping = false;
      i++;
      continue;
    }
    if (reserved(t, 'global_')) {
      skipping = true;
      block = undefined;
      i++;
      continue;
    }
    if (reserved(t, 'save_')) {
      // save_NAME opens a frame, a bare save_ closes it; frames hold dictionary definitions, not structures
      skipping = t.text.length > 5;
      i++;
      continue;
    }
    if (reserved(t, 'stop_')) throw new StructureError(`${at(t)}: nested loops (stop_) are not CIF 1.1`);
    if (reserved(t, 'loop_')) {
      const loop = readLoop(tokens, i + 1, source);
      if (!block && !skipping) throw new StructureError(`${at(t)}: loop_ before any data_ block`);
      if (block && !skipping) block.loops.push(loop.loop);
      i = loop.next;
      continue;
    }
    if (isTag(t)) {
      const v = tokens[i + 1];
      if (!v || isTag(v) || (v.kind === 'word' && /^(data|loop|save|global|stop)_/i.test(v.text))) {
        throw new StructureError(`${at(t)}: tag ${t.text} has no value`);
      }
      if (!block && !skipping) throw new StructureError(`${at(t)}: ${t.text} before any data_ block`);
      if (block && !skipping)
        block.items.set(tagName(t.text), { text: v.text, quoted: v.quoted, line: v.line });
      i += 2;
      continue;
    }
    throw new StructureError(`${at(t)}: value "${t.text}" has no tag`);
  }
  return blocks;
}

function readLoop(tokens: Token[], start: number, source: string): { loop: CifLoop; next: number } {
  const tags: string[] = [];
  let i = start;
  while (i < tokens.length && isTag(tokens[i] as Token)) tags.push(tagName((tokens[i++] as Token).text));
  const opened = tokens[start - 1] as Token;
  if (tags.length === 0) throw new StructureError(`${source}:${opened.line}: loop_ without tags`);
  const values: CifValue[] = [];
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (isTag(t) || (t.kind === 'word' && /^(data|loop|save|global|stop)_/i.test(t.text))) break;
    values.push({ text: t.text, quoted: t.quoted, line: t.line });
    i++;
  }
  if (values.length % tags.length !== 0) {
    throw new StructureError(
      `${source}:${opened.line}: loop of ${tags.length} tags (${tags[0]}, ...) holds ${values.length} values, ` +
        `not a whole number of rows`,
    );
  }
  const rows: CifValue[][] = [];
  for (let r = 0; r < values.length; r += tags.length) rows.push(values.slice(r, r + tags.length));
  return { loop: { tags, rows }, next: i };
}

/** Unknown ('?') or inapplicable ('.') when written bare. */
export function isNull(v: CifValue | undefined): boolean {
  return v === undefined || (!v.quoted && (v.text === '?' || v.text === '.'));
}

/** A CIF number: `4.212(3)` is 4.212 (the standard uncertainty in parentheses is dropped). NaN when it is not one. */
export function cifNumber(v: CifValue): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:\(\d+\))?$/.exec(v.text.trim());
  return m ? Number(m[1]) : Number.NaN;
}

/** The loop holding `tag`, with a column accessor; undefined when no loop has it. */
export function loopWith(
  block: CifBlock,
  tag: string,
): { rows: CifValue[][]; column: (tag: string) => number } | undefined {
  const loop = block.loops.find((l) => l.tags.includes(tag));
  if (!loop) return undefined;
  return { rows: loop.rows, column: (t) => loop.tags.indexOf(t) };
}

/** All values of `tag`, whether it is looped or given once. */
export function valuesOf(block: CifBlock, tag: string): CifValue[] {
  const single = block.items.get(tag);
  if (single) return [single];
  const loop = loopWith(block, tag);
  if (!loop) return [];
  const c = loop.column(tag);
  return loop.rows.map((r) => r[c] as CifValue);
}
