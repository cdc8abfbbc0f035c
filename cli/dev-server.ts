/**
 * The embedded Temporal dev server: `temporal server start-dev` with a SQLite file under `.cascade/`, the Web
 * UI on 8233 and cascade's search attributes registered. It runs detached; a pid file lets `stop` find it.
 *
 * The pid file holds the pid, the process's start time (field 22 of /proc/<pid>/stat, clock ticks since boot)
 * and its binary. A pid alone is not enough: after the server died (a reboot, a kill) the kernel may give its
 * pid to any other process, and `stop` signals the whole process group. So `stop` and `status` trust the pid
 * only while the process with that pid started at the recorded time and runs `<binary> server start-dev`.
 */

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../lib/temporal/search-attributes.js';
import { temporalBinary } from './paths.js';

export interface DevServerOptions {
  home: string;
  port?: number;
  uiPort?: number;
  /** Database file; defaults to `<home>/temporal.db`. `:memory:` keeps nothing. */
  dbFile?: string;
}

export interface DevServerStatus {
  running: boolean;
  pid?: number;
  address: string;
  ui: string;
  dbFile: string;
}

const pidFile = (home: string) => path.join(home, 'temporal.pid');

function settings(o: DevServerOptions) {
  const port = o.port ?? 7233;
  const uiPort = o.uiPort ?? 8233;
  return {
    port,
    uiPort,
    dbFile: o.dbFile ?? path.join(o.home, 'temporal.db'),
    address: `localhost:${port}`,
    ui: `http://localhost:${uiPort}`,
  };
}

export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** What the pid file records: enough to tell our server from a process that got its pid later. */
interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat when it started; undefined off Linux (no /proc). */
  startTime?: string;
  binary?: string;
}

/** The start time of a process (clock ticks after boot), or undefined when /proc does not say. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count from the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall; fields[0] is field 3
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

function readPidFile(home: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile(home), 'utf8').trim();
  } catch {
    return undefined;
  }
  // a pid file from before start times were recorded holds the bare pid
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const r = JSON.parse(text) as Partial<PidRecord>;
    if (Number.isSafeInteger(r.pid) && (r.pid as number) > 0) return r as PidRecord;
  } catch {
    // not ours to read: treated as no pid file
  }
  return undefined;
}

/**
 * Whether the process the record names is still our dev server: alive, started when recorded, and running
 * `temporal server start-dev`. Where /proc is missing (not Linux), only liveness can be checked.
 */
export function isOurServer(r: PidRecord): boolean {
  if (!alive(r.pid)) return false;
  if (!existsSync('/proc/self/stat')) return true;
  const started = processStartTime(r.pid);
  if (r.startTime !== undefined && started !== r.startTime) return false;
  const argv = commandLine(r.pid);
  if (!argv) return false;
  const [program, ...args] = argv;
  const binaryOk =
    r.binary === undefined ? path.basename(program ?? '') === 'temporal' : program === r.binary;
  return binaryOk && args[0] === 'server' && args[1] === 'start-dev';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function devServerStatus(o: DevServerOptions): Promise<DevServerStatus> {
  const s = settings(o);
  const record = readPidFile(o.home);
  const pid = record && isOurServer(record) ? record.pid : undefined;
  const running = pid !== undefined || (await isListening(s.port));
  return {
    running,
    pid,
    address: s.address,
    ui: s.ui,
    dbFile: s.dbFile,
  };
}

/** Starts the server unless something already listens on its port; resolves once it accepts connections. */
export async function startDevServer(o: DevServerOptions): Promise<DevServerStatus & { started: boolean }> {
  const s = settings(o);
  if (await isListening(s.port)) return { ...(await devServerStatus(o)), started: false };
  mkdirSync(o.home, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--port',
    String(s.port),
    '--ui-port',
    String(s.uiPort),
    '--log-level',
    'warn',
  ];
  if (s.dbFile !== ':memory:') args.push('--db-filename', s.dbFile);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  const log = openSync(path.join(o.home, 'temporal.log'), 'a');
  const binary = temporalBinary();
  // a plain detached spawn: the server must outlive this command (execa is for children we wait on)
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  child.unref();
  if (child.pid === undefined) {
    throw new Error(
      `could not start ${binary}: ${(await spawnError).message} (run "make setup" to install the Temporal CLI into .tools/)`,
    );
  }
  const record: PidRecord = { pid: child.pid, binary };
  const startTime = processStartTime(child.pid);
  if (startTime !== undefined) record.startTime = startTime;
  writeFileSync(pidFile(o.home), `${JSON.stringify(record)}\n`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (await isListening(s.port)) {
      await waitForFrontend(s.address);
      return { running: true, pid: child.pid, address: s.address, ui: s.ui, dbFile: s.dbFile, started: true };
    }
    if (!alive(child.pid)) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = existsSync(path.join(o.home, 'temporal.log'))
    ? readFileSync(path.join(o.home, 'temporal.log'), 'utf8').slice(-2000)
    : '';
  throw new Error(
    `Temporal dev server did not start on ${s.address}; its log (${path.join(o.home, 'temporal.log')}) ends:\n${tail}`,
  );
}

/** The port opens a moment before the frontend serves; a namespace listing proves it does. */
async function waitForFrontend(address: string): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const c = await Connection.connect({ address, connectTimeout: 2000 });
      await c.workflowService.describeNamespace({ namespace: 'default' });
      await c.close();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Stops the server the pid file names, with its whole process group; false when there is none. A pid file
 * whose pid now belongs to another process (see isOurServer) is removed and nothing is signalled.
 */
export async function stopDevServer(o: DevServerOptions): Promise<boolean> {
  const file = pidFile(o.home);
  if (!existsSync(file)) return false;
  const record = readPidFile(o.home);
  const ours = record !== undefined && isOurServer(record);
  rmSync(file, { force: true });
  if (!record || !ours) return false;
  const { pid } = record;
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(-pid, 'SIGKILL');
  return true;
}
