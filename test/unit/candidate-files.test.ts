/** Candidate files (SMILES, CSV, SDF) read from real files on disk, and the errors a user sees for bad ones. */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMolecule, MAX_ATOMS } from '../../activities/chem/rdkit.js';
import { checkCandidates, describeCheck } from '../../activities/pool/check.js';
import {
  CandidateFileError,
  candidateBatches,
  formatOf,
  MAX_CANDIDATE_FILE_BYTES,
} from '../../activities/pool/read.js';
import { Candidates, type CandidatesConfig } from '../../lib/campaign/schema.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-candidates-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Every candidate of the file, the batches joined. */
async function readCandidates(c: CandidatesConfig) {
  const out = [];
  for await (const batch of candidateBatches(c)) out.push(...batch);
  return out;
}

const config = (source: string, extra: Record<string, unknown> = {}): CandidatesConfig =>
  Candidates.parse({ source, ...extra });

/** Two records as Open Babel writes them (`obabel -ismi -osdf --gen2D`), each with an NSC property added. */
const SDF = `ethanol
 OpenBabel11252609332D

  3  2  0  0  0  0  0  0  0  0999 V2000
    1.7321   -0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    0.8660    0.5000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
   -0.0000   -0.0000    0.0000 O   0  0  0  0  0  0  0  0  0  0  0  0
  1  2  1  0  0  0  0
  2  3  1  0  0  0  0
M  END
>  <NSC>
NSC-701

>  <MW>
46.07

$$$$
acetonitrile
 OpenBabel11252609332D

  3  2  0  0  0  0  0  0  0  0999 V2000
    2.0000   -0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
    1.0000   -0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0
   -0.0000   -0.0000    0.0000 N   0  0  0  0  0  0  0  0  0  0  0  0
  1  2  1  0  0  0  0
  2  3  3  0  0  0  0
M  END
>  <MW>
41.05

>  <NSC>
NSC-702

$$$$
`;

describe('format detection', () => {
  it('goes by extension unless the format is given', () => {
    expect(formatOf({ source: 'a.CSV', format: 'auto' })).toBe('csv');
    expect(formatOf({ source: 'a.sdf', format: 'auto' })).toBe('sdf');
    expect(formatOf({ source: 'a.sd', format: 'auto' })).toBe('sdf');
    expect(formatOf({ source: 'a.smi', format: 'auto' })).toBe('smi');
    expect(formatOf({ source: 'a.txt', format: 'auto' })).toBe('smi');
    expect(formatOf({ source: 'a.txt', format: 'csv' })).toBe('csv');
  });
});

describe('SMILES files', () => {
  it('skips comments and blank lines, keeps names (with spaces), and numbers lines from 1', async () => {
    const source = file(
      'mols.smi',
      [
        '# a comment',
        'CCO ethanol',
        '',
        '   ',
        'c1ccccc1\tbenzene ring',
        '  # indented comment',
        'CC#N',
        '',
      ].join('\n'),
    );
    expect(await readCandidates(config(source))).toEqual([
      { molecule: 'CCO', label: 'ethanol', line: 2 },
      { molecule: 'c1ccccc1', label: 'benzene ring', line: 5 },
      { molecule: 'CC#N', label: 'line7', line: 7 },
    ]);
  });

  it('reads Windows line endings', async () => {
    const source = file('crlf.smi', 'CCO a\r\nCCN b\r\n');
    expect(await readCandidates(config(source))).toEqual([
      { molecule: 'CCO', label: 'a', line: 1 },
      { molecule: 'CCN', label: 'b', line: 2 },
    ]);
  });

  it('reads a .txt file as SMILES when told to', async () => {
    const source = file('list.txt', 'CCO x\n');
    expect((await readCandidates(config(source, { format: 'smi' })))[0]).toMatchObject({ molecule: 'CCO' });
  });
});

describe('CSV files', () => {
  it('uses custom SMILES and id columns, with lines counted from the header', async () => {
    const source = file(
      'mols.csv',
      'compound,structure,mw\nA-1,CCO,46.07\nA-2,"C(=O)O",46.03\n,CC#N,41.05\n\nA-4,CCCC,58.12\n',
    );
    const rows = await readCandidates(config(source, { smilesColumn: 'structure', idColumn: 'compound' }));
    expect(rows).toEqual([
      { molecule: 'CCO', label: 'A-1', line: 2 },
      { molecule: 'C(=O)O', label: 'A-2', line: 3 },
      // an empty id falls back to the row number
      { molecule: 'CC#N', label: 'row3', line: 4 },
      // the line in the file: the blank line 5 counts, so an error or a rejection points at the right place
      { molecule: 'CCCC', label: 'A-4', line: 6 },
    ]);
  });

  it('defaults to a "smiles" column, trims cells and strips a byte-order mark', async () => {
    const source = file('bom.csv', '\uFEFFsmiles , name\n  CCO , e \n');
    expect(await readCandidates(config(source))).toEqual([{ molecule: 'CCO', label: 'row1', line: 2 }]);
  });

  it('a missing SMILES column is a CandidateFileError naming the columns there are', async () => {
    const source = file('wrong.csv', 'id,SMILES_str\n1,CCO\n');
    const err = await readCandidates(config(source)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateFileError);
    expect((err as Error).message).toBe(
      `${source}: no column "smiles" (columns: id, SMILES_str); set candidates.smilesColumn`,
    );
  });

  it('a missing id column is an error naming the columns there are', async () => {
    const source = file('noid.csv', 'smiles,name\nCCO,e\n');
    const err = await readCandidates(config(source, { idColumn: 'nsc' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateFileError);
    expect((err as Error).message).toContain('no column "nsc" (columns: smiles, name)');
  });

  it('a file with only a header has no candidates', async () => {
    const source = file('empty.csv', 'smiles,name\n');
    expect(await readCandidates(config(source))).toEqual([]);
  });
});

describe('SDF files', () => {
  it('reads each record as a molblock, labelled by the property named as idColumn', async () => {
    const source = file('mols.sdf', SDF);
    const rows = await readCandidates(config(source, { idColumn: 'NSC' }));
    expect(rows.map((r) => r.label)).toEqual(['NSC-701', 'NSC-702']);
    expect(rows[0]?.line).toBe(1);
    for (const r of rows) {
      expect(r.molecule.split('\n')[3]).toMatch(/V2000$/);
      expect(r.molecule.endsWith('M  END')).toBe(true);
      expect(r.molecule).not.toContain('NSC-'); // properties are not part of the molblock
    }
    // the molblocks are complete: RDKit reads them back as the molecules written
    const smiles = await Promise.all(rows.map(async (r) => (await describeMolecule(r.molecule))?.canonical));
    expect(smiles).toEqual(['CCO', 'CC#N']);
  });

  it('falls back to the title line, then to the record number', async () => {
    const byTitle = await readCandidates(config(file('titles.sdf', SDF)));
    expect(byTitle.map((r) => r.label)).toEqual(['ethanol', 'acetonitrile']);
    const missingProp = await readCandidates(config(file('prop.sdf', SDF), { idColumn: 'CAS' }));
    expect(missingProp.map((r) => r.label)).toEqual(['ethanol', 'acetonitrile']);
  });

  it('a record without "M  END" is an error naming the file', async () => {
    const source = file('broken.sdf', SDF.replace(/M {2}END\n> {2}<MW>\n41\.05/, '>  <MW>\n41.05'));
    const err = await readCandidates(config(source)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateFileError);
    expect((err as Error).message).toMatch(
      new RegExp(`^${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `),
    );
    expect((err as Error).message).toContain('SDF record without "M  END"');
  });

  // the title line may be empty (what `obabel -ismi -osdf` writes for unnamed SMILES): it still belongs to the molblock
  it('reads records whose title line is empty', async () => {
    const untitled = SDF.replace('ethanol\n', '\n').replace('acetonitrile\n', '\n');
    const rows = await readCandidates(config(file('untitled.sdf', untitled), { idColumn: 'NSC' }));
    expect(rows.map((r) => r.label)).toEqual(['NSC-701', 'NSC-702']);
    const smiles = await Promise.all(rows.map(async (r) => (await describeMolecule(r.molecule))?.canonical));
    expect(smiles).toEqual(['CCO', 'CC#N']);
    // each record's line is where its title is, so errors point at the right place
    expect(rows.map((r) => untitled.split('\n')[r.line - 2])).toEqual([undefined, '$$$$']);
  });
});

describe('unreadable files', () => {
  it('a missing file is a CandidateFileError naming the path', async () => {
    const source = path.join(dir, 'nope', 'missing.smi');
    const err = await readCandidates(config(source)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateFileError);
    expect((err as Error).message).toContain(`cannot read candidates file ${source}`);
    expect((err as Error).message).toContain('ENOENT');
  });

  it('a folder instead of a file is a CandidateFileError naming the path', async () => {
    const err = await readCandidates(config(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateFileError);
    expect((err as Error).message).toContain(`cannot read candidates file ${dir}`);
  });
});

/** The file-level problems of issue 16 (case 4 and 6): each names the file (and line), says what to do, quotes nothing. */
describe('files that are not what they claim', () => {
  const refusal = async (source: string, extra: Record<string, unknown> = {}) => {
    const err = await readCandidates(config(source, extra)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CandidateFileError);
    return err as CandidateFileError;
  };

  it('UTF-16, with or without a byte-order mark', async () => {
    const text = 'CCO ethanol\nCCN ethylamine\nCC#N acetonitrile\nCCCl chloroethane\n';
    const bom = file('utf16.smi', '');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const e1 = await refusal(bom);
    expect(e1.message).toBe(
      `${bom}: UTF-16 (little-endian byte-order mark); save it as UTF-8 (e.g. iconv -f utf-16 -t utf-8 FILE > NEW) and point candidates.source at that`,
    );
    expect(e1.kind).toBe('invalid');
    const bare = file('utf16-nobom.smi', '');
    writeFileSync(bare, Buffer.from(text, 'utf16le'));
    expect((await refusal(bare)).message).toMatch(new RegExp(`^${re(bare)}: looks like UTF-16`));
  });

  it('a binary file renamed .smi', async () => {
    const source = file('image.smi', '');
    // a PNG header and some pixels: NUL bytes early on
    writeFileSync(
      source,
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48]),
    );
    expect((await refusal(source)).message).toBe(
      `${source}: not a text file (NUL bytes, first at byte 8); a candidates file is SMILES, CSV or SDF text`,
    );
    const noisy = file('noise.smi', '');
    writeFileSync(noisy, Buffer.from(Array.from({ length: 400 }, (_, i) => 1 + (i % 8))));
    expect((await refusal(noisy)).message).toMatch(
      new RegExp(`^${re(noisy)}: not a text file \\(400 control`),
    );
  });

  it('Latin-1 text is refused at the line of its first non-UTF-8 byte, not turned into U+FFFD', async () => {
    const source = file('latin1.smi', '');
    writeFileSync(source, Buffer.from('CCO ethanol\nCCN amine\nCC(=O)O acide acétique\n', 'latin1'));
    expect((await refusal(source)).message).toBe(
      `${source}:3: not UTF-8 (byte 0xE9): probably Latin-1 or another 8-bit encoding; convert it, e.g. iconv -f latin1 -t utf-8 ${source} > ${source.replace(/\.smi$/, '.utf8.smi')}`,
    );
    // the same text in UTF-8 reads, accents and all
    const utf8 = file('utf8.smi', '\uFEFFCCO éthanol\n');
    expect(await readCandidates(config(utf8))).toEqual([{ molecule: 'CCO', label: 'éthanol', line: 1 }]);
  });

  it('a ragged CSV names the file and the line, and quotes none of it', async () => {
    const source = file('ragged.csv', 'smiles,id\nCCO,a\nCCN,b,secret-extra\nCC#N,c\n');
    const message = (await refusal(source)).message;
    expect(message).toBe(`${source}:3: 3 fields where the header has 2; quote fields that contain commas`);
    expect(message).not.toContain('secret');
    const quote = file('quote.csv', 'smiles,id\nCCO,a\n"CCN"secret,b\n');
    const q = (await refusal(quote)).message;
    expect(q).toMatch(new RegExp(`^${re(quote)}:3: `));
    expect(q).not.toContain('secret');
  });

  it('a file that is not CSV at all (say /etc/passwd) is refused without printing its lines', async () => {
    const passwd = file(
      'passwd.csv',
      'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n',
    );
    const message = (await refusal(passwd)).message;
    expect(message).toBe(
      `${passwd}: no column "smiles" (its first line, 1 field(s), does not look like a header of column names); set candidates.smilesColumn`,
    );
    expect(message).not.toMatch(/root|daemon|bash/);
    expect((await refusal(passwd, { format: 'sdf' })).message).toBe(
      `${passwd}:1: SDF record without "M  END"`,
    );
  });

  it('an id used twice is refused at its second line', async () => {
    const smi = file('dups.smi', 'CCO A-1\nCCN A-2\nCC#N A-1\n');
    expect((await refusal(smi)).message).toBe(
      `${smi}:3: duplicate id "A-1" (first on line 1); ids name the candidates in results, so each must be unique`,
    );
    const csv = file('dups.csv', 'id,smiles\nX,CCO\nY,CCN\nX,CCC\n');
    expect((await refusal(csv, { idColumn: 'id' })).message).toMatch(
      new RegExp(`^${re(csv)}:4: duplicate id "X" \\(first on line 2\\)`),
    );
    // without an id column rows are numbered, so a CSV's other columns may repeat freely
    expect(await readCandidates(config(csv))).toHaveLength(3);
  });

  it('a file over the size limit is refused before it is read', async () => {
    const source = file('huge.smi', '');
    truncateSync(source, MAX_CANDIDATE_FILE_BYTES + 1024 * 1024); // sparse: nothing is written
    expect((await refusal(source)).message).toBe(
      `candidates file ${source} is 101 MiB; the limit is 100 MiB: split it into several campaigns`,
    );
  });

  it('a missing file is unreadable (it may yet appear), the others invalid (they will not change)', async () => {
    expect((await refusal(path.join(dir, 'absent.smi'))).kind).toBe('unreadable');
  });
});

describe('checkCandidates: what validate and launch say before anything starts', () => {
  it('counts the molecules and names the first ones too large for RDKit', async () => {
    const source = file('check.smi', ['CCO a', 'CCN b', `${'C'.repeat(800)} chain`, 'CC#N c'].join('\n'));
    const check = await checkCandidates(config(source));
    expect(check).toEqual({
      source,
      format: 'smi',
      molecules: 4,
      tooLarge: 1,
      firstTooLarge: [{ line: 3, label: 'chain', why: `800 atoms (limit ${MAX_ATOMS})` }],
    });
    expect(describeCheck(check).split('\n')).toEqual([
      `candidates: 4 molecule(s) in ${source} (smi)`,
      '  1 too large for RDKit, rejected when the pool is prepared:',
      `    ${source}:3 (chain) 800 atoms (limit ${MAX_ATOMS})`,
    ]);
  });
});

function re(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
