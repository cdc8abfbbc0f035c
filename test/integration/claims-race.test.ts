/**
 * Two worker processes asked for the same calculations at the same moment compute each once: whoever claims a
 * calculation runs it, the other waits for its result (activities/qm/claim.ts). On a SQLite file shared by the
 * two, and on a PostgreSQL database as workers on two hosts would share it. The execution rows are the proof.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { closeStores, connectStore } from '../../store/open.js';
import { usePostgres } from '../helpers/postgres.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'cascade-race-'));
const postgres = usePostgres();
afterAll(async () => {
  await closeStores();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  key: string;
  cached: boolean;
  status: string;
}

/** A racer process, ready to start: its answers once it has finished. */
async function racer(location: string, n: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'test/helpers/calculation-racer.ts'), location, String(n)],
    { cwd: root, env: { ...process.env, CASCADE_HOME: dir }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const answers: Answer[] = [];
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => {
    ready = r;
  });
  lines.on('line', (line) => (line === 'ready' ? ready() : answers.push(JSON.parse(line) as Answer)));
  await isReady;
  return {
    go: () => child.stdin.end('go\n'),
    done: once(child, 'exit').then(([code]) => {
      expect(code).toBe(0);
      return answers;
    }),
  };
}

async function race(location: string): Promise<void> {
  const n = 6;
  const [a, b] = await Promise.all([racer(location, n), racer(location, n)]);
  a.go();
  b.go();
  const [fromA, fromB] = await Promise.all([a.done, b.done]);
  expect(fromA.map((r) => r.key)).toEqual(fromB.map((r) => r.key));
  expect(new Set(fromA.map((r) => r.key)).size).toBe(n);
  for (const r of [...fromA, ...fromB]) expect(r.status).toBe('ok');
  // each calculation was computed by one of the two, and answered to the other
  for (let i = 0; i < n; i++) {
    expect([fromA[i]?.cached, fromB[i]?.cached].sort()).toEqual([false, true]);
  }
  const store = await connectStore(location);
  const runs = await store.listExecutions();
  expect(runs).toHaveLength(n);
  expect(runs.every((e) => e.status === 'ok')).toBe(true);
  expect(new Set(runs.map((e) => e.key)).size).toBe(n);
}

describe('two workers racing for the same calculations', () => {
  it('compute each once on a shared SQLite file', { timeout: 120_000 }, async () => {
    await race(path.join(dir, 'race.db'));
  });

  it('compute each once on a PostgreSQL database', { timeout: 120_000 }, async () => {
    await race(await postgres.database());
  });
});
