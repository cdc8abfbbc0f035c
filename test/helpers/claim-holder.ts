/**
 * A process that claims a calculation on a PostgreSQL store and then hangs without renewing it, as a worker
 * that dies mid-calculation would have: the tests SIGKILL it and watch the lease run out.
 *
 *   node --import tsx test/helpers/claim-holder.ts URL KEY LEASE_SECONDS
 *
 * Prints the execution's id (or "none" when a live claim holds the key) on one line.
 */
import { hostname } from 'node:os';
import { PostgresStore } from '../../store/postgres/postgres-store.js';

const [url, key, lease] = process.argv.slice(2);
if (!url || !key || !lease) throw new Error('usage: claim-holder.ts URL KEY LEASE_SECONDS');
const store = new PostgresStore(url, { maxConnections: 1 });
const execution = await store.claimExecution(key, 'xtb', hostname(), Number(lease));
process.stdout.write(`${execution ?? 'none'}\n`);
setInterval(() => undefined, 60_000);
