/** Candidate files (SMILES, CSV, SDF) read from real files on disk, and the errors a user sees for bad ones. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMolecule } from '../../activities/chem/rdkit.js';
import { CandidateFileError, formatOf, readCandidates } from '../../activities/pool/read.js';
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
      { molecule: 'CCCC', label: 'A-4', line: 5 },
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
