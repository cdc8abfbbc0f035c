/**
 * A throw-away single-node Slurm for a test file or a demo (Debian's `slurm-wlm` and `munge`): its own munge key
 * and munged, a slurmctld and a slurmd on free ports of 127.0.0.1, the node being this host (`hostname -s`,
 * its CPUs and memory as `slurmd -C` reads them), one default partition, `proctrack/linuxproc` and `task/none`
 * (no cgroups needed), job accounting gathered but not stored (no slurmdbd: `sacct` answers "Slurm accounting
 * storage is disabled"). Everything it writes (key, sockets, state, spool, logs) stays in its own folder, so
 * that two clusters on one machine never meet; every command reaches it through SLURM_CONF. Stopping cancels
 * its jobs and ends exactly the daemons it started.
 *
 * Run as root (as the tests and CI do): slurmd starts jobs as their submitter. By hand:
 *   npx tsx scripts/slurm-cluster.ts [folder]     starts one, prints its SLURM_CONF, stops it on Ctrl-C
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface SlurmCluster {
  /** Its folder: slurm.conf, munge key and socket, state, spool and logs. */
  dir: string;
  /** The variables Slurm's commands need to reach it. */
  env: { SLURM_CONF: string };
  /** The node (this host's short name) and the default partition. */
  node: string;
  partition: string;
  ports: { slurmctld: number; slurmd: number };
  /** Runs a Slurm command (sinfo, squeue, sbatch, ...) against this cluster. */
  command(name: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Cancels its jobs, ends its daemons and removes its folder (`keep`: leaves the folder, for a post-mortem). */
  stop(opts?: { keep?: boolean }): Promise<void>;
}

export const PARTITION = 'main';
/** How long the node may take to report idle. */
const START_TIMEOUT_MS = 60_000;

const sbin = (name: string) =>
  ['/usr/sbin', '/usr/local/sbin'].map((d) => path.join(d, name)).find(existsSync) ?? name;

/** This host's CPUs and memory (MB) as slurmd itself sees them, so that the node's description is accepted. */
function hardware(): { cpus: number; realMemoryMb: number } {
  const text = execFileSync(sbin('slurmd'), ['-C'], { encoding: 'utf8' });
  const field = (name: string) => Number(new RegExp(`\\b${name}=(\\d+)`).exec(text)?.[1]);
  const cpus = field('CPUs');
  const realMemoryMb = field('RealMemory');
  if (!(cpus > 0) || !(realMemoryMb > 0))
    throw new Error(`cannot read CPUs and RealMemory from slurmd -C:\n${text}`);
  return { cpus, realMemoryMb };
}

export function slurmConf(c: {
  dir: string;
  node: string;
  user: string;
  ports: { slurmctld: number; slurmd: number };
  cpus: number;
  realMemoryMb: number;
}): string {
  const at = (name: string) => path.join(c.dir, name);
  return `${[
    'ClusterName=cascade',
    `SlurmctldHost=${c.node}(127.0.0.1)`,
    `SlurmctldPort=${c.ports.slurmctld}`,
    `SlurmdPort=${c.ports.slurmd}`,
    `SlurmUser=${c.user}`,
    `SlurmdUser=${c.user}`,
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${at('munge/munge.socket')}`,
    `StateSaveLocation=${at('state')}`,
    `SlurmdSpoolDir=${at('spool')}`,
    `SlurmctldPidFile=${at('slurmctld.pid')}`,
    `SlurmdPidFile=${at('slurmd.pid')}`,
    `SlurmctldLogFile=${at('log/slurmctld.log')}`,
    `SlurmdLogFile=${at('log/slurmd.log')}`,
    // not the host's /etc/slurm/plugstack.conf: nothing of the machine's own Slurm set-up applies
    `PlugStackConfig=${at('plugstack.conf')}`,
    'MailProg=/bin/true',
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/linux',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'MpiDefault=none',
    'SchedulerType=sched/backfill',
    'SchedulerParameters=batch_sched_delay=0',
    // CPUs are what jobs share; memory is checked against the node but not reserved
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_CPU',
    'ReturnToService=2',
    // a cancelled job's processes get 5 s after SIGTERM (30 by default)
    'KillWait=5',
    `NodeName=${c.node} NodeAddr=127.0.0.1 CPUs=${c.cpus} RealMemory=${c.realMemoryMb} State=UNKNOWN`,
    `PartitionName=${PARTITION} Nodes=${c.node} Default=YES MaxTime=INFINITE State=UP`,
  ].join('\n')}\n`;
}

/** A daemon in the foreground, detached from this process's group, its output in `log`. */
function daemon(binary: string, args: string[], log: string, env: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], env });
    child.unref();
    return child;
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

function tailOf(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-25).join('\n') : '(no log)';
}

/** Starts a cluster in a new folder below `parent` (default: the system's temporary folder). */
export async function startSlurmCluster(opts: { parent?: string } = {}): Promise<SlurmCluster> {
  const node = os.hostname().split('.')[0] as string;
  // slurmd's step sockets (<spool>/<node>_<job>.<step>) must fit a socket path's 107 bytes: a deep checkout's
  // folder would not, the temporary folder does
  const longest = (parent: string) =>
    path.join(parent, 'slurm-XXXXXX/spool', `${node}_4294967295.4294967295`);
  const parent = opts.parent && longest(opts.parent).length <= 107 ? opts.parent : os.tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'slurm-'));
  // munged insists that everyone may traverse its socket's folder, and that only its user reads the key
  chmodSync(dir, 0o755);
  for (const sub of ['munge', 'state', 'spool', 'log']) mkdirSync(path.join(dir, sub), { mode: 0o755 });
  const key = path.join(dir, 'munge/munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  writeFileSync(path.join(dir, 'plugstack.conf'), '');
  const conf = path.join(dir, 'slurm.conf');
  const env = { ...process.env, SLURM_CONF: conf };
  const user = os.userInfo().username;
  const daemons: ChildProcess[] = [];

  const killAll = (signal: NodeJS.Signals) => {
    for (const d of daemons) if (alive(d)) d.kill(signal);
  };
  // a process that ends without stopping it (a test that threw in its set-up) stops it on its way out
  const stopNow = () => {
    try {
      execFileSync('scancel', ['--me'], { env, stdio: 'ignore', timeout: 5_000 });
    } catch {
      // no controller left to ask
    }
    killAll('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);

  try {
    daemons.push(
      daemon(
        sbin('munged'),
        [
          '--foreground',
          `--key-file=${key}`,
          `--socket=${path.join(dir, 'munge/munge.socket')}`,
          `--pid-file=${path.join(dir, 'munge/munged.pid')}`,
          `--seed-file=${path.join(dir, 'munge/munged.seed')}`,
          `--log-file=${path.join(dir, 'log/munged.log')}`,
        ],
        path.join(dir, 'log/munged.out'),
        env,
      ),
    );
    const { cpus, realMemoryMb } = hardware();
    let ports = { slurmctld: 0, slurmd: 0 };
    for (let attempt = 1; ; attempt++) {
      ports = { slurmctld: await freePort(), slurmd: await freePort() };
      writeFileSync(conf, slurmConf({ dir, node, user, ports, cpus, realMemoryMb }));
      const ctld = daemon(sbin('slurmctld'), ['-D', '-i'], path.join(dir, 'log/slurmctld.out'), env);
      const slurmd = daemon(sbin('slurmd'), ['-D', '-N', node], path.join(dir, 'log/slurmd.out'), env);
      daemons.push(ctld, slurmd);
      const problem = await nodeIdle(node, env, [ctld, slurmd]);
      if (problem === undefined) break;
      for (const d of [ctld, slurmd]) if (alive(d)) d.kill('SIGKILL');
      const logs = ['slurmctld.out', 'slurmd.out', 'slurmctld.log', 'slurmd.log', 'munged.out']
        .map((f) => `--- ${f}\n${tailOf(path.join(dir, 'log', f))}`)
        .join('\n');
      // a port another process took between freePort() and the daemon's bind is tried again with others
      if (attempt < 3 && /Address already in use/.test(logs)) continue;
      throw new Error(`the test Slurm cluster in ${dir} did not start: ${problem}\n${logs}`);
    }
    let stopped = false;
    const command = async (name: string, args: string[]) => {
      const r = await run(name, args, { env, encoding: 'utf8', timeout: 60_000 });
      return { stdout: r.stdout, stderr: r.stderr };
    };
    return {
      dir,
      env: { SLURM_CONF: conf },
      node,
      partition: PARTITION,
      ports,
      command,
      async stop({ keep = false } = {}) {
        // a second call finds no controller, and scancel would wait for it (MessageTimeout, 10 s)
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', stopNow);
        await cancelAll(env);
        killAll('SIGTERM');
        const until = Date.now() + 10_000;
        while (daemons.some(alive) && Date.now() < until) await sleep(100);
        killAll('SIGKILL');
        if (!keep) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    process.removeListener('exit', stopNow);
    stopNow();
    throw e;
  }
}

/** Waits until sinfo shows the node idle; the problem when it does not (or a daemon died). */
async function nodeIdle(
  node: string,
  env: NodeJS.ProcessEnv,
  daemons: ChildProcess[],
): Promise<string | undefined> {
  const until = Date.now() + START_TIMEOUT_MS;
  let state = '';
  while (Date.now() < until) {
    const dead = daemons.find((d) => !alive(d));
    if (dead) return `${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode})`;
    try {
      const r = await run('sinfo', ['--noheader', `--nodes=${node}`, '--format=%t'], {
        env,
        encoding: 'utf8',
      });
      state = r.stdout.trim();
      if (state === 'idle') return undefined;
    } catch (e) {
      state = (e as Error).message;
    }
    await sleep(200);
  }
  return `the node was not idle after ${START_TIMEOUT_MS / 1000} s (sinfo: ${state || 'nothing'})`;
}

/** Cancels every job and waits (a little) until none is left running. */
async function cancelAll(env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run('scancel', ['--me'], { env, timeout: 10_000 });
    const until = Date.now() + 20_000;
    while (Date.now() < until) {
      const r = await run('squeue', ['--noheader', '--format=%i'], {
        env,
        encoding: 'utf8',
        timeout: 10_000,
      });
      if (r.stdout.trim() === '') return;
      await sleep(200);
    }
  } catch {
    // the controller is gone already: nothing to cancel through it
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cluster = await startSlurmCluster({ parent: process.argv[2] ?? path.resolve('.cascade') });
  console.log(`export SLURM_CONF=${cluster.env.SLURM_CONF}   # Ctrl-C stops it`);
  process.once('SIGINT', () => void cluster.stop().then(() => process.exit(0)));
}
