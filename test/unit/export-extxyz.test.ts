import { describe, expect, it } from 'vitest';
import type { Crystal } from '../../lib/domain/geometry.js';
import { EV_PER_HARTREE } from '../../lib/domain/units.js';
import { crystalInAngstrom } from '../../lib/export/crystal.js';
import { toExtxyz } from '../../lib/export/extxyz.js';
import { DEPICTED, META, SALT, WATER } from '../helpers/export-records.js';

/** A frame's comment line as key -> raw value (quotes removed, escapes undone). */
function keys(comment: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of comment.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    out[m[1] as string] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] as string);
  }
  return out;
}

describe('extended XYZ export', () => {
  const { text, skipped } = toExtxyz([WATER, SALT, DEPICTED], META);
  const lines = text.trimEnd().split('\n');

  it('writes a frame per candidate with a 3D structure, leaving 2D depictions out', () => {
    expect(skipped).toEqual([{ idx: 9, why: 'no 3D structure (2D depiction only)' }]);
    expect(lines[0]).toBe('3');
    expect(lines[2]).toBe('O 0 0 0.1173');
    expect(lines[5]).toBe('2'); // the crystal's frame
    expect(lines).toHaveLength(3 + 2 + 2 + 2);
  });

  it("a molecule is non-periodic; energies are in eV and the highest tier's total energy is ASE's energy", () => {
    const k = keys(lines[1] as string);
    expect(k).toMatchObject({ Properties: 'species:S:1:pos:R:3', pbc: 'F F F' });
    expect(Number(k.gfn1_totalEnergy_eV)).toBe(-5.070544440612 * EV_PER_HARTREE);
    expect(Number(k.gfn2_totalEnergy_eV)).toBe(-5.1 * EV_PER_HARTREE);
    expect(Number(k.energy)).toBe(-5.1 * EV_PER_HARTREE);
    expect(k).not.toHaveProperty('gfn1_totalEnergy_Eh');
    expect(Number(k.gfn1_homoLumoGap_eV)).toBe(7.123456789012345);
    expect(k).toMatchObject({
      label: 'water, "wet"',
      gfn1_code: 'xtb',
      gfn1_code_version: '6.7.1',
      gfn1_settings: '{"accuracy":1,"solvent":"water"}',
      gfn1_cached: 'F',
      gfn2_cached: 'T',
      licence: 'CC-BY-4.0',
      cascade_version: '0.1.0',
    });
    // text is quoted, so a reader keeps it as text
    expect(lines[1]).toContain('gfn1_code_version="6.7.1"');
    expect(lines[1]).toContain('label="water, \\"wet\\""');
  });

  it('a crystal carries its lattice and periodicity', () => {
    const k = keys(lines[6] as string);
    expect(k.Lattice).toBe('0 2.82 2.82 2.82 0 2.82 2.82 2.82 0');
    expect(k.pbc).toBe('T T T');
    expect(Number(k.energy)).toBe(-621.5 * EV_PER_HARTREE);
    expect(lines[8]).toBe('Cl 2.82 2.82 2.82');
  });
});

describe('crystal in angstrom', () => {
  it('scales the lattice from bohr and turns fractional positions into Cartesian ones', () => {
    const c: Crystal = {
      kind: 'crystal',
      lattice: [
        [2, 0, 0],
        [1, 3, 0],
        [0, 0, 4],
      ],
      symbols: ['Si', 'O'],
      fractional: [
        [0, 0, 0],
        [0.5, 0.5, 0.25],
      ],
    };
    const a = 0.529177210903;
    const out = crystalInAngstrom(c, 'test');
    expect(out.lattice[1]).toEqual([a, 3 * a, 0]);
    // 0.5 a1 + 0.5 a2 + 0.25 a3 = (1.5, 1.5, 1) bohr
    expect(out.positions[1]?.map((x) => x / a)).toEqual([1.5, 1.5, 1].map((x) => expect.closeTo(x, 12)));
  });
});
