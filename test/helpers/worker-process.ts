/** A real `cascade worker` process for tests that kill it: started, SIGKILLed, waited for. */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { TestEnv } from './campaign-env.js';

const root = path.resolve(import.meta.dirname, '../..');

export class WorkerProcesses {
  readonly started: ChildProcess[] = [];

  constructor(
    private readonly env: TestEnv,
    private readonly args: string[] = ['--qm-concurrency', '2'],
  ) {}

  start(): ChildProcess {
    const child = spawn(process.execPath, [path.join(root, 'bin/cascade.js'), 'worker', ...this.args], {
      env: { ...process.env, ...this.env.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.started.push(child);
    return child;
  }

  /** SIGKILL, and wait until it is gone; returns when the signal was sent (ms since the epoch). */
  async kill(child: ChildProcess): Promise<number> {
    const at = Date.now();
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    return at;
  }

  stopAll(): void {
    for (const c of this.started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
