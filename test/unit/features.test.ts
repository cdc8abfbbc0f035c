import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeMolecule } from '../../activities/chem/rdkit.js';
import { DESCRIPTORS, featurize, featurizeHere } from '../../activities/ml/features.js';

const spec = { morganRadius: 2, morganBits: 256, descriptors: true };
const row = (m: { matrix: Float32Array; nFeatures: number }, i: number) =>
  Array.from(m.matrix.subarray(i * m.nFeatures, (i + 1) * m.nFeatures));
const descriptor = (m: { matrix: Float32Array; nFeatures: number }, i: number, name: string) =>
  row(m, i)[spec.morganBits + DESCRIPTORS.indexOf(name as (typeof DESCRIPTORS)[number])];

describe('describeMolecule', () => {
  it('canonicalises and counts heavy atoms, charge, elements and fragments', async () => {
    expect(await describeMolecule('OCC')).toEqual({
      canonical: 'CCO',
      heavyAtoms: 3,
      formalCharge: 0,
      elements: ['C', 'O'],
      fragments: 1,
    });
    expect(await describeMolecule('C1=CC=CC=C1')).toMatchObject({ canonical: 'c1ccccc1', heavyAtoms: 6 });
    expect(await describeMolecule('[Na+].[O-]C(=O)C')).toMatchObject({
      fragments: 2,
      formalCharge: 0,
      elements: ['C', 'Na', 'O'],
    });
    expect(await describeMolecule('C[NH3+]')).toMatchObject({ formalCharge: 1, heavyAtoms: 2 });
    expect(await describeMolecule('[H]C([H])([H])Cl')).toMatchObject({
      heavyAtoms: 2,
      elements: ['C', 'Cl'],
    });
  });

  it('returns null for what RDKit cannot parse', async () => {
    expect(await describeMolecule('C1CC')).toBeNull();
    expect(await describeMolecule('not a molecule')).toBeNull();
    expect(await describeMolecule('')).toBeNull();
  });
});

describe('featurize', () => {
  it('gives one row per SMILES: fingerprint bits then descriptors', async () => {
    const m = await featurize(['c1ccccc1', 'CCO'], spec);
    expect(m.nFeatures).toBe(spec.morganBits + DESCRIPTORS.length);
    expect(m.names).toHaveLength(m.nFeatures);
    expect(m.matrix).toHaveLength(2 * m.nFeatures);
    const bits = row(m, 0).slice(0, spec.morganBits);
    expect(bits.every((b) => b === 0 || b === 1)).toBe(true);
    expect(bits.some((b) => b === 1)).toBe(true);
    expect(row(m, 0)).not.toEqual(row(m, 1));
  });

  it('computes sane descriptors', async () => {
    const m = await featurize(['CCO', 'c1ccccc1'], spec);
    expect(descriptor(m, 0, 'NumHeavyAtoms')).toBe(3);
    expect(descriptor(m, 0, 'exactmw')).toBeCloseTo(46.042, 2);
    expect(descriptor(m, 0, 'NumHBD')).toBe(1);
    expect(descriptor(m, 0, 'FractionCSP3')).toBe(1);
    expect(descriptor(m, 1, 'NumAromaticRings')).toBe(1);
    expect(descriptor(m, 1, 'exactmw')).toBeCloseTo(78.047, 2);
    expect(descriptor(m, 1, 'CrippenClogP')).toBeGreaterThan(1);
  });

  it('gives the same row for the same molecule written differently', async () => {
    const m = await featurize(['c1ccccc1', 'C1=CC=CC=C1'], spec);
    expect(row(m, 0)).toEqual(row(m, 1));
  });

  it('gives a zero row for an unparseable SMILES', async () => {
    const m = await featurize(['CCO', 'C1CC', '', 'CCN'], spec);
    expect(row(m, 1).every((v) => v === 0)).toBe(true);
    expect(row(m, 2).every((v) => v === 0)).toBe(true);
    expect(row(m, 3).some((v) => v !== 0)).toBe(true);
  });

  it('leaves descriptors out on request and honours the radius', async () => {
    const bitsOnly = await featurize(['CCCCCCO'], { morganRadius: 1, morganBits: 128, descriptors: false });
    expect(bitsOnly.nFeatures).toBe(128);
    const wider = await featurize(['CCCCCCO'], { morganRadius: 3, morganBits: 128, descriptors: false });
    const count = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(count(wider.matrix)).toBeGreaterThan(count(bitsOnly.matrix));
  });
});

describe('featurize in worker threads', () => {
  it('gives the same matrix as one thread for a large input', { timeout: 60_000 }, async () => {
    const lines = readFileSync('/usr/share/RDKit/Data/NCI/first_5K.smi', 'utf8').split('\n');
    const smiles = lines.slice(0, 1200).map((l) => l.split(/\s+/)[0] ?? '');
    const spec = { morganRadius: 2, morganBits: 256, descriptors: true };
    const threaded = await featurize(smiles, spec, { threads: 2 });
    const single = await featurizeHere(smiles, spec);
    expect(threaded.nFeatures).toBe(single.nFeatures);
    expect(threaded.matrix.length).toBe(smiles.length * single.nFeatures);
    expect(Buffer.from(threaded.matrix.buffer).equals(Buffer.from(single.matrix.buffer))).toBe(true);
  });
});
