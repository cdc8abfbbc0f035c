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
import {
  alive,
  isOurServer,
  type PidRecord,
  pidFile,
  processStartTime,
  readPidFile,
} from '../activities/dev-server-pid.js';
import { SEARCH_ATTRIBUTES } from '../lib/temporal/search-attributes.js';
import { temporalBinary } from './paths.js';

export { isOurServer, processStartTime };

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
