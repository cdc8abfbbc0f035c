/**
 * The launcher: a small Go program (`activities/qm/launcher/`, built by `make setup` into
 * `.tools/cascade-launcher`) that starts codes on behalf of this process. A worker is a large Node process, and
 * forking it costs milliseconds of its main thread per calculation; the launcher forks only itself (a few MB),
 * without a shell, gives each code its own session and process group, sends stdout and stderr straight to files,
 * and reports the exit status with the CPU time and peak memory of the code and its children from wait4 (what
 * GNU time was needed for). If this process dies, the launcher sees its stdin close and ends every group still
 * running. One launcher serves the whole process; it is started on first use and restarted if it exits.
 *
 * `$CASCADE_LAUNCHER` names another binary, or '' to do without (the runner then spawns codes itself).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LaunchRequest {
  /** Absolute path of the program. */
  binary: string;
  argv: readonly string[];
  cwd: string;
  /** The whole environment of the code: nothing of this process's is added (see qm/environment.ts). */
  env: Record<string, string | undefined>;
  stdoutFile: string;
  stderrFile: string;
}

export interface LaunchExit {
  exitCode: number | null;
  signal?: string;
  wallSeconds: number;
  /** User + system CPU of the code and every descendant it waited for. */
  cpuSeconds: number;
  maxRssKb: number;
}

export interface Launch {
  /** The code's pid (= its process group); rejects with a LaunchError when it could not be started. */
  pid: Promise<number>;
  /** How it ended; rejects with a LaunchError when the launcher itself went away meanwhile. */
  exit: Promise<LaunchExit>;
}

export class LaunchError extends Error {
  override name = 'LaunchError';
  /** ENOENT, EACCES, ...; 'launcher-exited' when the launcher died before the code ended. */
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Reply {
  id: number;
  pid?: number;
  exit?: { code: number; signal: number; wallNs: number; userUs: number; sysUs: number; maxRssKb: number };
  error?: string;
  errno?: string;
}

interface Pending {
  started: (pid: number) => void;
  ended: (e: LaunchExit) => void;
  failed: (e: LaunchError) => void;
}

const signalName = (n: number): string =>
  Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0] ?? `signal ${n}`;

class Launcher {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';

  constructor(
    readonly binary: string,
    private readonly child: ChildProcess,
  ) {
    // An idle launcher does not keep this process alive; one with codes running does (see `hold`).
    child.unref();
    const stdout = child.stdout as NonNullable<ChildProcess['stdout']>;
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => this.read(chunk));
    this.hold(false);
    (child.stdin as unknown as { unref(): void }).unref();
    child.stdin?.on('error', () => {}); // EPIPE after it died: reported through 'exit'
    child.on('exit', (code, signal) => this.gone(`the launcher exited (${signal ?? `code ${code}`})`));
    child.on('error', (e) => {
      unusable = e.message; // it cannot start at all (not executable, wrong architecture): spawn directly
      this.gone(`the launcher failed: ${e.message}`);
    });
  }

  /** Whether waiting for the launcher's answers keeps the event loop alive. */
  private hold(waiting: boolean): void {
    const stdout = this.child.stdout as unknown as { ref(): void; unref(): void };
    if (waiting) stdout.ref();
    else stdout.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && !this.child.killed;
  }

  launch(req: LaunchRequest): Launch {
    const id = this.nextId++;
    let started!: (pid: number) => void;
    let ended!: (e: LaunchExit) => void;
    let notStarted!: (e: LaunchError) => void;
    let notEnded!: (e: LaunchError) => void;
    const pid = new Promise<number>((resolve, reject) => {
      started = resolve;
      notStarted = reject;
    });
    const exit = new Promise<LaunchExit>((resolve, reject) => {
      ended = resolve;
      notEnded = reject;
    });
    // a caller that stops at a rejected pid never awaits the exit: neither may count as unhandled
    pid.catch(() => {});
    exit.catch(() => {});
    if (this.pending.size === 0) this.hold(true);
    this.pending.set(id, {
      started,
      ended,
      failed: (e) => {
        notStarted(e);
        notEnded(e);
      },
    });
    const env = Object.entries(req.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
    this.child.stdin?.write(
      `${JSON.stringify({
        id,
        path: req.binary,
        argv: [req.binary, ...req.argv],
        dir: req.cwd,
        env,
        stdout: req.stdoutFile,
        stderr: req.stderrFile,
      })}\n`,
    );
    return { pid, exit };
  }

  private read(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim()) this.answer(JSON.parse(line) as Reply);
    }
  }

  private answer(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    if (r.pid !== undefined) p.started(r.pid);
    if (r.exit) {
      this.settled(r.id);
      p.ended({
        exitCode: r.exit.signal ? null : r.exit.code,
        ...(r.exit.signal && { signal: signalName(r.exit.signal) }),
        wallSeconds: r.exit.wallNs / 1e9,
        cpuSeconds: (r.exit.userUs + r.exit.sysUs) / 1e6,
        maxRssKb: r.exit.maxRssKb,
      });
    } else if (r.error !== undefined) {
      this.settled(r.id);
      p.failed(new LaunchError(r.error, r.errno ?? 'unknown'));
    }
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.hold(false);
  }

  private gone(why: string): void {
    if (current === this) current = undefined;
    for (const p of this.pending.values()) p.failed(new LaunchError(why, 'launcher-exited'));
    this.pending.clear();
  }
}

let built: string | null | undefined;

/** `$CASCADE_LAUNCHER` if set (empty: none), else `.tools/cascade-launcher` above this file, if built. */
export function launcherBinary(): string | undefined {
  const configured = process.env.CASCADE_LAUNCHER;
  if (configured !== undefined) return configured || undefined;
  if (built === undefined) {
    built = null;
    for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
      const candidate = join(dir, '.tools', 'cascade-launcher');
      if (existsSync(candidate)) {
        built = candidate;
        break;
      }
    }
  }
  return built ?? undefined;
}

let current: Launcher | undefined;

/** The launcher process's pid while it runs (its own CPU is the platform's: activities/platform.ts). */
export function launcherPid(): number | undefined {
  return current?.alive ? current.pid : undefined;
}
/** Why the launcher cannot be used in this process, once it failed to start. */
let unusable: string | undefined;

/** The running launcher, started if needed; undefined when there is none to use (the caller spawns itself). */
export function launcher(): Launcher | undefined {
  const binary = launcherBinary();
  if (unusable !== undefined || !binary) return undefined;
  if (current?.alive && current.binary === binary) return current;
  if (!existsSync(binary)) return undefined;
  current = new Launcher(
    binary,
    // a session of its own: a Ctrl-C meant for the worker (which shuts down gracefully, cancelling its
    // calculations) must not take the launcher down first
    spawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'], detached: true, env: {} }),
  );
  return current;
}
