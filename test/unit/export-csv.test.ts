import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../lib/export/csv.js';
import { ACETATE, META, WATER } from '../helpers/export-records.js';

describe('CSV export', () => {
  const rows = parse(toCsv([WATER, ACETATE], META), { columns: true }) as Record<string, string>[];

  it('writes one row per evaluation, every property in its own column with its unit', () => {
    expect(rows.map((r) => [r.idx, r.tier])).toEqual([
      ['3', 'gfn1'],
      ['3', 'gfn2'],
      ['5', 'gfn1'],
      ['5', 'gfn2'],
    ]);
    const first = rows[0] as Record<string, string>;
    // the shortest decimal that reads back as the same double
    expect(Number(first.homoLumoGap_eV)).toBe(7.123456789012345);
    expect(Number(first.totalEnergy_Eh)).toBe(-5.070544440612);
    expect(first.dipoleMoment_D).toBe('1.8');
    // a property the tier did not report is empty, not zero
    expect(rows[1]?.dipoleMoment_D).toBe('');
  });

  it('carries status, failure class, provenance, licence and version on every row', () => {
    const failed = rows[3] as Record<string, string>;
    expect(failed).toMatchObject({
      status: 'failed',
      failure_class: 'circumstantial',
      failure_kind: 'timeout',
      message: 'xtb ran past 120 s\nkilled',
      homoLumoGap_eV: '',
    });
    const first = rows[0] as Record<string, string>;
    expect(first).toMatchObject({
      label: 'water, "wet"',
      identity: 'O',
      code: 'xtb',
      code_version: '6.7.1',
      method: 'gfn1',
      settings: '{"accuracy":1,"solvent":"water"}',
      input_hash: 'ab12cd',
      result_key: 'ef34',
      cpu_seconds: '0.25',
      energy_J: '3.5',
      energy_source: 'ledger',
      energy_method: 'rapl',
      host: 'node-1',
      date: '2026-12-04T11:00:00.000Z',
      cached: 'false',
      licence: 'CC-BY-4.0',
      cascade_version: '0.1.0',
    });
    expect(rows[1]?.cached).toBe('true');
  });

  it('writes the header even with no candidates', () => {
    const text = toCsv([], META);
    expect(text.split('\r\n')).toHaveLength(2);
    expect(text).toMatch(/^idx,label,kind,identity,tier,round,status,/);
  });
});
