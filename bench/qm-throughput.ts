/**
 * QM throughput: 200 xtb GFN2 single points through a cascade campaign tier (real dev server, real worker,
 * two concurrent calculations, store and ledger writes, heartbeats) against `xargs -P 2` running xtb on the
 * same 200 geometries directly. Geometries are embedded once beforehand and shared by both, so the figure is
 * the orchestration overhead alone. Prints calculations per second for each and their ratio (goal >= 0.9),
 * the CPU each side spent per calculation (xtb; Temporal server, worker and launcher; xargs and the shells)
 * and the ratio of those (what a machine with every core busy would see, whatever else it runs), then one
 * JSON line.
 *
 *   npm run bench:qm-throughput [-- --n 200 --min-heavy 8 --max-heavy 20]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { describeMolecule } from '../activities/chem/rdkit.js';
import { smilesTo3D } from '../activities/qm/geometry.js';
import { startCampaignWorkflow } from '../cli/campaign-start.js';
import { startDevServer, stopDevServer } from '../cli/dev-server.js';
import { CampaignConfig } from '../lib/campaign/schema.js';
import { taskQueues } from '../lib/temporal/queues.js';
import { toXyz } from '../qm/molecule.js';
import { closeStores, openStore } from '../store/open.js';
import { createWorkers } from '../workers/main.js';
import { slotUse } from './slot-use.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
/** Molecules asked for; the NCI file may hold fewer of a size range (178 with 30-60 heavy atoms). */
const wanted = arg('--n', 200);
/** Molecule size sets the length of each calculation, and so the share of orchestration overhead. */
const minHeavy = arg('--min-heavy', 8);
const maxHeavy = arg('--max-heavy', 20);
const concurrency = 2;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Fields of /proc/<pid>/stat after the command name (state is [0]); [] when the process is gone. */
function statFields(pid: number | string): string[] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

/** utime + stime of a process from /proc (Linux), in seconds; with `children`, of its reaped children too. */
function processCpuSeconds(pid: number | undefined, children = false): number {
  if (pid === undefined) return Number.NaN;
  const f = statFields(pid);
  if (f.length === 0) return Number.NaN;
  const fields = children ? [13, 14] : [11, 12];
  return fields.reduce((s, i) => s + Number(f[i]), 0) / 100; // clock ticks: 100 per second on Linux
}

/** The launcher this process started (activities/qm/launcher.ts), if any. */
function launcherPid(): number | undefined {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const f = statFields(name);
    if (Number(f[1]) !== process.pid) continue;
    const comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
    if (comm === 'cascade-launche') return Number(name);
  }
  return undefined;
}

async function molecules(): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync('/usr/share/RDKit/Data/NCI/first_5K.smi', 'utf8').split('\n')) {
    const m = await describeMolecule(line.split(/\s+/)[0] ?? '');
    if (!m || m.fragments > 1 || m.formalCharge !== 0 || m.heavyAtoms < minHeavy || m.heavyAtoms > maxHeavy)
      continue;
    if (m.elements.some((e) => !['C', 'N', 'O', 'S', 'F', 'Cl'].includes(e)) || seen.has(m.canonical))
      continue;
    seen.add(m.canonical);
    out.push(m.canonical);
    if (out.length === wanted) break;
  }
  return out;
}

async function main() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-bench-'));
  process.env.CASCADE_HOME = home;
  const smiles = await molecules();
  // every rate and per-calculation figure counts the molecules both sides actually ran
  const n = smiles.length;
  if (n < wanted)
    console.warn(`only ${n} molecules of ${minHeavy}-${maxHeavy} heavy atoms found; running those`);
  writeFileSync(path.join(home, 'pool.smi'), `${smiles.join('\n')}\n`);

  // shared geometries: into the store for cascade, into one folder per molecule for xargs
  const direct = path.join(home, 'direct');
  const db = openStore();
  for (const [i, s] of smiles.entries()) {
    const g = await smilesTo3D(s);
    await db.putGeometry(
      s,
      'obabel-gen3d',
      JSON.stringify({ xyz: toXyz(g), charge: g.charge, multiplicity: g.multiplicity }),
    );
    mkdirSync(path.join(direct, String(i)), { recursive: true });
    writeFileSync(path.join(direct, String(i), 'input.xyz'), toXyz(g));
  }

  // the peer: xtb straight from xargs, two at a time, one thread each, each in its own session as cascade
  // starts codes (with the kernel's autogroup scheduling, a session is a scheduling group: under load from
  // other sessions, codes sharing one session would get less CPU than codes in sessions of their own)
  const dirs = smiles.map((_, i) => path.join(direct, String(i))).join('\n');
  const directCpu0 = processCpuSeconds(process.pid, true);
  const t0 = performance.now();
  await execa(
    'xargs',
    [
      '-P',
      String(concurrency),
      '-I{}',
      'setsid',
      '-w',
      'sh',
      '-c',
      'cd "$1" && xtb input.xyz --gfn 2 --json > out.txt 2>&1',
      'sh',
      '{}',
    ],
    {
      input: dirs,
      env: { OMP_NUM_THREADS: '1', OMP_STACKSIZE: '1G' },
    },
  );
  const directSeconds = (performance.now() - t0) / 1000;
  // xargs, the shells and xtb: everything the peer ran, reaped by now
  const directCpu = processCpuSeconds(process.pid, true) - directCpu0;

  // cascade: a one-round campaign whose random initial batch is the whole pool
  const serverHome = path.join(home, 'temporal');
  const server = await startDevServer({
    home: serverHome,
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: ':memory:',
  });
  process.env.TEMPORAL_ADDRESS = server.address;
  const prefix = 'bench-';
  const queues = taskQueues(prefix);
  const { workers, connection } = await createWorkers({
    queues: ['default', 'ml', 'qm'],
    prefix,
    qmConcurrency: concurrency,
  });
  const running = Promise.all(workers.map((w) => w.run()));
  const config = CampaignConfig.parse({
    name: 'qm-throughput',
    candidates: { source: path.join(home, 'pool.smi'), filters: { maxHeavyAtoms: 100 } },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    acquisition: { strategy: 'random', batchSize: n, initialBatch: n },
    tiers: [{ code: 'xtb', method: 'gfn2' }],
    budget: { rounds: 1, callsPerTier: { xtb: n } },
  });
  await db.saveCampaign(config.name, config);
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const serverCpu0 = processCpuSeconds(server.pid);
  const workerCpu0 = process.cpuUsage();
  const t1 = performance.now();
  const handle = await startCampaignWorkflow(client, { config, queues, workflowId: 'bench-qm-throughput' });
  // CPU from here on is the tier's: the pool is prepared once the first calculation starts
  let atFirst: { server: number; worker: NodeJS.CpuUsage } | undefined;
  const watch = setInterval(async () => {
    if (atFirst || (await db.listExecutions()).length === 0) return;
    atFirst = { server: processCpuSeconds(server.pid), worker: process.cpuUsage() };
    clearInterval(watch);
  }, 5);
  const result = await handle.result();
  clearInterval(watch);
  const cascadeSeconds = (performance.now() - t1) / 1000;
  const serverCpu = processCpuSeconds(server.pid) - serverCpu0;
  const w = process.cpuUsage(workerCpu0);
  const workerCpu = (w.user + w.system) / 1e6;
  const tierServerCpu = processCpuSeconds(server.pid) - (atFirst?.server ?? serverCpu0);
  const tw = process.cpuUsage(atFirst?.worker ?? workerCpu0);
  const tierWorkerCpu = (tw.user + tw.system) / 1e6;
  // the launcher starts with the first calculation: all of its CPU is the tier's
  const launcherCpu = processCpuSeconds(launcherPid()) || 0;
  const codesCpu = (await db.listEvaluations('qm-throughput')).reduce((a, e) => a + e.cpuSeconds, 0);
  const executions = await db.listExecutions();
  const ran = executions.filter((e) => e.status === 'ok').length;
  // the tier itself: from the first calculation's start to the last one's end (pool preparation excluded)
  const finished = executions.flatMap((e) =>
    e.finishedAt ? [{ start: Date.parse(e.startedAt) / 1000, end: Date.parse(e.finishedAt) / 1000 }] : [],
  );
  const tierSeconds =
    Math.max(...finished.map((r) => r.end)) -
    Math.min(...executions.map((e) => Date.parse(e.startedAt) / 1000));
  // where the slots stood idle: overhead per calculation shows as handoff gaps, the batch layout at the tail
  const slots = slotUse(finished, concurrency);

  for (const w of workers) w.shutdown();
  await running;
  await connection.close();
  await stopDevServer({ home: serverHome });
  await closeStores();
  rmSync(home, { recursive: true, force: true });

  const cascadeRate = (result.calls.xtb ?? 0) / cascadeSeconds;
  const tierRate = (result.calls.xtb ?? 0) / tierSeconds;
  const directRate = n / directSeconds;
  console.log(
    `xtb GFN2 single points: ${n} molecules (${minHeavy}-${maxHeavy} heavy atoms), ${concurrency} at a time, 1 thread each`,
  );
  console.log(
    `  xargs -P ${concurrency} (direct): ${directSeconds.toFixed(2)} s  ${directRate.toFixed(2)} calcs/s`,
  );
  console.log(
    `  cascade campaign tier:  ${cascadeSeconds.toFixed(2)} s  ${cascadeRate.toFixed(2)} calcs/s (${ran} calculations ran, ${result.failures} failed, whole workflow incl. pool preparation)`,
  );
  console.log(
    `  of which the tier (first calculation to last): ${tierSeconds.toFixed(2)} s  ${tierRate.toFixed(2)} calcs/s; time inside the runner: ${finished.reduce((a, r) => a + r.end - r.start, 0).toFixed(2)} slot-seconds`,
  );
  console.log(
    `  idle slot time in the tier: ${slots.idleSlotSeconds.toFixed(2)} slot-s = head ${slots.headIdle.toFixed(2)} + handoffs ${slots.middleIdle.toFixed(2)} (${slots.middleGaps} gaps, longest ${slots.longestMiddleGap.toFixed(3)} s) + tail ${slots.tailIdle.toFixed(2)}`,
  );
  console.log(
    `  CPU during the campaign: Temporal dev server ${serverCpu.toFixed(2)} s, worker process (excl. codes) ${workerCpu.toFixed(2)} s, launcher ${launcherCpu.toFixed(2)} s`,
  );
  const cascadeCpu = codesCpu + tierServerCpu + tierWorkerCpu + launcherCpu;
  const perCalc = (x: number) => `${((1000 * x) / n).toFixed(1)} ms`;
  console.log(
    `  CPU per calculation in the tier: direct ${perCalc(directCpu)} (xtb, sh, xargs); cascade ${perCalc(cascadeCpu)} = xtb ${perCalc(codesCpu)} + server ${perCalc(tierServerCpu)} + worker ${perCalc(tierWorkerCpu)} + launcher ${perCalc(launcherCpu)}`,
  );
  // with every core busy, throughput goes as 1 / CPU per calculation: a figure other load does not skew
  console.log(`  CPU-bound ratio (direct CPU / cascade CPU): ${(directCpu / cascadeCpu).toFixed(3)}`);
  console.log(
    `  ratio, tier (cascade / direct): ${(tierRate / directRate).toFixed(3)}   whole workflow: ${(cascadeRate / directRate).toFixed(3)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'qm-throughput',
      n,
      concurrency,
      heavyAtoms: [minHeavy, maxHeavy],
      directSeconds,
      cascadeSeconds,
      directRate,
      cascadeRate,
      tierSeconds,
      tierRate,
      slotUse: slots,
      ratio: tierRate / directRate,
      workflowRatio: cascadeRate / directRate,
      executions: ran,
      failed: result.failures,
      serverCpuSeconds: serverCpu,
      workerCpuSeconds: workerCpu,
      tierServerCpuSeconds: tierServerCpu,
      tierWorkerCpuSeconds: tierWorkerCpu,
      launcherCpuSeconds: launcherCpu,
      codesCpuSeconds: codesCpu,
      directCpuSeconds: directCpu,
      cpuRatio: directCpu / cascadeCpu,
      load1: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
    }),
  );
}

await main();
