/**
 * The launcher (activities/qm/launcher/, a Go program) with real processes: exit status, CPU time and peak
 * memory of the code and the children it waited for, codes it cannot start, and the codes of a worker that
 * dies: they must not outlive it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LaunchRequest, launcher, launcherBinary } from '../../activities/qm/launcher.js';
import { liveProcesses } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'cascade-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function launch(binary: string, argv: string[]) {
  const l = launcher();
  if (!l) throw new Error(`no launcher at ${launcherBinary()}: run "make setup"`);
  const req: LaunchRequest = {
    binary,
    argv,
    cwd: dir,
    env: { PATH: '/usr/bin:/bin' },
    stdoutFile: join(dir, 'stdout'),
    stderrFile: join(dir, 'stderr'),
  };
  return l.launch(req);
}

const alive = (pid: number) => liveProcesses().some((p) => p.pid === pid);

describe('the launcher', () => {
  it('reports exit status, CPU of the code and the children it waited for, peak memory and output', async () => {
    // a fixed script: a subshell burns CPU and is waited for; the leader itself does almost nothing
    const run = launch('/bin/sh', [
      '-c',
      '(i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done); echo done; echo oops >&2; exit 3',
    ]);
    const pid = await run.pid;
    const exit = await run.exit;
    expect(pid).toBeGreaterThan(1);
    expect(exit.exitCode).toBe(3);
    expect(exit.signal).toBeUndefined();
    expect(exit.cpuSeconds).toBeGreaterThan(0.05);
    expect(exit.cpuSeconds).toBeLessThan(exit.wallSeconds * 1.5 + 0.05);
    expect(exit.maxRssKb).toBeGreaterThan(100);
    expect(readFileSync(join(dir, 'stdout'), 'utf8')).toBe('done\n');
    expect(readFileSync(join(dir, 'stderr'), 'utf8')).toBe('oops\n');
  });

  it('starts each code as the leader of a new process group, and reports the signal that ended it', async () => {
    const run = launch('/bin/sleep', ['30']);
    const pid = await run.pid;
    const group = liveProcesses().find((p) => p.pid === pid)?.pgrp;
    expect(group).toBe(pid);
    process.kill(-pid, 'SIGTERM');
    const exit = await run.exit;
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });

  it('reports the end once the output has ended: a descendant in a session of its own still holding it', async () => {
    // as MPI's orted does: it starts its own session, outside the code's process group, and keeps stderr
    const started = performance.now();
    const run = launch('/bin/sh', ['-c', "setsid sh -c 'sleep 0.5; echo late >&2' & echo early >&2"]);
    const exit = await run.exit;
    expect(exit.exitCode).toBe(0);
    expect(exit.wallSeconds).toBeLessThan(0.4); // the leader itself ended at once
    expect(performance.now() - started).toBeGreaterThan(450);
    expect(readFileSync(join(dir, 'stderr'), 'utf8')).toBe('early\nlate\n');
  });

  it('says why a code could not be started', async () => {
    const run = launch('/nonexistent/code', []);
    await expect(run.pid).rejects.toMatchObject({ name: 'LaunchError', code: 'ENOENT' });
    await expect(run.exit).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ends the codes of a worker that was killed', { timeout: 30_000 }, async () => {
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, '../helpers/launch-and-wait.ts'), dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const sleepPid = await new Promise<number>((done) => {
      let out = '';
      worker.stdout?.on('data', (d) => {
        out += d;
        if (out.includes('\n')) done(Number(out.trim()));
      });
    });
    expect(alive(sleepPid)).toBe(true);
    worker.kill('SIGKILL');
    // the launcher sees its stdin close, sends SIGTERM to the group, SIGKILL after 2 s
    const deadline = Date.now() + 10_000;
    while (alive(sleepPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(sleepPid)).toBe(false);
  });
});
