/**
 * The `cascade` command as a user runs it: every command's help, validation errors, and a tiny real campaign
 * driven from launch to finish (attach, status, pause, resume, relaunch refused) through child processes, with a
 * real worker process and the shared dev server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageOf } from '../../activities/usage.js';
import type { Counterfactual } from '../../lib/campaign/counterfactual.js';
import type { Progress } from '../../lib/campaign/progress.js';
import { campaignWorkflowId } from '../../lib/temporal/queues.js';
import { openStore } from '../../store/open.js';
import { progressQuery } from '../../workflows/campaign.js';
import { type TestEnv, testEnv } from '../helpers/campaign-env.js';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/cascade.js');

let env: TestEnv;
let dir: string;
let worker: ChildProcess | undefined;
let workerLog = '';
let name: string;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, for messages */
  out: string;
}

function cli(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...env.env } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cascade ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, out: `$ cascade ${args.join(' ')}\n${stdout}${stderr}` });
    });
  });
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; worker log ends:\n${workerLog.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `cascade status NAME --json`, parsed: stdout must be exactly one JSON object. */
async function statusJson(
  campaign: string,
): Promise<{ execution: string; progress?: Progress; [k: string]: unknown }> {
  const r = await cli(['status', campaign, '--json']);
  expect(r.code, r.out).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines, r.out).toHaveLength(1);
  return JSON.parse(lines[0] as string);
}

const handle = () => env.client.workflow.getHandle(campaignWorkflowId(name));

beforeAll(async () => {
  env = await testEnv();
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-cli-'));
  name = `cli-${env.prefix.replace(/-$/, '')}`;
  // started early: it bundles the workflows while the quick tests run
  worker = spawn(process.execPath, [bin, 'worker', '--qm-concurrency', '2'], {
    cwd: dir,
    env: { ...process.env, ...env.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    workerLog = (workerLog + d).slice(-20_000);
  };
  worker.stdout?.on('data', keep);
  worker.stderr?.on('data', keep);
});

afterAll(async () => {
  await handle()
    .terminate('cli test cleanup')
    .catch(() => undefined); // normally it has finished already
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((r) => worker?.once('exit', r));
    worker.kill('SIGTERM'); // graceful shutdown
    const timer = setTimeout(() => worker?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await env?.client.connection.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('help', () => {
  const commands: [string[], string][] = [
    [['validate'], 'check a campaign file against the schema'],
    [['launch'], 'start a campaign, or re-attach to it if it is already running'],
    [['status'], 'rounds, budget spent, best so far'],
    [['pause'], 'pause after the calculations in flight finish'],
    [['resume'], 'resume a paused campaign'],
    [['stop'], 'stop gracefully'],
    [['server'], 'the embedded Temporal dev server'],
    [['server', 'start'], 'start it in the background'],
    [['server', 'stop'], 'stop the dev server this project started'],
    [['server', 'status'], 'is it running, where, and with which database file'],
    [['worker'], 'run a worker process'],
  ];

  it('every command and subcommand explains itself with --help and exits 0', async () => {
    const results = await Promise.all(commands.map(([c]) => cli([...c, '--help'])));
    results.forEach((r, i) => {
      const [command, purpose] = commands[i] as [string[], string];
      expect(r.code, r.out).toBe(0);
      const text = r.stdout.replace(/\s+/g, ' ');
      expect(text, r.out).toContain(`Usage: cascade ${command.join(' ')}`);
      expect(text, r.out).toContain(purpose);
    });
    // the top level lists every command
    const top = await cli(['--help']);
    expect(top.code, top.out).toBe(0);
    for (const c of ['validate', 'launch', 'status', 'pause', 'resume', 'stop', 'server', 'worker']) {
      expect(top.stdout).toMatch(new RegExp(`^ {2}${c}\\b`, 'm'));
    }
  });
});

describe('validate', () => {
  it('accepts the demo campaign', async () => {
    const r = await cli(['validate', path.join(root, 'configs/demo.yaml')]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain('ok (campaign "demo", 1 tier(s))');
  });

  it('reports every problem as FILE:LINE:COL path: message in file order, exit 2, and launches nothing', async () => {
    const bad = `bad-${name}`;
    const file = path.join(dir, 'bad.yaml');
    // the fields are out of the schema's order, so that sorting by line is visible
    writeFileSync(
      file,
      `tiers:
  - code: xtb
    method: gfn3
name: ${bad}
candidates:
  source: /usr/share/RDKit/Data/NCI/first_5K.smi
  limt: 5
objective:
  property: homoLumoGap
  direction: sideways
`,
    );
    const r = await cli(['validate', file]);
    expect(r.code, r.out).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.out).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(`^${escapeRe(file)}:3:13 tiers\\.0\\.method: .*"gfn3".*did you mean "gfn2"`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${escapeRe(file)}:7:3 candidates\\.limt: unknown key "limt".*"limit"`),
    );
    expect(lines[2]).toMatch(
      new RegExp(`^${escapeRe(file)}:10:14 objective\\.direction: .*maximize, minimize`),
    );

    const launched = await cli(['launch', file]);
    expect(launched.code, launched.out).toBe(2);
    expect(launched.stderr).toBe(r.stderr);
    expect(launched.stdout).not.toContain('launched');
    await expect(env.client.workflow.getHandle(campaignWorkflowId(bad)).describe()).rejects.toMatchObject({
      name: 'WorkflowNotFoundError',
    });
  });

  it('a missing file is exit 2 with a message naming it', async () => {
    const file = path.join(dir, 'nowhere.yaml');
    for (const command of ['validate', 'launch']) {
      const r = await cli([command, file]);
      expect(r.code, r.out).toBe(2);
      expect(r.stderr.trim()).toMatch(new RegExp(`^cannot read ${escapeRe(file)}: ENOENT`));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

/** Issue 16, case 4: what `launch` used to accept (exit 0) and the workflow failed on later, refused before launch. */
describe('candidates files checked before launch', () => {
  const campaignFile = (tag: string, candidates: string) => {
    const file = path.join(dir, `${tag}.yaml`);
    writeFileSync(
      file,
      `name: ${tag}-${name}
candidates:
${candidates}
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`,
    );
    return file;
  };
  const data = (file: string, content: string | Buffer) => {
    const p = path.join(dir, file);
    writeFileSync(p, content);
    return p;
  };

  it('refuses each bad file with exit 2, naming the file (and line), and launches nothing', {
    timeout: 120_000,
  }, async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('CCO a\nCCN b\nCCC c\nCCCl d\n', 'utf16le'),
    ]);
    const cases: [string, string, RegExp][] = [
      [
        'missing',
        `  source: ${path.join(dir, 'absent.smi')}`,
        /cannot read candidates file .*absent\.smi: ENOENT/,
      ],
      ['unreadable', `  source: ${dir}`, /cannot read candidates file .*: it is a directory/],
      [
        'ragged',
        `  source: ${data('ragged.csv', 'smiles,id\nCCO,a\nCCN,b,x\n')}\n  idColumn: id`,
        /ragged\.csv:3: 3 fields where the header has 2/,
      ],
      ['utf16', `  source: ${data('wide.smi', utf16)}`, /wide\.smi: UTF-16 .*save it as UTF-8/],
      [
        'binary',
        `  source: ${data('photo.smi', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48]))}`,
        /photo\.smi: not a text file \(NUL bytes/,
      ],
      [
        'latin1',
        `  source: ${data('accents.smi', Buffer.from('CCO ethanol\nCC(=O)O acide-acétique\n', 'latin1'))}`,
        /accents\.smi:2: not UTF-8 \(byte 0xE9\)/,
      ],
      [
        'dupids',
        `  source: ${data('dups.smi', 'CCO X\nCCN Y\nCCC X\n')}`,
        /dups\.smi:3: duplicate id "X" \(first on line 1\)/,
      ],
      [
        'empty',
        `  source: ${data('none.smi', '# nothing here\n')}`,
        /none\.smi: no molecules in the candidates file/,
      ],
    ];
    for (const [tag, candidates, message] of cases) {
      const file = campaignFile(tag, candidates);
      for (const command of ['validate', 'launch']) {
        const r = await cli([command, file]);
        expect(r.code, `${tag}: ${r.out}`).toBe(2);
        expect(r.stderr, `${tag}: ${r.out}`).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        expect(r.stdout).not.toContain('launched');
      }
      await expect(
        env.client.workflow.getHandle(campaignWorkflowId(`${tag}-${name}`)).describe(),
      ).rejects.toMatchObject({ name: 'WorkflowNotFoundError' });
      expect(await openStore().getCampaign(`${tag}-${name}`), tag).toBeUndefined();
    }
  });

  it('validate counts the molecules and names those too large for RDKit', async () => {
    const source = data('mixed.smi', `CCO a\nCCN b\n${'C'.repeat(800)} chain\n`);
    const r = await cli(['validate', campaignFile('mixed', `  source: ${source}`)]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain(`candidates: 3 molecule(s) in ${source} (smi)`);
    expect(r.stdout).toContain(`${source}:3 (chain) 800 atoms (limit 300)`);
  });

  it('launch refuses bad tier settings exactly as validate does', async () => {
    const file = path.join(dir, 'settings.yaml');
    writeFileSync(
      file,
      `name: settings-${name}
candidates:
  source: /usr/share/RDKit/Data/NCI/first_5K.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
    settings:
      iterations: -3
      acurracy: 1
`,
    );
    const v = await cli(['validate', file]);
    expect(v.code, v.out).toBe(2);
    expect(v.stderr).toMatch(/settings\.yaml:10:\d+ tiers\.0\.settings\.iterations/);
    expect(v.stderr).toMatch(/settings\.yaml:11:\d+ tiers\.0\.settings\.acurracy: unknown key/);
    const l = await cli(['launch', file]);
    expect(l.code, l.out).toBe(2);
    expect(l.stderr).toBe(v.stderr);
  });

  it('a workflow start that fails leaves no campaign in the store', { timeout: 60_000 }, async () => {
    const tag = `orphan-${name}`;
    const file = campaignFile('orphan', '  source: /usr/share/RDKit/Data/NCI/first_5K.smi');
    // a namespace the server does not have: the connection works, the start is refused
    const r = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'launch', file], {
        cwd: dir,
        env: { ...process.env, ...env.env, TEMPORAL_NAMESPACE: `missing-${env.prefix}` },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr, out: `${stdout}${stderr}` }));
    });
    expect(r.code, r.out).not.toBe(0);
    expect(r.stderr).toContain(`could not start campaign "${tag}"`);
    expect(r.stdout).not.toContain('launched');
    expect(await openStore().getCampaign(tag)).toBeUndefined();
  });
});

describe('a campaign driven from the command line', () => {
  let file: string;
  let runId: string;

  beforeAll(() => {
    file = path.join(dir, 'tiny.yaml');
    writeFileSync(
      file,
      `name: ${name}
seed: 3
candidates:
  source: /usr/share/RDKit/Data/NCI/first_5K.smi
  limit: 60
  filters:
    maxHeavyAtoms: 12
    elements: [C, N, O]
objective:
  property: homoLumoGap
  direction: maximize
surrogate:
  ensembleSize: 2
  hiddenLayers: [16]
  epochs: 10
  features:
    morganBits: 256
acquisition:
  batchSize: 3
  initialBatch: 4
tiers:
  - code: xtb
budget:
  rounds: 3
  callsPerTier:
    xtb: 10
`,
    );
  });

  it('launches, pauses after the calculations in flight, and stays paused', { timeout: 90_000 }, async () => {
    const first = await cli(['launch', file]);
    expect(first.code, first.out).toBe(0);
    expect(first.stdout).toContain(`launched campaign "${name}" (workflow cascade-${name})`);
    runId = (await handle().describe()).runId;

    // paused at once: a campaign this small could otherwise finish before the signal lands
    const pause = await cli(['pause', name]);
    expect(pause.code, pause.out).toBe(0);
    expect(pause.stdout).toContain(`pause requested for "${name}"`);

    const paused = await until('status "paused"', 60_000, async () => {
      const s = await statusJson(name);
      expect(s.execution, 'the campaign ended instead of pausing').toBe('RUNNING');
      return s.progress?.status === 'paused' ? s.progress : undefined;
    });
    // it pauses between rounds, only once the calculations of the round in flight are done
    expect(paused.phase).toBe('idle');
    expect(paused.batch.done).toBe(paused.batch.size);
    expect([0, 4, 7]).toContain(paused.calls.xtb ?? 0); // 4 random, then batches of 3
    expect(paused.round).toBe([0, 4, 7].indexOf(paused.calls.xtb ?? 0));

    // nothing moves while paused
    await new Promise((r) => setTimeout(r, 2500));
    const still = await handle().query(progressQuery);
    expect(still).toMatchObject({ status: 'paused', round: paused.round, calls: paused.calls });
  });

  it('pausing it again says it is already paused, exits 1, and changes nothing', async () => {
    const before = await handle().query(progressQuery);
    const again = await cli(['pause', name]);
    expect(again.code, again.out).toBe(1);
    expect(again.stderr.trim()).toBe(`cannot pause campaign "${name}": already paused`);
    expect(again.stdout).not.toContain('pause requested');
    const after = await handle().query(progressQuery);
    expect(after).toMatchObject({ status: 'paused', round: before.round, calls: before.calls });
  });

  it('launching it again attaches instead of starting another, and status --json reports progress', {
    timeout: 60_000,
  }, async () => {
    const again = await cli(['launch', file]);
    expect(again.code, again.out).toBe(0);
    expect(again.stdout).toContain(
      `campaign "${name}" is already running: attached (workflow cascade-${name})`,
    );
    expect(again.stdout).not.toContain('launched');
    const d = await handle().describe();
    expect(d.status.name).toBe('RUNNING');
    expect(d.runId).toBe(runId); // the same run: nothing was started or restarted

    const s = await statusJson(name);
    expect(s).toMatchObject({ workflowId: `cascade-${name}`, runId, execution: 'RUNNING' });
    expect(s.progress).toMatchObject({
      campaign: name,
      status: 'paused',
      limits: { rounds: 3, calls: { xtb: 10 } },
    });
    expect(s.progress?.poolSize).toBeGreaterThan(20);
    expect(s.progress?.poolSize).toBeLessThanOrEqual(60);
    expect(Array.isArray(s.top)).toBe(true);
    expect(Array.isArray(s.resources)).toBe(true);
    expect(s.webUi).toContain(`cascade-${name}`);
  });

  it('resumes and runs to the end of its budget', { timeout: 90_000 }, async () => {
    const resume = await cli(['resume', name]);
    expect(resume.code, resume.out).toBe(0);
    expect(resume.stdout).toContain(`resumed "${name}"`);
    const result = await handle().result();
    expect(result).toMatchObject({
      status: 'finished',
      round: 3,
      calls: { xtb: 10 },
      stopReason: 'round budget spent (3 rounds)',
    });
    expect((await handle().describe()).runId).toBe(runId);
  });

  it('lists every campaign when no name is given', async () => {
    const r = await cli(['status', '--json']);
    expect(r.code, r.out).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      campaign: string;
      execution: string;
      round: number;
      evaluations: number;
    }[];
    expect(rows.find((x) => x.campaign === name)).toMatchObject({
      execution: 'COMPLETED',
      round: 3,
      evaluations: 10,
    });
    const text = (await cli(['status'])).stdout;
    expect(text).toMatch(/^campaign +state +round +calls +best/m);
    expect(text).toMatch(new RegExp(`^${name} +completed +3 +10 +\\d+\\.\\d{4}`, 'm'));
  });

  it('shows a finished campaign with its top candidates and resources', async () => {
    const r = await cli(['status', name]);
    expect(r.code, r.out).toBe(0);
    const text = r.stdout;
    expect(text).toMatch(new RegExp(`^campaign {2}${name} {3}completed$`, 'm'));
    expect(text).toContain('rounds    [########################] 3/3');
    expect(text).toContain('calls     xtb 10/10');
    expect(text).toContain('stopped   round budget spent (3 rounds)');
    expect(text).toMatch(/^best {6}\d+\.\d{4} eV {2}\S/m);
    expect(text).toContain('top candidates');
    const top = text.split('\n').filter((l) => /^ {2}\d+\. /.test(l));
    expect(top.length).toBeGreaterThanOrEqual(5);
    expect(top.length).toBeLessThanOrEqual(10);
    const values = top.map((l) => Number(/^ +\d+\. (-?\d+\.\d+) eV/.exec(l)?.[1]));
    expect(values).toEqual([...values].sort((a, b) => b - a)); // best first when maximising
    // energy says how it was obtained (no RAPL on this machine: the model) and on what hardware
    expect(text).toMatch(
      /^resources \(energy: modelled from CPU time and memory \(Green Algorithms style\); on .+\)$/m,
    );
    expect(text).toMatch(/^ {2}qm:xtb +10 calls/m);
    expect(text).toMatch(/^ {2}geometry +\d+ calls/m);
    expect(text).toMatch(/^ {2}ml:train\+screen +2 calls/m);
    expect(text).toMatch(/^ {2}platform:worker +\d+ calls/m);
    expect(text).toMatch(
      /^ {2}total CPU \d+\.\d{4} h, energy \S+ k?Wh, CO2e \S+ k?g at 475 g\/kWh \(world average/m,
    );
  });

  // issue 11, item 5: what brute force would have cost, from the same store the resources come from
  it('reports what brute force would have cost, the calls avoided and the hits per kWh, in JSON and text', async () => {
    const s = await statusJson(name);
    const progress = s.progress as Progress;
    const cf = s.counterfactual as Counterfactual;
    const resources = s.resources as { activity: string; energyJoules: number }[];
    expect(cf, JSON.stringify(s)).toBeDefined();
    expect(cf.poolSize).toBe(progress.poolSize);
    const [xtb] = cf.tiers;
    if (!xtb?.median || !cf.bruteForce.firstTier)
      throw new Error(`no xtb cost measured: ${JSON.stringify(cf)}`);
    expect(xtb).toMatchObject({ tier: 'xtb', calls: progress.calls.xtb });
    expect(xtb.measured).toBeGreaterThan(0);
    expect(xtb.measured).toBeLessThanOrEqual(10);
    // every candidate at the median; one tier: through all tiers is the same
    expect(cf.bruteForce.firstTier.energyJoules).toBeCloseTo(cf.poolSize * xtb.median.energyJoules, 6);
    expect(cf.bruteForce.allTiers).toEqual(cf.bruteForce.firstTier);
    // brute force computes 10 candidates and more at the same kind of cost as the campaign's: at least its QM
    const spent = (keep: (activity: string) => boolean) =>
      resources.filter((r) => keep(r.activity)).reduce((a, r) => a + r.energyJoules, 0);
    const qm = spent((a) => a.startsWith('qm:') || (xtb.withGeometry && a === 'geometry'));
    expect(qm).toBeGreaterThan(0);
    expect(cf.bruteForce.firstTier.energyJoules).toBeGreaterThanOrEqual(qm);
    expect(cf.actual.energyJoules).toBeCloseTo(
      spent(() => true),
      6,
    );
    expect(cf.saved.vsFirstTier?.energyJoules).toBeCloseTo(
      cf.bruteForce.firstTier.energyJoules - cf.actual.energyJoules,
      6,
    );
    expect(cf.topTierCallsAvoided).toBe(cf.poolSize - (progress.calls.xtb ?? 0));
    // no target: the hits are the campaign's 10 best (top-k), which brute force finds as well
    const top = s.top as { value: number }[];
    expect(cf.hits).toMatchObject({ tier: 'xtb', definition: 'top-k', k: 10, found: 10, bruteForce: 10 });
    expect(cf.hits.threshold).toBe(top[9]?.value);
    expect(cf.hits.perKWh).toBeCloseTo(10 / (cf.actual.energyJoules / 3.6e6), 6);
    expect(cf.hits.bruteForcePerKWh).toBeCloseTo(10 / (cf.bruteForce.firstTier.energyJoules / 3.6e6), 6);

    const text = (await cli(['status', name])).stdout;
    expect(text).toMatch(
      new RegExp(
        `^brute force \\(${cf.poolSize} candidates x the median measured per candidate(, calculations only: .*)?\\): every candidate at xtb [\\d.]+ Wh$`,
        'm',
      ),
    );
    expect(text).toMatch(
      new RegExp(`^ {2}this campaign .* Wh .*, ${cf.topTierCallsAvoided} xtb calls avoided$`, 'm'),
    );
    expect(text).toMatch(
      /^ {2}hits: 10 \(top 10 at xtb\), [\d,.]+ per kWh vs [\d,.]+ per kWh for brute force$/m,
    );
  });

  // issue 16, case 6: rejected candidates were only counts in SQLite
  it('shows the rejected candidates by reason with their first lines, in text and JSON', async () => {
    const r = await cli(['status', name]);
    expect(r.code, r.out).toBe(0);
    const poolLine = r.stdout.split('\n').find((l) => l.startsWith('pool '));
    expect(poolLine, r.out).toMatch(
      /^pool {6}\d+ kept of \d+ read from \/usr\/share\/RDKit\/Data\/NCI\/first_5K\.smi; \d+ rejected: .*too many heavy atoms \d+/,
    );
    const rejectedLines = r.stdout.split('\n').filter((l) => /^ {10}line \d+ \(/.test(l));
    expect(rejectedLines.length, r.out).toBeGreaterThan(0);
    const s = await statusJson(name);
    const pool = s.pool as {
      rejected: Record<string, number>;
      rejections: Record<string, { line: number; label: string }[]>;
    };
    expect(pool.rejected['too many heavy atoms']).toBeGreaterThan(0);
    // the lines named are the file's lines: the label there is the one reported
    const lines = readFileSync('/usr/share/RDKit/Data/NCI/first_5K.smi', 'utf8').split('\n');
    const named = Object.values(pool.rejections).flat();
    expect(named.length).toBeGreaterThan(0);
    for (const { line, label } of named) expect(lines[line - 1]?.split(/\s+/)[1]).toBe(label);
    expect(Array.isArray(s.failures)).toBe(true);
  });

  it('refuses to launch a finished campaign again, with a hint to resume it', async () => {
    const r = await cli(['launch', file]);
    expect(r.code, r.out).not.toBe(0);
    expect(r.stderr).toContain(`campaign "${name}" already ran (completed)`);
    expect(r.stderr).toContain(`cascade resume ${name}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await handle().describe()).runId).toBe(runId);
  });

  it('pause and stop say a finished campaign is not running instead of failing', async () => {
    for (const command of ['pause', 'stop']) {
      const r = await cli([command, name]);
      expect(r.code, r.out).toBe(1);
      expect(r.stderr.trim()).toBe(
        `campaign "${name}" is not running (completed), so there is nothing to ${command}; continue it with: cascade resume ${name}`,
      );
    }
  });

  it('resume refuses a budget that is not a positive number, and starts nothing', async () => {
    for (const [option, value] of [
      ['--rounds', '3x'],
      ['--calls', '0'],
      ['--cpu-hours', 'lots'],
    ]) {
      const r = await cli(['resume', name, option as string, value as string]);
      expect(r.code, r.out).not.toBe(0);
      expect(r.stderr).toContain(`option '${option} <`);
      expect(r.stderr).toContain(`argument '${value}' is invalid`);
    }
    const d = await handle().describe();
    expect(d.runId).toBe(runId);
    expect(d.status.name).toBe('COMPLETED');
  });

  it('still shows the stored results when Temporal does not know the campaign (retention, another server)', async () => {
    // the store holds a campaign whose workflow this server has never seen
    const db = openStore();
    const stored = await db.getCampaign(name);
    if (!stored) throw new Error('the finished campaign is not in the store');
    const archived = `${name}-archived`;
    await db.saveCampaign(archived, { ...stored.config, name: archived });
    await db.putCandidates(archived, await db.listCandidates(name));
    for (const e of await db.listEvaluations(name)) await db.putEvaluation(archived, e);
    await db.record({
      campaignId: archived,
      round: 0,
      activity: 'qm:xtb',
      usage: usageOf({ wallSeconds: 1, cpuSeconds: 0.5 }),
    });
    const r = await cli(['status', archived]);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain('not in temporal');
    expect(r.stdout).toContain(`no campaign named "${archived}"`);
    expect(r.stdout).toContain('showing the store');
    expect(r.stdout).toContain('top candidates');
    expect(r.stdout).toMatch(/^ {2}qm:xtb +1 calls/m);
  });
});

describe('unknown campaigns', () => {
  it('stop names the campaign it cannot find and exits 1', async () => {
    const r = await cli(['stop', `nobody-${name}`]);
    expect(r.code, r.out).toBe(1);
    expect(r.stderr.trim()).toBe(`no campaign named "nobody-${name}" (launch it with: cascade launch FILE)`);
  });
});

describe('cbs eval', () => {
  it('cross-validates the committed data set and ends with one JSON line of scores', async () => {
    const data = path.join(root, 'data/cbs');
    const r = await cli(['cbs', 'eval', '--data', data, '--folds', '3', '--trees', '30'], 120_000);
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toMatch(
      /^solids\.jsonl: \d+ calculations \(\d+ failed\) on \d+ compounds, [\d.]+ CPU-h$/m,
    );
    const last = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(Object.keys(last.elk.scores)).toEqual(expect.arrayContaining(['qrf', 'stoichiometric']));
    expect(Object.keys(last.nwchem.scores)).toEqual(
      expect.arrayContaining(['qrf', 'qrf (whole ladder)', 'exp-sqrt', 'halkier']),
    );
    for (const code of ['elk', 'nwchem']) {
      const qrf = last[code].scores.qrf;
      expect(qrf.smape).toBeGreaterThan(0);
      expect(qrf.smape).toBeLessThan(100);
      expect(qrf.coverage).toBeGreaterThan(0.5);
    }
  });

  it('names the missing data set instead of failing obscurely', async () => {
    const r = await cli(['cbs', 'eval', '--data', path.join(dir, 'nothing-here')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no data set in');
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
