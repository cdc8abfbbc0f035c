/**
 * A worker stand-in for the claim race (test/integration/claims-race.test.ts): waits for a line on stdin, then
 * calculates the same xtb requests as its rival, in the same order, against one store, and prints one JSON line
 * per calculation ({key, cached}).
 *
 *   node --import tsx test/helpers/calculation-racer.ts STORE N
 *
 * STORE is a SQLite file or a PostgreSQL URL; N how many distinct calculations (water, stretched a little more
 * each time, so that each is a key of its own).
 */
import { once } from 'node:events';
import { calculate } from '../../activities/qm/calculate.js';
import type { Vec3 } from '../../qm/template.js';
import { connectStore } from '../../store/open.js';
import { benzene } from './molecules.js';

const [location, count] = process.argv.slice(2);
if (!location || !count) throw new Error('usage: calculation-racer.ts STORE N');
const store = await connectStore(location);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
for (let i = 0; i < Number(count); i++) {
  const stretch = ([x, y, z]: Vec3): Vec3 => [x * (1 + i / 100), y, z];
  const system = { ...benzene, coords: benzene.coords.map(stretch) };
  const r = await calculate(store, {
    spec: { code: 'xtb', method: 'gfn2', task: 'energy', charge: 0, multiplicity: 1, settings: {} },
    system,
    timeoutSeconds: 120,
  });
  process.stdout.write(`${JSON.stringify({ key: r.key, cached: r.cached, status: r.record.status })}\n`);
}
await store.close();
