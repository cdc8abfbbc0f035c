import { describe, expect, it } from 'vitest';
import { toMolblock } from '../../lib/export/molblock.js';
import { toSdf } from '../../lib/export/sdf.js';
import { ACETATE, DEPICTED, META, SALT, WATER } from '../helpers/export-records.js';

/** An SDF record's data items, by name. */
function dataItems(record: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of record.matchAll(/^> <([^>]+)>\n(.*)\n/gm)) out[m[1] as string] = m[2] as string;
  return out;
}

describe('molblock', () => {
  it('writes a V2000 3D molfile: counts, fixed-width atoms and bonds, charges in M  CHG', () => {
    if (ACETATE.structure?.kind !== 'molecule') throw new Error('fixture');
    const lines = toMolblock('acetate', ACETATE.structure).split('\n');
    expect(lines[0]).toBe('acetate');
    expect(lines[1]?.slice(20, 22)).toBe('3D');
    expect(lines[3]).toBe('  4  3  0  0  0  0  0  0  0  0999 V2000');
    expect(lines[5]).toBe('    1.5000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0');
    expect(lines[9]).toBe('  2  3  2  0  0  0  0');
    expect(lines[11]).toBe('M  CHG  1   4  -1');
    expect(lines[12]).toBe('M  END');
  });

  it('refuses a molecule too large for V2000', () => {
    const symbols = Array.from({ length: 1000 }, () => 'C');
    const coords = symbols.map((): [number, number, number] => [0, 0, 0]);
    expect(() => toMolblock('big', { kind: 'molecule', symbols, coords, charge: 0, source: 'x' })).toThrow(
      /more than a V2000 molfile holds/,
    );
  });
});

describe('SDF export', () => {
  const { text, skipped } = toSdf([WATER, ACETATE, SALT, DEPICTED], META);
  const records = text.split('$$$$\n').filter((r) => r !== '');

  it('writes one record per molecule and leaves crystals out, saying why', () => {
    expect(records).toHaveLength(3);
    expect(skipped).toEqual([{ idx: 7, why: 'a crystal has no SDF record' }]);
    expect(text.endsWith('$$$$\n')).toBe(true);
  });

  it("puts each tier's properties and provenance in data fields named after the tier", () => {
    const water = dataItems(records[0] as string);
    expect(water).toMatchObject({
      idx: '3',
      label: 'water, "wet"',
      identity: 'O',
      geometry_source: 'optimised at tier gfn2',
      gfn1_homoLumoGap_eV: '7.123456789012345',
      gfn1_totalEnergy_Eh: '-5.070544440612',
      gfn1_code: 'xtb',
      gfn1_code_version: '6.7.1',
      gfn1_settings: '{"accuracy":1,"solvent":"water"}',
      gfn1_input_hash: 'ab12cd',
      gfn1_energy_J: '3.5',
      gfn1_host: 'node-1',
      gfn2_homoLumoGap_eV: '6.5',
      gfn2_cached: 'true',
      licence: 'CC-BY-4.0',
      cascade_version: '0.1.0',
    });
    // absent values are absent fields, not empty ones
    expect(water).not.toHaveProperty('gfn2_dipoleMoment_D');
  });

  it('keeps a failure on one line with its class', () => {
    const acetate = dataItems(records[1] as string);
    expect(acetate).toMatchObject({
      gfn2_status: 'failed',
      gfn2_failure_class: 'circumstantial',
      gfn2_failure_kind: 'timeout',
      gfn2_message: 'xtb ran past 120 s killed',
    });
    expect(records[1]).toContain('M  CHG  1   4  -1');
  });

  it('titles a 2D depiction with the label', () => {
    expect(records[2]?.split('\n')[0]).toBe('methane');
    expect(records[2]).toContain('RDKit          2D');
    expect(dataItems(records[2] as string).geometry_source).toMatch(/2D depiction/);
  });
});
