/**
 * QM throughput: 200 xtb GFN2 single points through a cascade campaign tier (real dev server, real worker,
 * two concurrent calculations, store and ledger writes, heartbeats) against `xargs -P 2` running xtb on the
 * same 200 geometries directly. Geometries are embedded once beforehand and shared by both, so the figure is
 * the orchestration overhead alone. Prints calculations per second for each and their ratio (goal >= 0.9),
 * then one JSON line.
 *
 *   npm run bench:qm-throughput [-- --n 200 --min-heavy 8 --max-heavy 20]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { describeMolecule } from '../activities/chem/rdkit.js';
import { smilesTo3D, toXyz } from '../activities/qm/geometry.js';
import { saveCampaign } from '../activities/store/campaigns.js';
import { closeStores, openStore } from '../activities/store/db.js';
import { putGeometry } from '../activities/store/qm-results.js';
import { startDevServer, stopDevServer } from '../cli/dev-server.js';
import { CampaignConfig } from '../lib/campaign/schema.js';
import { limitsFromConfig } from '../lib/campaign/stopping.js';
import { taskQueues } from '../lib/temporal/queues.js';
import { createWorkers } from '../workers/main.js';
import { CampaignWorkflow } from '../workflows/campaign.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const n = arg('--n', 200);
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

/** utime + stime of a process from /proc (Linux), in seconds. */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks: 100 per second on Linux
  } catch {
    return Number.NaN;
  }
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
    if (out.length === n) break;
  }
  return out;
}

async function main() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-bench-'));
  process.env.CASCADE_HOME = home;
  const smiles = await molecules();
  writeFileSync(path.join(home, 'pool.smi'), `${smiles.join('\n')}\n`);

  // shared geometries: into the store for cascade, into one folder per molecule for xargs
  const direct = path.join(home, 'direct');
  const db = openStore();
  for (const [i, s] of smiles.entries()) {
    const g = await smilesTo3D(s);
    putGeometry(
      db,
      s,
      'obabel-gen3d',
      JSON.stringify({ xyz: toXyz(g), charge: g.charge, multiplicity: g.multiplicity }),
    );
    mkdirSync(path.join(direct, String(i)), { recursive: true });
    writeFileSync(path.join(direct, String(i), 'input.xyz'), toXyz(g));
  }

  // the peer: xtb straight from xargs, two at a time, one thread each
  const dirs = smiles.map((_, i) => path.join(direct, String(i))).join('\n');
  const t0 = performance.now();
  await execa(
    'xargs',
    [
      '-P',
      String(concurrency),
      '-I{}',
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
  saveCampaign(db, config.name, config);
  const client = new Client({ connection: await Connection.connect({ address: server.address }) });
  const serverCpu0 = processCpuSeconds(server.pid);
  const workerCpu0 = process.cpuUsage();
  const t1 = performance.now();
  const handle = await client.workflow.start(CampaignWorkflow, {
    workflowId: 'bench-qm-throughput',
    taskQueue: queues.default,
    args: [{ campaignId: config.name, config, queues, limits: limitsFromConfig(config) }],
  });
  const result = await handle.result();
  const cascadeSeconds = (performance.now() - t1) / 1000;
  const serverCpu = processCpuSeconds(server.pid) - serverCpu0;
  const w = process.cpuUsage(workerCpu0);
  const workerCpu = (w.user + w.system) / 1e6;
  const ran = (
    db.prepare("SELECT COUNT(*) AS c FROM qm_executions WHERE status = 'ok'").get() as { c: number }
  ).c;
  // the tier itself: from the first calculation's start to the last one's end (pool preparation excluded)
  const span = db
    .prepare(
      'SELECT MIN(started_at) AS a, MAX(finished_at) AS b, SUM((julianday(finished_at) - julianday(started_at)) * 86400) AS busy FROM qm_executions',
    )
    .get() as { a: string; b: string; busy: number };
  const tierSeconds = (Date.parse(span.b) - Date.parse(span.a)) / 1000;

  for (const w of workers) w.shutdown();
  await running;
  await connection.close();
  await stopDevServer({ home: serverHome });
  closeStores();
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
    `  of which the tier (first calculation to last): ${tierSeconds.toFixed(2)} s  ${tierRate.toFixed(2)} calcs/s; time inside the runner: ${span.busy.toFixed(2)} slot-seconds`,
  );
  console.log(
    `  CPU during the campaign: Temporal dev server ${serverCpu.toFixed(2)} s, worker process (excl. codes) ${workerCpu.toFixed(2)} s`,
  );
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
      ratio: tierRate / directRate,
      workflowRatio: cascadeRate / directRate,
      executions: ran,
      failed: result.failures,
      serverCpuSeconds: serverCpu,
      workerCpuSeconds: workerCpu,
    }),
  );
}

await main();
