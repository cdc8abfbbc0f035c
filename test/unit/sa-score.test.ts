/**
 * The SA score against RDKit's own: the 100 reference molecules shipped with sascorer.py (Debian rdkit-data,
 * installed by `make setup`), Morgan ids recorded from Python RDKit (test/fixtures/sa/morgan-ids.json, with the
 * command that wrote it), and RDKit-JS's own folded Morgan bits for NCI molecules.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { molGraph, morganIds, readMolJson } from '../../activities/chem/morgan-ids.js';
import { loadRDKit, withMol } from '../../activities/chem/rdkit.js';
import { loadFragmentContributions, saFeatures, saScore, saScores } from '../../activities/chem/sa-score.js';
import { readFragmentContributions } from '../../lib/chem/fragment-scores.js';
import { type MorganCounts, morganCounts } from '../../lib/chem/morgan.js';
import { hashCombine, hashIntegers } from '../../lib/chem/rdkit-hash.js';
import { saScoreFromFeatures } from '../../lib/chem/sa-score.js';

const ZIM = '/usr/share/RDKit/Contrib/SA_Score/data/zim.100.txt';
const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';

interface Fixture {
  molecules: { smiles: string; ids: Record<string, number> }[];
  stereo: { smiles: string; chiralCentres: number; saScore: number }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/sa/morgan-ids.json', import.meta.url), 'utf8'),
) as Fixture;

const asRecord = (counts: MorganCounts) =>
  Object.fromEntries([...counts].sort((a, b) => a[0] - b[0]).map(([id, n]) => [String(id), n]));

describe("sascorer.py's reference molecules", () => {
  it('scores all 100 of zim.100.txt within 0.01 of the reference column', async () => {
    const rows = readFileSync(ZIM, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => l.split('\t'));
    expect(rows).toHaveLength(100);
    const scores = await saScores(rows.map((r) => r[0] as string));
    const errors = rows.map((r, i) => Math.abs((scores[i] as number) - Number(r[2])));
    expect(scores.every((s) => typeof s === 'number')).toBe(true);
    // the reference column is printed to 3 decimals; ours agrees with sascorer.py to ~1e-14
    expect(Math.max(...errors)).toBeLessThan(0.01);
    expect(Math.max(...errors)).toBeLessThanOrEqual(0.0005 + 1e-9);
  });
});

describe('Morgan ids', () => {
  it.each(fixture.molecules.map((m) => [m.smiles, m.ids] as const))(
    "match Python RDKit's unfolded ids and counts for %s",
    async (smiles, ids) => {
      const ours = await morganIds(smiles);
      expect(ours).not.toBeNull();
      expect(asRecord(ours as MorganCounts)).toEqual(ids);
    },
  );

  it("fold onto RDKit-JS's own Morgan bits (2048 and 65521 bits) for 1000 NCI molecules", async () => {
    const rdkit = await loadRDKit();
    const smiles = readFileSync(NCI, 'utf8')
      .split('\n')
      .map((l) => l.split(/\s+/)[0] as string)
      .filter(Boolean)
      .slice(0, 1000);
    let compared = 0;
    const mismatches: string[] = [];
    for (const s of smiles) {
      withMol(rdkit, s, (mol) => {
        const ids = [...morganCounts(molGraph(rdkit, readMolJson(mol))).keys()];
        for (const nBits of [2048, 65521]) {
          const bytes = mol.get_morgan_fp_as_uint8array(JSON.stringify({ radius: 2, nBits })) as Uint8Array;
          const theirs = new Set<number>();
          bytes.forEach((byte, k) => {
            for (let b = 0; b < 8; b++) if (byte & (1 << b)) theirs.add(k * 8 + b);
          });
          const ours = new Set(ids.map((id) => id % nBits));
          if (ours.size !== theirs.size || [...ours].some((bit) => !theirs.has(bit))) mismatches.push(s);
        }
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(990);
    expect(mismatches).toEqual([]);
  });

  it('hash like boost: hash_combine adds the golden ratio and mixes the seed in uint32', () => {
    // by hand: 0 ^ (5 + 0x9e3779b9 + 0 + 0) = 0x9e3779be
    expect(hashCombine(0, 5)).toBe(0x9e3779be);
    // a negative value is taken as its uint32 cast, as the vector<uint32_t> of invariants holds it
    expect(hashIntegers([-1])).toBe((0xffffffff + 0x9e3779b9) % 2 ** 32);
    const seed = 0x9e3779be;
    const expected =
      (seed ^ ((7 + 0x9e3779b9 + ((seed * 64) % 2 ** 32) + Math.floor(seed / 4)) % 2 ** 32)) >>> 0;
    expect(hashIntegers([5, 7])).toBe(expected);
  });
});

describe('the chiral centres', () => {
  it.each(fixture.stereo.map((m) => [m.smiles, m.chiralCentres, m.saScore] as const))(
    "are counted as Python RDKit's legacy FindMolChiralCenters counts them: %s",
    async (smiles, centres, score) => {
      const rdkit = await loadRDKit();
      const features = withMol(rdkit, smiles, (mol) => saFeatures(rdkit, mol));
      expect(features?.chiralCentres).toBe(centres);
      expect(await saScore(smiles)).toBeCloseTo(score, 9);
    },
  );
});

describe('the fragment contributions', () => {
  it("read Debian's fpscores.pkl.gz: 705,292 ids in 3,549 score lists", async () => {
    const table = await loadFragmentContributions();
    expect(table.size).toBe(705_292);
    expect(table.get(910163969)).toBe(-2.8254); // the file's first list begins [-2.8254, 910163969, ...]
  });

  it('read a protocol-0 pickle, a later list winning for an id, and refuse other opcodes', () => {
    const text = '(lp0\n(lp1\nF-1.5\naI7\naI8\naa(lp2\nF2.0\naL8L\naa.';
    const table = readFragmentContributions(new TextEncoder().encode(text));
    expect([...table]).toEqual([
      [7, -1.5],
      [8, 2],
    ]);
    // protocol 2 starts with PROTO (0x80)
    expect(() => readFragmentContributions(new Uint8Array([0x80, 0x02, 0x5d, 0x2e]))).toThrow(/opcode/);
    expect(() => readFragmentContributions(gzipSync(Buffer.from(text)))).toThrow(/opcode/);
  });
});

describe('the score from features', () => {
  const one = (contribution: number | undefined, atoms = 1) =>
    saScoreFromFeatures(
      {
        atoms,
        fragments: new Map([[1, 1]]),
        chiralCentres: 0,
        spiroAtoms: 0,
        bridgeheadAtoms: 0,
        macrocycles: 0,
      },
      new Map(contribution === undefined ? [] : [[1, contribution]]),
    );

  it('maps the raw score onto 1..10 as sascorer.py does', () => {
    // raw 2.5 -> 11 - 7.5 / 6.5 * 9 < 1, clamped to 1
    expect(one(2.5)).toBe(1);
    // an unknown fragment counts -4: raw -4 -> 11 - 9 / 6.5 = 9.615..., above 8 smoothed to 8 + ln(1.615...)
    expect(one(undefined)).toBeCloseTo(8 + Math.log(11 - 9 / 6.5 + 1 - 9), 12);
    // raw 0 -> 11 - 5 / 6.5 * 9
    expect(one(0)).toBeCloseTo(11 - (5 / 6.5) * 9, 12);
  });

  it('adds the size penalty and the symmetry bonus', () => {
    // 8 atoms, one distinct id: raw = 0 - (8^1.005 - 8) + 0.5 ln 8
    const raw = -(8 ** 1.005 - 8) + 0.5 * Math.log(8);
    expect(one(0, 8)).toBeCloseTo(11 - ((raw + 5) / 6.5) * 9, 12);
  });
});

describe('saScores', () => {
  it('keeps the order and answers null for what RDKit cannot parse', async () => {
    const scores = await saScores(['CCO', 'not a smiles', '', 'c1ccccc1']);
    expect(scores[0]).toBeTypeOf('number');
    expect(scores[1]).toBeNull();
    expect(scores[2]).toBeNull();
    expect(scores[3]).toBeCloseTo((await saScore('c1ccccc1')) as number, 12);
  });
});
