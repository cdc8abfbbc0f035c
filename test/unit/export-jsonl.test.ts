import { describe, expect, it } from 'vitest';
import { toJsonl } from '../../lib/export/jsonl.js';
import { ACETATE, META, WATER } from '../helpers/export-records.js';

describe('JSONL export', () => {
  const lines = toJsonl([WATER, ACETATE], META)
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

  it('starts with the metadata record, then one line per candidate', () => {
    expect(lines[0]).toMatchObject({ type: 'metadata', licence: 'CC-BY-4.0', cascadeVersion: '0.1.0' });
    expect(lines[0].units).toEqual(META.units);
    expect(lines.slice(1).map((l) => [l.type, l.idx])).toEqual([
      ['candidate', 3],
      ['candidate', 5],
    ]);
  });

  it('keeps every tier of a candidate with its values and provenance', () => {
    const water = lines[1];
    expect(water.evaluations.map((e: { tier: string }) => e.tier)).toEqual(['gfn1', 'gfn2']);
    expect(water.evaluations[0].values.homoLumoGap).toBe(7.123456789012345);
    expect(water.evaluations[0]).toMatchObject({ code: 'xtb', codeVersion: '6.7.1', inputHash: 'ab12cd' });
    expect(lines[2].evaluations[1]).toMatchObject({ failureClass: 'circumstantial', failureKind: 'timeout' });
  });
});
