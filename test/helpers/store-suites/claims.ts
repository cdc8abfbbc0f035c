/**
 * Claims on calculations, on every backend (test/unit/store-claims.test.ts: SQLite files shared by several
 * connections; test/integration/store-postgres.test.ts: one database, a pool per worker): exactly one claimant
 * of a key wins, the claim ends with its execution, is kept while renewed, and a dead worker gives it up when its
 * lease runs out, the next claimant recording the death.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../../store/store.js';
import type { StoreBackend } from '../store-backends.js';

const root = path.resolve(import.meta.dirname, '../../..');

export function claimsSuite(backend: StoreBackend): void {
  const two = async (): Promise<[Store, Store]> => {
    const { stores } = await backend.shared(2);
    return stores as [Store, Store];
  };

  describe('claims on calculations', () => {
    it('two workers asking for the same calculations at the same moment: exactly one claim each', async () => {
      const [a, b] = await two();
      const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
      const race = async (): Promise<number[]> => {
        const claims = await Promise.all(
          keys.flatMap((key) => [
            a.claimExecution(key, 'xtb', 'host-a'),
            b.claimExecution(key, 'xtb', 'host-b'),
          ]),
        );
        return keys.map((key, i) => {
          const won = [claims[2 * i], claims[2 * i + 1]].filter((c): c is number => c !== undefined);
          expect(won, key).toHaveLength(1);
          return won[0] as number;
        });
      };
      // calculations never claimed before: one execution each, whoever won it
      const first = await race();
      const runs = await a.listExecutions();
      expect(runs).toHaveLength(keys.length);
      expect(new Set(runs.map((r) => r.key)).size).toBe(keys.length);
      for (const r of runs) expect(['host-a', 'host-b']).toContain(r.host);
      // and again once those ended (each key's claim row exists now, free): still one each
      await Promise.all(first.map((id) => a.finishExecution(id, 'timeout')));
      await race();
      expect(await a.listExecutions()).toHaveLength(2 * keys.length);
    });

    it('many claimants of one key: one wins, the rest see who holds it', async () => {
      const { stores } = await backend.shared(8);
      const claims = await Promise.all(stores.map((w, i) => w.claimExecution('hot', 'xtb', `host-${i}`)));
      const won = claims.filter((c): c is number => c !== undefined);
      expect(won).toHaveLength(1);
      expect((await stores[0]?.liveClaim('hot'))?.execution).toBe(won[0]);
      expect(await stores[0]?.liveClaim('cold')).toBeUndefined();
    });

    it('ends with its execution: the calculation can be claimed again (a recomputation)', async () => {
      const [a, b] = await two();
      const first = await a.claimExecution('k', 'xtb', 'host-a');
      expect(first).toEqual(expect.any(Number));
      expect(await b.claimExecution('k', 'xtb', 'host-b')).toBeUndefined();
      await a.finishExecution(first as number, 'ok', {
        key: 'k',
        code: 'xtb',
        codeVersion: '6.7.1',
        method: 'gfn2',
        settings: {},
        geometryHash: 'g',
        status: 'ok',
        outputs: { homoLumoGap: 1 },
        provenance: {},
      });
      expect(await a.renewClaim(first as number)).toBe(false);
      expect(await a.liveClaim('k')).toBeUndefined();
      const second = await b.claimExecution('k', 'xtb', 'host-b');
      expect(second).toBeGreaterThan(first as number);
      expect((await b.listExecutions({ key: 'k' })).map((e) => e.status)).toEqual(['ok', 'running']);
      // an execution marked lost gives its claim up too
      await b.markExecutionsLost([second as number]);
      expect(await a.claimExecution('k', 'xtb', 'host-a')).toEqual(expect.any(Number));
    });

    it('is kept while renewed, and lost to another worker once its lease ran out', async () => {
      const [a, b] = await two();
      const mine = (await a.claimExecution('long', 'xtb', 'host-a', 0.6)) as number;
      for (let i = 0; i < 4; i++) {
        await sleep(300);
        expect(await a.renewClaim(mine, 0.6)).toBe(true);
        expect(await b.claimExecution('long', 'xtb', 'host-b', 0.6)).toBeUndefined();
      }
      // a stalls past its lease: b takes over and a learns, at its next renewal, that it lost the claim
      await sleep(800);
      const theirs = await b.claimExecution('long', 'xtb', 'host-b', 0.6);
      expect(theirs).toEqual(expect.any(Number));
      expect(await a.renewClaim(mine, 0.6)).toBe(false);
      const runs = await b.listExecutions({ key: 'long' });
      expect(runs.map((e) => [e.id, e.host, e.status])).toEqual([
        [mine, 'host-a', 'worker-died'],
        [theirs, 'host-b', 'running'],
      ]);
    });

    it('of a worker killed mid-calculation runs out, and the next claimant records the death', async () => {
      const { location, stores } = await backend.shared(1);
      const other = stores[0] as Store;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(root, 'test/helpers/claim-holder.ts'), location, 'doomed', '1.5'],
        { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const held = Number(line.toString().trim());
      expect(held).toEqual(expect.any(Number));
      expect(await other.claimExecution('doomed', 'xtb', 'host-b')).toBeUndefined();
      const gone = once(child, 'exit');
      child.kill('SIGKILL');
      await gone;
      // no process is left to release it: the lease runs out
      const deadline = Date.now() + 10_000;
      let claimed: number | undefined;
      while (claimed === undefined && Date.now() < deadline) {
        claimed = await other.claimExecution('doomed', 'xtb', 'host-b');
        if (claimed === undefined) await sleep(200);
      }
      expect(claimed).toEqual(expect.any(Number));
      const [dead, next] = await other.listExecutions({ key: 'doomed' });
      expect(dead).toMatchObject({ id: held, pid: child.pid, status: 'worker-died' });
      expect(next).toMatchObject({ id: claimed, pid: process.pid, status: 'running' });
    });
  });
}
