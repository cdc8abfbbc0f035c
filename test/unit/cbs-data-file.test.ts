/**
 * A CBS data file (`cbs.data` in a campaign, `cascade cbs eval --data`) may be any path: a problem names the
 * file, the line and what was expected, and never quotes the file's content (V8's JSON errors do).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonl } from '../../activities/cbs/read-dataset.js';

const dir = mkdtempSync(join(tmpdir(), 'cascade-cbs-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function errorOf(f: string): string {
  try {
    readJsonl(f);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${f} was read without an error`);
}

const SECRET = 's3cr3t-hunter2';

describe('readJsonl', () => {
  it('reads a JSON Lines file, skipping blank lines', () => {
    expect(readJsonl(file('ok.jsonl', '{"a":1}\n\n{"a":2}\n'))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('an /etc/passwd-like file: file and line, what was expected, no content', () => {
    const f = file('passwd', `root:x:0:0:${SECRET}:/root:/bin/bash\n`);
    const message = errorOf(f);
    expect(message).toBe(
      `${f}:1: not valid JSON; expected one JSON object per line (JSON Lines, as cascade cbs generate writes)`,
    );
    expect(message).not.toContain(SECRET);
  });

  it('the real /etc/passwd: no line of it in the message', () => {
    const message = errorOf('/etc/passwd');
    expect(message).toMatch(/^\/etc\/passwd:1: not valid JSON/);
    expect(message).not.toMatch(/root|bin|bash|nologin/);
  });

  it('a bad line after good and blank ones: its own line number, not the count of rows', () => {
    const f = file('late.jsonl', `{"a":1}\n\n\n{"a": ${SECRET}}\n`);
    const message = errorOf(f);
    expect(message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: not valid JSON`));
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('"a"');
  });

  it('a line that is JSON but not an object', () => {
    const f = file('scalars.jsonl', `{"a":1}\n"${SECRET}"\n`);
    const message = errorOf(f);
    expect(message).toBe(
      `${f}:2: expected one JSON object per line (JSON Lines, as cascade cbs generate writes), got a string`,
    );
  });

  it('a directory or a missing file', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(errorOf(sub)).toMatch(/sub: not a regular file; expected one JSON object per line/);
    expect(errorOf(join(dir, 'absent.jsonl'))).toMatch(/absent\.jsonl: no such file/);
  });
});
