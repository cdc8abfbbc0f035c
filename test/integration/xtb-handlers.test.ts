/**
 * xtb's restart handlers against the real xtb (Debian package `xtb`, 6.5.1): each failure provoked with the
 * real code, each handler judged by what it changed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HandledResult, runWithHandlers } from '../../activities/qm/handlers.js';
import { runCalculation } from '../../activities/qm/runner.js';
import { xtbTemplate } from '../../qm/codes/xtb/index.js';
import { xtbProfile } from '../../qm/codes/xtb/profile.js';
import { parseXyz } from '../../qm/molecule.js';
import type { CalcOutputs, CalcSpec, Geometry } from '../../qm/template.js';
import { fixtureMolecule } from '../helpers/fixtures.js';
import { ok } from '../helpers/outcomes.js';
import { processesIn } from '../helpers/processes.js';
import { gfn2Spec } from '../helpers/xtb-spec.js';

const workRoot = mkdtempSync(join(tmpdir(), 'cascade-xtb-handlers-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

const water = fixtureMolecule('xtb', 'water-gfn2');
const ethanol = fixtureMolecule('xtb', 'ethanol-opt-not-converged');
/** Cr2 at 1.7 Å: GFN2's SCC needs 18 iterations at 300 K, 14 at 1000 K and 10 at 3000 K (xtb 6.5.1). */
const cr2: Geometry = {
  symbols: ['Cr', 'Cr'],
  coords: [
    [0, 0, 0],
    [0, 0, 1.7],
  ],
  charge: 0,
  multiplicity: 1,
};
/** 100 waters on a 5x5x4 grid (3.1 Å apart): a GFN2 single point of a few seconds, long enough to be killed. */
const waterGrid: Geometry = (() => {
  const symbols: string[] = [];
  const coords: Geometry['coords'] = [];
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 5; j++)
      for (let k = 0; k < 4; k++) {
        const [x, y, z] = [3.1 * i, 3.1 * j, 3.1 * k];
        symbols.push('O', 'H', 'H');
        coords.push([x, y, z + 0.117], [x, y + 0.757, z - 0.467], [x, y - 0.757, z - 0.467]);
      }
  return { symbols, coords, charge: 0, multiplicity: 1 };
})();

const opts = { workRoot, timeoutMs: 60_000 };

/** What a plain run (no handlers) gives. */
async function plain(spec: CalcSpec, geom: Geometry): Promise<CalcOutputs> {
  return ok((await runCalculation(xtbTemplate, xtbProfile(), spec, geom, opts)).outcome);
}

const kinds = (r: HandledResult) => r.attempts.map((a) => (a.result === 'ok' ? 'ok' : a.result.kind));

/** The process group of the live xtb process whose working directory is below `dir`. */
const xtbProcessGroup = (dir: string): number | undefined =>
  processesIn(dir).find((p) => p.comm === 'xtb')?.pgrp;

describe('xtb restart handlers, real xtb', () => {
  it('SCF not converged in 3 iterations: xtb-more-iterations, and the energy of a normal run', async () => {
    const r = await runWithHandlers(
      xtbTemplate,
      xtbProfile(),
      gfn2Spec({ settings: { iterations: 3 } }),
      water,
      opts,
    );
    expect(kinds(r)).toEqual(['scf-not-converged', 'ok']);
    expect(r.handlersFired).toEqual(['xtb-more-iterations']);
    expect(r.spec.settings).toEqual({ iterations: 12 });
    expect(r.attempts[1]?.spec.settings).toEqual({ iterations: 12 });
    expect(readFileSync(join(r.provenance.workDir, '.cascade-stdout'), 'utf8')).toMatch(
      /max\. iterations\s+12\b/,
    );
    const normal = await plain(gfn2Spec(), water);
    expect(Math.abs(ok(r.outcome).totalEnergy - normal.totalEnergy)).toBeLessThan(1e-6);
    expect(r.cpuSeconds).toBeCloseTo(
      r.attempts.reduce((s, a) => s + a.cpuSeconds, 0),
      9,
    );
  });

  it('Cr2: more iterations are not enough, the electronic temperature climbs to 3000 K', async () => {
    const r = await runWithHandlers(
      xtbTemplate,
      xtbProfile(),
      gfn2Spec({ settings: { iterations: 3 } }),
      cr2,
      opts,
    );
    expect(kinds(r)).toEqual(['scf-not-converged', 'scf-not-converged', 'scf-not-converged', 'ok']);
    expect(r.handlersFired).toEqual([
      'xtb-more-iterations',
      'xtb-electronic-temperature',
      'xtb-electronic-temperature',
    ]);
    expect(r.attempts.map((a) => a.spec.settings)).toEqual([
      { iterations: 3 },
      { iterations: 12 },
      { iterations: 12, electronicTemperature: 1000 },
      { iterations: 12, electronicTemperature: 3000 },
    ]);
    expect(readFileSync(join(r.provenance.workDir, '.cascade-stdout'), 'utf8')).toMatch(
      /electronic temp\.\s+3000\.0+\s+K/,
    );
    // the same as asking for 3000 K in the first place
    const at3000 = await plain(gfn2Spec({ settings: { electronicTemperature: 3000 } }), cr2);
    expect(Math.abs(ok(r.outcome).totalEnergy - at3000.totalEnergy)).toBeLessThan(1e-6);
  });

  it('optimisation out of cycles: xtb-more-cycles goes on from the last geometry and converges', async () => {
    const r = await runWithHandlers(
      xtbTemplate,
      xtbProfile(),
      gfn2Spec({ task: 'optimize', settings: { cycles: 2 } }),
      ethanol,
      opts,
    );
    expect(kinds(r)).toEqual(['opt-not-converged', 'ok']);
    expect(r.handlersFired).toEqual(['xtb-more-cycles']);
    expect(r.attempts[1]).toMatchObject({ handler: 'xtb-more-cycles', fromLastGeometry: true });
    expect(r.spec.settings).toEqual({ cycles: 6 });

    // the first attempt's last geometry (xtb 6.5.1 leaves it in xtbopt.xyz) is the second one's input
    const [first, second] = r.attempts;
    const last = parseXyz(readFileSync(join(first?.workDir ?? '', 'xtbopt.xyz'), 'utf8'));
    const input = parseXyz(readFileSync(join(second?.workDir ?? '', 'input.xyz'), 'utf8'));
    expect(input.symbols).toEqual(ethanol.symbols);
    const largest = Math.max(
      ...input.coords.flatMap((c, i) => c.map((v, k) => Math.abs(v - (last.coords[i]?.[k] ?? Number.NaN)))),
    );
    expect(largest).toBeLessThan(1e-9); // input.xyz has 10 decimals, xtbopt.xyz 14
    expect(input.coords).not.toEqual(ethanol.coords);
    expect(r.system.coords).toEqual(last.coords);

    const out = ok(r.outcome);
    expect(out.finalGeometry?.symbols).toEqual(ethanol.symbols);
    const normal = await plain(gfn2Spec({ task: 'optimize' }), ethanol);
    expect(Math.abs(out.totalEnergy - normal.totalEnergy)).toBeLessThan(1e-4);
  });

  it('a run killed from outside is run once more, as it was', async () => {
    let killedGroup: number | undefined;
    const r = await runWithHandlers(xtbTemplate, xtbProfile(), gfn2Spec(), waterGrid, {
      ...opts,
      onProgress: () => {
        if (killedGroup !== undefined) return;
        killedGroup = xtbProcessGroup(workRoot);
        if (killedGroup !== undefined) process.kill(-killedGroup, 'SIGKILL');
      },
    });
    expect(killedGroup).toBeGreaterThan(0);
    expect(kinds(r)).toEqual(['killed', 'ok']);
    expect(r.handlersFired).toEqual(['retry-after-signal']);
    expect(r.attempts[1]?.spec).toEqual(r.attempts[0]?.spec);
    expect(r.attempts[1]?.inputHash).toBe(r.attempts[0]?.inputHash);
    expect(ok(r.outcome).totalEnergy).toBeLessThan(-500);
    expect(r.ended).toBe('ok');
  });

  it('invalid input is not restarted', async () => {
    const bySolvent = await runWithHandlers(
      xtbTemplate,
      xtbProfile(),
      gfn2Spec({ solvent: 'notasolvent' }),
      water,
      opts,
    );
    expect(kinds(bySolvent)).toEqual(['invalid-input']);
    expect(bySolvent.outcome).toMatchObject({ kind: 'invalid-input', message: /not parametrized/ });
    expect(bySolvent.ended).toBe('non-retryable');
    expect(bySolvent.handlersFired).toEqual([]);

    const byTemplate = await runWithHandlers(
      xtbTemplate,
      xtbProfile(),
      gfn2Spec({ settings: { iterations: 0 } }),
      water,
      opts,
    );
    expect(byTemplate.outcome).toMatchObject({ kind: 'invalid-input', message: /iterations/ });
    expect(byTemplate.attempts).toHaveLength(1);
  });
});
