/** What `cascade status` prints: the progress block, the top candidates and the resource totals. */
import { describe, expect, it } from 'vitest';
import {
  bar,
  formatFailures,
  formatPool,
  formatProgress,
  formatResources,
  formatTop,
  UNITS,
} from '../../cli/format.js';
import type { Progress } from '../../lib/campaign/progress.js';
import { Property } from '../../lib/campaign/schema.js';

function progress(overrides: Partial<Progress> = {}): Progress {
  return {
    campaign: 'demo',
    status: 'running',
    phase: 'idle',
    round: 2,
    calls: { xtb: 12 },
    failures: 0,
    cpuSeconds: 90,
    energyJoules: 1080,
    roundsWithoutImprovement: 0,
    poolSize: 60,
    limits: { rounds: 5, calls: { xtb: 40 } },
    batch: { size: 0, done: 0, failed: 0 },
    ...overrides,
  };
}

const lineStarting = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('bar', () => {
  it('fills in proportion to done/total', () => {
    expect(bar(0, 4, 8)).toBe('[--------]');
    expect(bar(1, 4, 8)).toBe('[##------]');
    expect(bar(4, 4, 8)).toBe('[########]');
    expect(bar(1, 3, 3)).toBe('[#--]');
  });

  it('defaults to 24 characters between the brackets', () => {
    expect(bar(1, 2)).toBe(`[${'#'.repeat(12)}${'-'.repeat(12)}]`);
  });

  it('never overflows, and an empty total draws an empty bar', () => {
    expect(bar(9, 3, 6)).toBe('[######]');
    expect(bar(5, 0, 6)).toBe('[------]');
  });
});

describe('formatProgress', () => {
  it('shows the campaign, its status and phase, and round x/y', () => {
    const text = formatProgress(progress({ phase: 'training' }), { execution: 'RUNNING' });
    expect(text.split('\n')[0]).toMatch(/^campaign {2}demo {3}running \(training\)$/);
    expect(lineStarting(text, 'rounds')).toBe(`rounds    ${bar(2, 5)} 2/5`);
  });

  it('shows calls with their limits, and calls without a limit as a bare count', () => {
    const text = formatProgress(
      progress({ calls: { xtb: 12, dft: 3 }, limits: { rounds: 5, calls: { xtb: 40 } } }),
      { execution: 'RUNNING' },
    );
    expect(lineStarting(text, 'calls')).toBe('calls     xtb 12/40, dft 3   pool 60');
  });

  it('says when no calls were made yet and counts failed candidates', () => {
    expect(
      lineStarting(formatProgress(progress({ calls: {} }), { execution: 'RUNNING' }), 'calls'),
    ).toContain('none yet');
    expect(
      lineStarting(formatProgress(progress({ failures: 2 }), { execution: 'RUNNING' }), 'calls'),
    ).toContain('; 2 candidate(s) failed');
  });

  it('shows CPU hours and energy, with their budgets, and the CO2e at the campaign intensity', () => {
    const plain = lineStarting(formatProgress(progress(), { execution: 'RUNNING' }), 'CPU');
    expect(plain).toBe('CPU       0.0250 h   energy 0.30 Wh');
    const limited = progress({ limits: { rounds: 5, calls: {}, cpuHours: 2, energyKWh: 0.5, co2eKg: 0.2 } });
    // 1080 J = 0.3 Wh; at 500 g/kWh that is 0.15 g
    expect(
      lineStarting(formatProgress(limited, { execution: 'RUNNING', carbon: { gramsPerKWh: 500 } }), 'CPU'),
    ).toBe('CPU       0.0250 h of 2 h   energy 0.30 Wh of 500 Wh   CO2e 0.15 g of 200.0 g');
  });

  it('shows the best candidate with its unit', () => {
    const p = progress({ best: { idx: 4, label: 'NSC 1234', identity: 'c1ccccc1O', value: 7.123456 } });
    expect(lineStarting(formatProgress(p, { execution: 'RUNNING', unit: 'eV' }), 'best')).toBe(
      'best      7.1235 eV  NSC 1234  c1ccccc1O',
    );
    expect(lineStarting(formatProgress(p, { execution: 'RUNNING' }), 'best')).toBe(
      'best      7.1235  NSC 1234  c1ccccc1O',
    );
    expect(lineStarting(formatProgress(progress(), { execution: 'RUNNING' }), 'best')).toBeUndefined();
  });

  it('shows a crystal best by its structure key, and a result recorded before identity by its SMILES', () => {
    const crystal = progress({ best: { idx: 0, label: 'MgO', identity: 'Fm-3m:Mg1O1', value: 4.5 } });
    expect(lineStarting(formatProgress(crystal, { execution: 'RUNNING' }), 'best')).toBe(
      'best      4.5000  MgO  Fm-3m:Mg1O1',
    );
    // a campaign that finished before `identity` returned its best with `smiles`
    const recorded = { idx: 4, label: 'NSC 1234', smiles: 'c1ccccc1O', value: 7.123456 };
    const old = progress({ best: recorded as unknown as Progress['best'] });
    expect(lineStarting(formatProgress(old, { execution: 'COMPLETED' }), 'best')).toBe(
      'best      7.1235  NSC 1234  c1ccccc1O',
    );
  });

  it('shows the batch bar only while evaluating', () => {
    const p = progress({ phase: 'evaluating', batch: { size: 4, done: 3, failed: 1 } });
    expect(lineStarting(formatProgress(p, { execution: 'RUNNING' }), 'batch')).toBe(
      `batch     ${bar(3, 4)} 3/4 (1 failed)`,
    );
    expect(lineStarting(formatProgress(progress(), { execution: 'RUNNING' }), 'batch')).toBeUndefined();
  });

  it('shows a closed campaign by its execution status, with the stop reason', () => {
    const p = progress({
      status: 'finished',
      phase: 'idle',
      round: 5,
      stopReason: 'round budget spent (5 rounds)',
    });
    const text = formatProgress(p, { execution: 'COMPLETED' });
    expect(text.split('\n')[0]).toMatch(/^campaign {2}demo {3}completed$/);
    expect(lineStarting(text, 'stopped')).toBe('stopped   round budget spent (5 rounds)');
    expect(lineStarting(formatProgress(progress(), { execution: 'RUNNING' }), 'stopped')).toBeUndefined();
  });

  it('shows a paused campaign, the surrogate and the Web UI link', () => {
    const p = progress({
      status: 'paused',
      lastModel: { id: 'demo-r2', backend: 'cpu', trainedOn: 12, metrics: {} },
    });
    const text = formatProgress(p, { execution: 'RUNNING', uiUrl: 'http://localhost:8233/x' });
    expect(text.split('\n')[0]).toMatch(/paused$/);
    expect(lineStarting(text, 'surrogate')).toBe('surrogate demo-r2 on cpu, trained on 12');
    expect(lineStarting(text, 'Web UI')).toBe('Web UI    http://localhost:8233/x');
  });

  it('says when the surrogate learned differences between tiers and by how much its spread was scaled', () => {
    const metrics = {
      baseTrainedOn: 40,
      stdScale: 1.8312,
      baseStdScale: 1.2,
      recalibrationFolds: 5,
      heldOutCoverage90: 0.6,
    };
    const text = formatProgress(
      progress({
        lastModel: {
          id: 'demo-r3',
          backend: 'wasm',
          trainedOn: 9,
          labelTier: 'nwchem',
          fidelity: 'delta',
          baseTier: 'xtb',
          metrics,
        },
      }),
      { execution: 'RUNNING' },
    );
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('surrogate'));
    expect(lines[at]).toBe(
      'surrogate demo-r3 on wasm, trained on 9 nwchem results, as differences from xtb (Delta-learning; base on 40 xtb results)',
    );
    expect(lines[at + 1]).toBe(
      '          spread scale 1.831 (base 1.200), from 5-fold held-out predictions whose 90% intervals covered 0.600 before',
    );
  });
});

describe('formatTop', () => {
  it('numbers the candidates in the order given, with value, unit, label and SMILES', () => {
    const text = formatTop(
      [
        { idx: 7, label: 'NSC 7', identity: 'CCO', value: 9.87654 },
        { idx: 2, label: 'NSC 2', identity: 'CC#N', value: 8.5 },
      ],
      'eV',
    );
    expect(text.split('\n')).toEqual([
      'top candidates',
      '  1. 9.8765 eV  NSC 7        CCO',
      '  2. 8.5000 eV  NSC 2        CC#N',
    ]);
  });

  it('prints nothing for no candidates, and no unit when none is given', () => {
    expect(formatTop([])).toBe('');
    expect(formatTop([{ idx: 0, label: 'a', identity: 'C', value: -1 }])).toContain('  1. -1.0000  a ');
  });
});

describe('formatResources', () => {
  it('lists each activity and totals CPU hours and energy', () => {
    const modelled = { energyMethods: ['model'], hardware: ['AMD EPYC (2 logical CPUs)'] };
    const text = formatResources(
      [
        {
          activity: 'ml:train+screen',
          calls: 2,
          wallSeconds: 12.34,
          cpuSeconds: 360,
          energyJoules: 4320,
          ...modelled,
        },
        {
          activity: 'qm:xtb',
          calls: 10,
          wallSeconds: 40,
          cpuSeconds: 3240,
          energyJoules: 38_880,
          ...modelled,
        },
      ],
      { gramsPerKWh: 475, source: '475 g/kWh (world average)' },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'resources (energy: modelled from CPU time and memory (Green Algorithms style); on AMD EPYC (2 logical CPUs))',
    );
    expect(lines[1]).toMatch(/^ {2}ml:train\+screen +2 calls +wall +12\.3 s +CPU +360\.0 s +1\.200 Wh$/);
    expect(lines[2]).toMatch(/^ {2}qm:xtb +10 calls +wall +40\.0 s +CPU +3240\.0 s +10\.800 Wh$/);
    // 3600 CPU-seconds = 1 h; 43,200 J = 12 Wh
    // 12 Wh x 475 g/kWh = 5.7 g
    expect(lines[3]).toBe('  total CPU 1.0000 h, energy 12.0 Wh, CO2e 5.70 g at 475 g/kWh (world average)');
  });

  it('prints nothing when nothing was recorded', () => {
    expect(formatResources([])).toBe('');
  });
});

describe('UNITS', () => {
  it('names the unit of each objective property', () => {
    expect(Object.keys(UNITS).sort()).toEqual([...Property.options].sort());
    expect(UNITS).toMatchObject({ homoLumoGap: 'eV', totalEnergy: 'Eh', dipoleMoment: 'D', bandGap: 'eV' });
    expect(UNITS.formationEnergy).toBe('eV/atom');
  });
});

describe('formatPool', () => {
  const pool = {
    source: '/data/mols.smi',
    read: 20,
    kept: 12,
    rejected: { unparseable: 2, 'too large': 1, 'too many heavy atoms': 5 },
    rejections: {
      unparseable: [
        { line: 3, label: 'bad-ring', why: 'unclosed ring' },
        { line: 17, label: 'line17', why: 'syntax error' },
      ],
      'too large': [{ line: 6, label: 'chain800', why: '800 atoms (limit 300)' }],
      'too many heavy atoms': [1, 2, 4, 8, 9].map((line) => ({
        line,
        label: `m${line}`,
        why: '31 heavy atoms (max 30)',
      })),
    },
  };

  it('counts the rejected by reason, most first, and names the first lines of each reason in file order', () => {
    expect(formatPool(pool).split('\n')).toEqual([
      'pool      12 kept of 20 read from /data/mols.smi; 8 rejected: too many heavy atoms 5, unparseable 2, too large 1',
      '          line 1 (m1) too many heavy atoms: 31 heavy atoms (max 30)',
      '          line 2 (m2) too many heavy atoms: 31 heavy atoms (max 30)',
      '          line 3 (bad-ring) unparseable: unclosed ring',
      '          line 4 (m4) too many heavy atoms: 31 heavy atoms (max 30)',
      '          line 6 (chain800) too large: 800 atoms (limit 300)',
      '          line 17 (line17) unparseable: syntax error',
      '          (6 of the 8 rejected lines shown)',
    ]);
  });

  it('says only what it knows of a pool prepared before rejections were kept, and nothing without a pool', () => {
    const { rejections: _, ...old } = pool;
    expect(formatPool(old).split('\n')).toHaveLength(1);
    expect(formatPool({ ...old, rejected: {} })).toBe('pool      12 kept of 20 read from /data/mols.smi');
    expect(formatPool(undefined)).toBe('');
  });
});

describe('formatFailures', () => {
  it('groups failed evaluations by class, one line per tier, most frequent first', () => {
    const text = formatFailures([
      { tier: 'xtb', kind: 'timeout', count: 1 },
      { tier: 'xtb', kind: 'scf-not-converged', count: 3 },
      { tier: 'dft', kind: 'embedding', count: 2 },
    ]);
    expect(text.split('\n')).toEqual([
      'failures  xtb: scf-not-converged 3, timeout 1',
      '          dft: embedding 2',
    ]);
    expect(formatFailures([])).toBe('');
  });
});
