/**
 * A throw-away PostgreSQL cluster for a test file or a bench: initdb in a fresh temporary folder, a server on a
 * free port of 127.0.0.1 (trust authentication, its socket in that folder, fsync off: nothing here outlives the
 * process), a database per store, and `pg_ctl stop -m immediate` plus the folder's removal at the end. The
 * server needs ICU (Debian's and most distributions' builds have it).
 *
 * initdb and the server refuse to run as root: as root they run as `nobody` (through runuser), which owns the
 * folder; as anyone else, as themselves. The binaries are `$PG_BINDIR`'s, else `pg_config --bindir`'s, else
 * Debian's newest `/usr/lib/postgresql/<version>/bin`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** The superuser initdb creates, with no password (trust). */
const USER = 'cascade';
/** The unprivileged account a root process runs the server as. */
const UNPRIVILEGED = 'nobody';

export interface Cluster {
  port: number;
  /** The temporary folder: data directory, socket and log. */
  dir: string;
  /** A URL of database `name` on this cluster (it need not exist yet). */
  url(name: string): string;
  /**
   * Creates an empty database and returns its URL. It sorts text as most servers do (ICU's en-US, not byte
   * order), so that a query that relied on the server's collation for its order shows.
   */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once (no checkpoint: nothing is kept) and removes the folder. */
  stop(): Promise<void>;
}

export function postgresBinDir(): string {
  const has = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
  const candidates = [process.env.PG_BINDIR];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config on the PATH: look where Debian puts the server
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian))
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(debian, v, 'bin'));
  const found = candidates.find((d): d is string => d !== undefined && has(d));
  if (!found)
    throw new Error(
      `no PostgreSQL server binaries (initdb, pg_ctl) found in ${candidates.filter(Boolean).join(', ')}`,
    );
  return found;
}

const asRoot = (): boolean => process.getuid?.() === 0;

/** argv that runs `binary` as the account the cluster belongs to. */
function command(binary: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', UNPRIVILEGED, '--', binary, ...args]] : [binary, args];
}

async function exec(binary: string, args: string[], what: string, log?: string): Promise<void> {
  const [file, argv] = command(binary, args);
  try {
    await run(file, argv, { encoding: 'utf8', timeout: 60_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string };
    const server = log && existsSync(log) ? `\nserver log:\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    throw new Error(`${what} failed: ${err.message}\n${err.stderr ?? ''}${server}`, { cause: e });
  }
}

/** Starts a cluster; a port another process took in the meantime is retried with another. */
export async function startCluster(): Promise<Cluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  if (asRoot()) {
    const uid = Number(execFileSync('id', ['-u', UNPRIVILEGED], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', UNPRIVILEGED], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const pgCtl = path.join(bin, 'pg_ctl');
  const stopNow = () => {
    const [file, argv] = command(pgCtl, ['-D', data, '-m', 'immediate', 'stop']);
    try {
      execFileSync(file, argv, { stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // a process that ends without stopping it (a test that threw in its set-up) stops it on its way out
  process.once('exit', stopNow);
  try {
    await exec(
      path.join(bin, 'initdb'),
      ['-D', data, '-U', USER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      'initdb',
    );
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = `-F -k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c max_connections=100`;
      try {
        await exec(
          pgCtl,
          ['-D', data, '-o', options, '-l', log, '-w', '-t', '60', 'start'],
          'pg_ctl start',
          log,
        );
        break;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
    const url = (name: string) => `postgres://${USER}@127.0.0.1:${port}/${name}`;
    return {
      port,
      dir,
      url,
      async createDatabase(name) {
        const admin = new pg.Client({ connectionString: url('postgres') });
        await admin.connect();
        try {
          await admin.query(
            `CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`,
          );
        } finally {
          await admin.end();
        }
        return url(name);
      },
      async stop() {
        process.removeListener('exit', stopNow);
        await exec(pgCtl, ['-D', data, '-m', 'immediate', 'stop'], 'pg_ctl stop').catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    process.removeListener('exit', stopNow);
    stopNow();
    throw e;
  }
}
