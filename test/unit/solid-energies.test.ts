import { describe, expect, it } from 'vitest';
import {
  referenceCells,
  referenceTier,
  withSolidEnergies,
} from '../../activities/campaign/solid-energies.js';
import type { CalculationResult } from '../../activities/qm/calculate.js';
import { CampaignConfig, type ElkTierConfig } from '../../lib/campaign/schema.js';
import type { Crystal } from '../../lib/domain/geometry.js';
import { EV_PER_HARTREE } from '../../lib/domain/units.js';
import { NO_USAGE } from '../../lib/domain/usage.js';
import { cellVolume, rockSalt } from '../../qm/structure.js';

const usage = (cpuSeconds: number) => ({ ...NO_USAGE, cpuSeconds });

function result(energy: number | undefined, cpuSeconds = 1): CalculationResult {
  return {
    key: `k${energy}`,
    cached: false,
    usage: usage(cpuSeconds),
    record: {
      key: `k${energy}`,
      code: 'elk',
      codeVersion: '8.4.30',
      method: 'pbe',
      settings: {},
      geometryHash: 'h',
      provenance: {},
      ...(energy === undefined
        ? {
            status: 'failed' as const,
            failure: { kind: 'scf-not-converged', message: 'no SCF', retryable: false },
          }
        : { status: 'ok' as const, outputs: { totalEnergy: energy, bandGap: 4.5, warnings: [] } }),
    },
  } as CalculationResult;
}

const mgo: Crystal = rockSalt('Mg', 'O', 7.96);

describe('withSolidEnergies', () => {
  it('is (E - sum n_i mu_i) / N in eV/atom, each mu the lowest of its element scan', async () => {
    // per-element scans: the lowest energy counts (O's at the second cell, Mg's at the first)
    const scans: Record<string, number[]> = {
      Mg: [-200.1, -200.05, -199.9, -199.8],
      O: [-74.7, -74.8, -74.75, -74.7],
    };
    const seen: Record<string, number> = {};
    const out = await withSolidEnergies(mgo, result(-275.5, 10), async (symbol) => {
      const i = seen[symbol] ?? 0;
      seen[symbol] = i + 1;
      return result(scans[symbol]?.[i] as number, 2);
    });
    const o = out.record.outputs as Record<string, number>;
    expect(o.energyPerAtom).toBeCloseTo((-275.5 / 2) * EV_PER_HARTREE, 9);
    expect(o.formationEnergy).toBeCloseTo(((-275.5 - -200.1 - -74.8) / 2) * EV_PER_HARTREE, 9);
    expect(seen).toEqual({ Mg: 4, O: 4 });
    // the references' CPU time is the evaluation's too
    expect(out.usage.cpuSeconds).toBe(10 + 8 * 2);
  });

  it('leaves formationEnergy out, with a warning, when every cell of an element failed', async () => {
    const out = await withSolidEnergies(mgo, result(-275.5), async (symbol) =>
      result(symbol === 'O' ? undefined : -200),
    );
    const o = out.record.outputs as { formationEnergy?: number; energyPerAtom: number; warnings: string[] };
    expect(o.formationEnergy).toBeUndefined();
    expect(o.energyPerAtom).toBeLessThan(0);
    expect(o.warnings.join('\n')).toMatch(/every O reference cell \(fcc\) failed: no SCF/);
  });

  it('keeps a scan whose stretched cell failed', async () => {
    let n = 0;
    const out = await withSolidEnergies(mgo, result(-275.5), async (symbol) =>
      result(n++ % 4 === 3 ? undefined : symbol === 'Mg' ? -200 : -75),
    );
    expect((out.record.outputs as { formationEnergy?: number }).formationEnergy).toBeDefined();
  });

  it('passes a failed calculation through untouched', async () => {
    const failed = result(undefined);
    expect(await withSolidEnergies(mgo, failed, async () => result(-1))).toBe(failed);
  });
});

describe('the reference cells', () => {
  it('scan one-atom fcc cells of growing volume', () => {
    const cells = referenceCells('O');
    expect(cells.map((c) => c.symbols)).toEqual(cells.map(() => ['O']));
    const volumes = cells.map((c) => cellVolume(c));
    for (let i = 1; i < volumes.length; i++)
      expect(volumes[i] as number).toBeGreaterThan(volumes[i - 1] as number);
  });

  it('run at the ladder reference rgkmax for a ladder tier, else at the tier settings', () => {
    const config = CampaignConfig.parse({
      name: 'x',
      crystals: { generate: { prototypes: ['rockSalt'], A: ['Mg'], B: ['O'] } },
      objective: { property: 'formationEnergy', direction: 'minimize' },
      tiers: [
        { code: 'elk', settings: { rgkmax: 5 } },
        { code: 'elk', name: 'ladder', settings: { rgkmax: 5 }, cbs: { rgkmax: [5, 6, 7, 8] } },
      ],
    });
    const [plain, ladder] = config.tiers as ElkTierConfig[];
    expect(referenceTier(plain as ElkTierConfig).settings.rgkmax).toBe(5);
    const ref = referenceTier(ladder as ElkTierConfig, 9);
    expect(ref.settings.rgkmax).toBe(9);
    expect(ref.cbs).toBeUndefined();
  });
});

describe('an implausible formation energy', () => {
  it('fails the result with its reason, keeping what the references cost', async () => {
    // 33 Ha too high for two atoms: +450 eV/atom
    const out = await withSolidEnergies(mgo, result(-275.5 + 33, 3), async () => result(-100, 1));
    expect(out.record.status).toBe('failed');
    expect(out.record.failure).toMatchObject({ kind: 'implausible-energy', class: 'deterministic' });
    expect(out.record.failure?.message).toMatch(/formation energy -?\d+\.\d eV\/atom is not physical/);
    expect(out.usage.cpuSeconds).toBe(3 + 8);
  });
});
