/**
 * A process that claims a calculation on a store and then hangs without renewing it, as a worker that dies
 * mid-calculation would have: the tests SIGKILL it and watch the lease run out.
 *
 *   node --import tsx test/helpers/claim-holder.ts STORE KEY LEASE_SECONDS
 *
 * STORE is a SQLite file or a PostgreSQL URL. Prints the execution's id (or "none" when a live claim holds the
 * key) on one line.
 */
import { hostname } from 'node:os';
import { connectStore } from '../../store/open.js';

const [location, key, lease] = process.argv.slice(2);
if (!location || !key || !lease) throw new Error('usage: claim-holder.ts STORE KEY LEASE_SECONDS');
const store = await connectStore(location);
const execution = await store.claimExecution(key, 'xtb', hostname(), Number(lease));
process.stdout.write(`${execution ?? 'none'}\n`);
setInterval(() => undefined, 60_000);
