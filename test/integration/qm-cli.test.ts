/** `cascade qm run` and `cascade qm doctor` as a user runs them: real codes, a fresh store, JSON out. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../activities/store/db.js';
import { getQmResult } from '../../activities/store/qm-results.js';
import { mgoJson } from '../helpers/crystals.js';

const root = path.resolve(import.meta.dirname, '../..');
const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-qm-cli-'));
const water = path.join(home, 'water.xyz');
writeFileSync(water, '3\nwater\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n');
const mgo = path.join(home, 'mgo.json');
writeFileSync(mgo, JSON.stringify(mgoJson));

function cascade(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/cascade.js'), ...args], {
    env: { ...process.env, CASCADE_HOME: home },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cascade qm run', () => {
  it('runs xtb once and answers the same request from the store', { timeout: 60_000 }, () => {
    const first = cascade('qm', 'run', '--code', 'xtb', '--method', 'gfn2', '--xyz', water, '--json');
    expect(first.code, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout);
    expect(a).toMatchObject({
      status: 'ok',
      code: 'xtb',
      codeVersion: '6.5.1',
      method: 'gfn2',
      cached: false,
    });
    expect(a.totalEnergy).toBeCloseTo(-5.0703759, 6);
    expect(a.homoLumoGap).toBeGreaterThan(10);
    expect(typeof a.wallSeconds).toBe('number');
    expect(typeof a.cpuSeconds).toBe('number');

    const second = JSON.parse(cascade('qm', 'run', '--code', 'xtb', '--xyz', water, '--json').stdout);
    expect(second.cached).toBe(true);
    expect(second.key).toBe(a.key);
    expect(second.totalEnergy).toBe(a.totalEnergy);

    // the stored row says exactly what ran, where, how often and at what cost
    process.env.CASCADE_HOME = home;
    const row = getQmResult(openStore(path.join(home, 'cascade.db')), a.key);
    const prov = row?.provenance as Record<string, unknown> & {
      inputs: { files: Record<string, string>; argv: string[] };
    };
    expect(prov.inputs.argv).toContain('--gfn');
    expect(prov.inputs.files['input.xyz']).toMatch(/^3\n/);
    expect(prov).toMatchObject({ code: 'xtb', codeVersion: '6.5.1', exitCode: 0, handlersFired: [] });
    expect(prov.attempts).toHaveLength(1);
    expect(typeof prov.host).toBe('string');
    expect(prov.maxRssKb).toBeGreaterThan(1000);

    // a different setting is a different calculation
    const hot = JSON.parse(
      cascade('qm', 'run', '--code', 'xtb', '--xyz', water, '--set', 'electronicTemperature=1000', '--json')
        .stdout,
    );
    expect(hot.cached).toBe(false);
    expect(hot.key).not.toBe(a.key);
  });

  it('runs NWChem: water at B3LYP/6-31G* is -76.40865 hartree', { timeout: 60_000 }, () => {
    const r = cascade(
      'qm',
      'run',
      '--code',
      'nwchem',
      '--method',
      'b3lyp',
      '--basis',
      '6-31G*',
      '--xyz',
      water,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      status: 'ok',
      code: 'nwchem',
      codeVersion: '7.0.2',
      basis: '6-31G*',
      cached: false,
    });
    expect(Math.abs(out.totalEnergy - -76.40865)).toBeLessThan(1e-5);
    expect(
      JSON.parse(
        cascade('qm', 'run', '--code', 'nwchem', '--basis', '6-31G*', '--xyz', water, '--json').stdout,
      ).cached,
    ).toBe(true);
  });

  it('runs Elk on a crystal from --structure', { timeout: 120_000 }, () => {
    const r = cascade(
      'qm',
      'run',
      '--code',
      'elk',
      '--structure',
      mgo,
      '--set',
      'rgkmax=7',
      '--set',
      'kpoints=[4,4,4]',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'ok', code: 'elk', cached: false });
    expect(out.totalEnergy).toBeCloseTo(-275.7127, 3);
    expect(out.bandGap).toBeGreaterThan(3);
  });

  it('refuses what it cannot run, naming the problem (exit 2)', () => {
    const unknown = cascade('qm', 'run', '--code', 'gaussian', '--xyz', water);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown code "gaussian" \(known: .*xtb/);
    const crystalForMolecule = cascade('qm', 'run', '--code', 'xtb', '--structure', mgo);
    expect(crystalForMolecule.code).toBe(2);
    expect(crystalForMolecule.stderr).toMatch(/molecules: give --xyz FILE or --smiles/);
    const missing = cascade('qm', 'run', '--code', 'xtb', '--xyz', path.join(home, 'nope.xyz'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.xyz/);
  });

  it('reports a calculation that fails as a failure (exit 1) with its class', { timeout: 60_000 }, () => {
    const r = cascade('qm', 'run', '--code', 'xtb', '--xyz', water, '--solvent', 'notasolvent', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('failed');
    expect(out.failure.kind).toBe('invalid-input');
  });
});

describe('cascade qm doctor', () => {
  it('lists each code with its version', () => {
    const r = cascade('qm', 'doctor', '--json');
    const rows = JSON.parse(r.stdout) as { name: string; found: boolean; version: string }[];
    const byName = Object.fromEntries(rows.map((x) => [x.name, x]));
    expect(byName.xtb).toMatchObject({ found: true, version: '6.5.1' });
    expect(byName.elk).toMatchObject({ found: true, version: '8.4.30' });
    expect(byName.nwchem).toMatchObject({ found: true, version: '7.0.2' });
    expect(byName.obabel?.found).toBe(true);
  });

  it('names the Debian package of a code that is missing', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/cascade.js'), 'qm', 'doctor'], {
      env: { ...process.env, CASCADE_HOME: home, CASCADE_XTB: '/nonexistent/xtb' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/missing\s+xtb\s+install with: apt-get install xtb/);
  });
});
