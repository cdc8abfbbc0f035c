/** `cascade qm run` and `cascade qm doctor` as a user runs them: real codes, a fresh store, JSON out. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../store/open.js';
import { mgoJson } from '../helpers/crystals.js';

const root = path.resolve(import.meta.dirname, '../..');
const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-qm-cli-'));
const water = path.join(home, 'water.xyz');
writeFileSync(water, '3\nwater\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n');
const mgo = path.join(home, 'mgo.json');
writeFileSync(mgo, JSON.stringify(mgoJson));

/** The CLI in a child process, awaited: a synchronous spawn would block this process, which hosts vitest's RPC. */
async function cascade(...args: string[]) {
  const r = await execa(process.execPath, [path.join(root, 'bin/cascade.js'), ...args], {
    env: { ...process.env, CASCADE_HOME: home },
    reject: false,
    timeout: 120_000,
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

describe('cascade qm run', () => {
  it('runs xtb once and answers the same request from the store', { timeout: 60_000 }, async () => {
    const first = await cascade('qm', 'run', '--code', 'xtb', '--method', 'gfn2', '--xyz', water, '--json');
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

    const second = JSON.parse((await cascade('qm', 'run', '--code', 'xtb', '--xyz', water, '--json')).stdout);
    expect(second.cached).toBe(true);
    expect(second.key).toBe(a.key);
    expect(second.totalEnergy).toBe(a.totalEnergy);

    // the stored row says exactly what ran, where, how often and at what cost
    process.env.CASCADE_HOME = home;
    const row = await openStore(path.join(home, 'cascade.db')).getQmResult(a.key);
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
      (
        await cascade(
          'qm',
          'run',
          '--code',
          'xtb',
          '--xyz',
          water,
          '--set',
          'electronicTemperature=1000',
          '--json',
        )
      ).stdout,
    );
    expect(hot.cached).toBe(false);
    expect(hot.key).not.toBe(a.key);
  });

  it('runs NWChem: water at B3LYP/6-31G* is -76.40865 hartree', { timeout: 60_000 }, async () => {
    const r = await cascade(
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
        (await cascade('qm', 'run', '--code', 'nwchem', '--basis', '6-31G*', '--xyz', water, '--json'))
          .stdout,
      ).cached,
    ).toBe(true);
  });

  it('runs Elk on a crystal from --structure', { timeout: 120_000 }, async () => {
    const r = await cascade(
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

  it('refuses what it cannot run, naming the problem (exit 2)', async () => {
    const unknown = await cascade('qm', 'run', '--code', 'gaussian', '--xyz', water);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown code "gaussian" \(known: .*xtb/);
    const crystalForMolecule = await cascade('qm', 'run', '--code', 'xtb', '--structure', mgo);
    expect(crystalForMolecule.code).toBe(2);
    expect(crystalForMolecule.stderr).toMatch(/molecules: give --xyz FILE or --smiles/);
    const missing = await cascade('qm', 'run', '--code', 'xtb', '--xyz', path.join(home, 'nope.xyz'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.xyz/);
  });

  // issue 16, case 6: these printed stack traces
  it('refuses a bad --smiles with one line and exit 2, never a stack trace', {
    timeout: 60_000,
  }, async () => {
    const oneLine = (r: Awaited<ReturnType<typeof cascade>>, message: RegExp) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    };
    oneLine(
      await cascade('qm', 'run', '--code', 'xtb', '--smiles', 'C1CC'),
      /--smiles: .*"C1CC".*unmatched ring bonds/,
    );
    oneLine(await cascade('qm', 'run', '--code', 'xtb', '--smiles=-h'), /--smiles: .*"-h".*not an atom/);
    oneLine(await cascade('qm', 'run', '--code', 'xtb', '--smiles', 'not_a_smiles'), /--smiles: /);
    // 1000 carbons: the embedding runs out of time, bounded by --timeout, and says so with the size
    const started = Date.now();
    const big = await cascade('qm', 'run', '--code', 'xtb', '--smiles', 'C'.repeat(1000), '--timeout', '3');
    oneLine(
      big,
      /^--smiles: embedding 1000 atoms \(hydrogens not counted\) in 3D timed out after 3 s; give a geometry with --xyz FILE instead$/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('refuses an XYZ whose atom count does not match its atom lines, with the line numbers (exit 2)', async () => {
    const three = path.join(home, 'three-listed.xyz');
    writeFileSync(three, '2\nwater?\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n');
    const r = await cascade('qm', 'run', '--code', 'xtb', '--xyz', three);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`${three}: XYZ: line 1 declares 2 atoms, but lines 3-5 list 3`);
  });

  it('reports a calculation that fails as a failure (exit 1) with its class', {
    timeout: 60_000,
  }, async () => {
    const r = await cascade(
      'qm',
      'run',
      '--code',
      'xtb',
      '--xyz',
      water,
      '--solvent',
      'notasolvent',
      '--json',
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('failed');
    expect(out.failure.kind).toBe('invalid-input');
  });
});

describe('cascade qm run with a code described in YAML', () => {
  const xtbYaml = path.join(root, 'configs/codes/xtb.yaml');

  it('runs xtb through configs/codes/xtb.yaml with --code-file', { timeout: 60_000 }, async () => {
    const r = await cascade('qm', 'run', '--code-file', xtbYaml, '--xyz', water, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // the description's default method is the first of its methods (gfn2); its version names the description
    expect(out).toMatchObject({ status: 'ok', code: 'xtb', method: 'gfn2', cached: false });
    expect(out.codeVersion).toMatch(/^6\.5\.1 \(description [0-9a-f]{12}\)$/);
    // the same GFN2 numbers as the built-in xtb template, read from stdout by the description's rules
    expect(out.totalEnergy).toBeCloseTo(-5.0703759, 6);
    expect(out.homoLumoGap).toBeGreaterThan(10);
    expect(out.dipoleMoment).toBeGreaterThan(1);

    const again = JSON.parse(
      (await cascade('qm', 'run', '--code-file', xtbYaml, '--xyz', water, '--json')).stdout,
    );
    expect(again).toMatchObject({ cached: true, key: out.key });
    // cached apart from the built-in xtb: same code name, different version string
    const builtIn = JSON.parse(
      (await cascade('qm', 'run', '--code', 'xtb', '--xyz', water, '--json')).stdout,
    );
    expect(builtIn.key).not.toBe(out.key);
    expect(builtIn.codeVersion).toBe('6.5.1');
  });

  it('finds --code NAME in $CASCADE_HOME/codes/NAME.yaml, with its settings from --set', {
    timeout: 60_000,
  }, async () => {
    mkdirSync(path.join(home, 'codes'), { recursive: true });
    const text = readFileSync(xtbYaml, 'utf8').replace(/^code: xtb$/m, 'code: xtb-stdout');
    writeFileSync(path.join(home, 'codes', 'xtb-stdout.yaml'), text);
    const r = await cascade(
      'qm',
      'run',
      '--code',
      'xtb-stdout',
      '--method',
      'gfn1',
      '--xyz',
      water,
      '--set',
      'iterations=100',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'ok', code: 'xtb-stdout', method: 'gfn1', cached: false });
    expect(out.totalEnergy).toBeLessThan(-5);

    const unknownSetting = await cascade(
      'qm',
      'run',
      '--code',
      'xtb-stdout',
      '--xyz',
      water,
      '--set',
      'maxiter=5',
      '--json',
    );
    expect(unknownSetting.code).toBe(1);
    expect(JSON.parse(unknownSetting.stdout).failure).toMatchObject({ kind: 'invalid-input' });
    expect(JSON.parse(unknownSetting.stdout).failure.message).toMatch(/unknown xtb-stdout setting "maxiter"/);
  });

  it('refuses a broken description with its problems, positioned (exit 2)', async () => {
    const broken = path.join(home, 'broken.yaml');
    writeFileSync(broken, 'code: demo\nbinary: xtb\nargv: ["{{metod}}"]\nparse: {}\n');
    const r = await cascade('qm', 'run', '--code-file', broken, '--xyz', water);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${broken}: not a usable code description`);
    expect(r.stderr).toMatch(/broken\.yaml:3:\d+ argv\.0: .*\{\{metod\}\}/);
  });
});

describe('cascade qm doctor', () => {
  it('lists each code with its version', async () => {
    const r = await cascade('qm', 'doctor', '--json');
    const rows = JSON.parse(r.stdout) as { name: string; found: boolean; version: string }[];
    const byName = Object.fromEntries(rows.map((x) => [x.name, x]));
    expect(byName.xtb).toMatchObject({ found: true, version: '6.5.1' });
    expect(byName.elk).toMatchObject({ found: true, version: '8.4.30' });
    expect(byName.nwchem).toMatchObject({ found: true, version: '7.0.2' });
    expect(byName.obabel?.found).toBe(true);
  });

  it('names the Debian package of a code that is missing', async () => {
    const r = await execa(process.execPath, [path.join(root, 'bin/cascade.js'), 'qm', 'doctor'], {
      env: { ...process.env, CASCADE_HOME: home, CASCADE_XTB: '/nonexistent/xtb' },
      reject: false,
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/missing\s+xtb\s+install with: apt-get install xtb/);
  });
});

describe('cascade qm run: stored failures', () => {
  // an all-trans alkane of 100 carbons (302 atoms): a GFN2 single point of several seconds, never under 1 s
  const alkane = path.join(home, 'c100.xyz');
  const atoms: string[] = [];
  for (let i = 0; i < 100; i++) {
    const [x, y, s] = [i * 1.257, i % 2 === 0 ? 0 : 0.889, i % 2 === 0 ? -1 : 1];
    atoms.push(`C ${x} ${y} 0`, `H ${x} ${y + s * 0.629} 0.89`, `H ${x} ${y + s * 0.629} -0.89`);
  }
  atoms.push('H -1.03 0.36 0', `H ${99 * 1.257 + 1.03} ${0.889 - 0.36} 0`);
  writeFileSync(alkane, `${atoms.length}\nC100H202\n${atoms.join('\n')}\n`);
  const run = (...args: string[]) => cascade('qm', 'run', '--code', 'xtb', '--json', ...args);
  const runsOf = async (key: string) => {
    process.env.CASCADE_HOME = home;
    return (await openStore(path.join(home, 'cascade.db')).listExecutions({ key })).map((e) => e.status);
  };

  it('computes a timeout again under a longer time limit, and answers it from the store under the same one', {
    timeout: 240_000,
  }, async () => {
    const short = await run('--xyz', alkane, '--timeout', '1');
    expect(short.code, short.stderr).toBe(1);
    const timedOut = JSON.parse(short.stdout);
    expect(timedOut).toMatchObject({ status: 'failed', cached: false });
    expect(timedOut.failure).toMatchObject({
      kind: 'timeout',
      class: 'circumstantial',
      limits: { timeoutSeconds: 1, threads: 1 },
    });
    expect(timedOut.failure.message).toMatch(/exceeded its 1000 ms time limit/);
    // the same limit: the stored timeout answers
    expect(JSON.parse((await run('--xyz', alkane, '--timeout', '1')).stdout)).toMatchObject({
      status: 'failed',
      cached: true,
      key: timedOut.key,
    });

    // a longer limit: computed again, under the same key, and it finishes
    const long = await run('--xyz', alkane, '--timeout', '600');
    expect(long.code, long.stderr).toBe(0);
    expect(JSON.parse(long.stdout)).toMatchObject({ status: 'ok', cached: false, key: timedOut.key });
    // from now on the result answers, whatever the limit
    expect(JSON.parse((await run('--xyz', alkane, '--timeout', '1')).stdout)).toMatchObject({
      status: 'ok',
      cached: true,
    });
    expect(await runsOf(timedOut.key)).toEqual(['timeout', 'ok']);
  });

  it('answers an invalid input from the store under any limits; --recompute runs it again', {
    timeout: 60_000,
  }, async () => {
    const first = JSON.parse((await run('--xyz', water, '--solvent', 'nosuchsolvent')).stdout);
    expect(first).toMatchObject({ status: 'failed', cached: false });
    expect(first.failure).toMatchObject({ kind: 'invalid-input', class: 'deterministic' });
    const longer = JSON.parse(
      (await run('--xyz', water, '--solvent', 'nosuchsolvent', '--timeout', '7200')).stdout,
    );
    expect(longer).toMatchObject({ status: 'failed', cached: true, key: first.key });
    const forced = JSON.parse(
      (await run('--xyz', water, '--solvent', 'nosuchsolvent', '--recompute')).stdout,
    );
    expect(forced).toMatchObject({ status: 'failed', cached: false, key: first.key });
    expect(await runsOf(first.key)).toEqual(['invalid-input', 'invalid-input']);

    // --recompute runs a stored good result again too, under its key
    const ok = JSON.parse((await run('--xyz', water, '--set', 'electronicTemperature=500')).stdout);
    const again = JSON.parse(
      (await run('--xyz', water, '--set', 'electronicTemperature=500', '--recompute')).stdout,
    );
    expect(again).toMatchObject({ status: 'ok', cached: false, key: ok.key });
    expect(again.totalEnergy).toBeCloseTo(ok.totalEnergy, 8);
    expect(await runsOf(ok.key)).toEqual(['ok', 'ok']);
  });
});
