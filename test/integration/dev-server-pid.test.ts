/**
 * `cascade server stop` signals the process group of the pid in `.cascade/temporal.pid`. A stale pid file
 * whose pid is alive but now another process (a reused pid) must not be signalled: the pid file records the
 * start time and the command, and both are checked. Real processes, a real dev server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devServerStatus, processStartTime, startDevServer, stopDevServer } from '../../cli/dev-server.js';
import { temporalBinary } from '../../cli/paths.js';
import { freePort } from '../../scripts/free-port.js';

const home = mkdtempSync(join(tmpdir(), 'cascade-pidfile-'));
const bystanders: ChildProcess[] = [];
afterAll(() => {
  for (const b of bystanders) if (b.exitCode === null) b.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

/** An unrelated process leading its own group, as a process that got a dead server's pid would be. */
function bystander(): number {
  const p = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  bystanders.push(p);
  if (p.pid === undefined) throw new Error('could not start sleep');
  return p.pid;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pidFile = join(home, 'temporal.pid');

describe('the dev server pid file', () => {
  it('a live pid that is another process is not signalled: bare pid, wrong start time, wrong command', async () => {
    const pid = bystander();
    const startTime = processStartTime(pid);
    expect(startTime).toMatch(/^\d+$/);
    const stale = [
      String(pid), // a pid file from before start times were recorded
      JSON.stringify({ pid, startTime: String(Number(startTime) - 1), binary: temporalBinary() }),
      // the right start time, but not `temporal server start-dev`
      JSON.stringify({ pid, startTime, binary: temporalBinary() }),
      JSON.stringify({ pid, startTime, binary: '/usr/bin/sleep' }),
    ];
    for (const text of stale) {
      writeFileSync(pidFile, text);
      expect((await devServerStatus({ home, port: await freePort() })).pid, text).toBeUndefined();
      expect(await stopDevServer({ home }), text).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
      expect(alive(pid), `${text}: the bystander was signalled`).toBe(true);
    }
    // the stale file is gone, so a later `stop` does not try again
    expect(() => readFileSync(pidFile)).toThrow(/ENOENT/);
  });

  it('records start time and binary for a real server, and stop ends it', async () => {
    const server = await startDevServer({
      home,
      port: await freePort(),
      uiPort: await freePort(),
      dbFile: ':memory:',
    });
    const pid = server.pid as number;
    const record = JSON.parse(readFileSync(pidFile, 'utf8')) as Record<string, unknown>;
    expect(record).toEqual({ pid, startTime: processStartTime(pid), binary: temporalBinary() });
    expect((await devServerStatus({ home, port: Number(server.address.split(':')[1]) })).pid).toBe(pid);
    expect(await stopDevServer({ home })).toBe(true);
    expect(alive(pid)).toBe(false);
    // its pid file written back after it died: nothing to stop
    writeFileSync(pidFile, JSON.stringify(record));
    expect(await stopDevServer({ home })).toBe(false);
  });
});
