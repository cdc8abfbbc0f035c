/**
 * Writes a pool of N distinct valid molecules (default 1,000,000) for bench:scale, enumerated deterministically
 * from a public set: the NCI sample RDKit ships (Data/NCI/first_5K.smi), each parent with one substituent
 * attached at one of its atoms, then (when more are wanted) a second one on those products. Every molecule is
 * read by RDKit (the project's RDKit-JS wrapper), kept only as its canonical SMILES when it is one neutral
 * fragment of at most MAX_HEAVY heavy atoms (what the default candidate filters keep), and written once.
 *
 *   npx tsx scripts/generate-pool.ts [--size N] [--out FILE] [--source FILE]
 *
 * Default output: .cascade/pools/generated-<N>.smi ("SMILES gN" per line). The file is not committed: it is made
 * again in minutes, the same bytes every time. The last line printed is JSON (size, seconds, attempts).
 */
import { createWriteStream, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MoleculeInfo } from '../activities/chem/rdkit.js';
import { threadEntry } from '../activities/ml/thread-entry.js';

const NCI = '/usr/share/RDKit/Data/NCI/first_5K.smi';
/** The default `maxHeavyAtoms` filter: every generated molecule passes a campaign's default filters. */
const MAX_HEAVY = 30;

/** Small neutral groups, as SMILES branches (the first atom bonds to the parent). */
const SUBSTITUENTS = [
  'C',
  'F',
  'Cl',
  'O',
  'N',
  'CC',
  'OC',
  'C#N',
  'C(F)(F)F',
  'C(=O)O',
  'C(N)=O',
  'C=O',
  'CO',
  'N(C)C',
  'S',
  'Br',
  'CCC',
  'C(C)C',
  'OCC',
  'NC(C)=O',
  'S(C)(=O)=O',
  'c1ccccc1',
  'C1CC1',
  'NC',
  'OC(C)=O',
  'C(=O)OC',
  'CN',
  'CCO',
];

/** An atom of the organic subset (bracket atoms carry their hydrogens: nothing is attached to them). */
const ATOM = /\[[^\]]*\]|Br|Cl|[BCNOPSFI]|[bcnops]/g;
/** Ring-closure bonds written right after an atom ("1", "=2", "%10"): a branch goes after them. */
const RING_BONDS = /^(?:[-=#:/\\]?(?:%\d\d|\d))*/;

/** Where a branch can be written in `smiles`: after each organic-subset atom and its ring closures. */
function attachmentSites(smiles: string): number[] {
  const sites: number[] = [];
  for (const m of smiles.matchAll(ATOM)) {
    if (m[0].startsWith('[')) continue;
    const end = (m.index as number) + m[0].length;
    sites.push(end + (RING_BONDS.exec(smiles.slice(end))?.[0].length ?? 0));
  }
  return sites;
}

/** Molecules sent to a thread at once: enough to keep it busy between messages. */
const BATCH = 2000;

/** RDKit on worker threads (RDKit-JS is single-threaded), answering batches in the order they were sent. */
class Readers {
  readonly threads: Worker[];
  private next = 0;

  constructor(count: number) {
    const entry = threadEntry(
      new URL('./generate-pool-thread.js', import.meta.url),
      new URL('./generate-pool-thread.ts', import.meta.url),
    );
    this.threads = Array.from({ length: count }, () => new Worker(entry.filename, entry.options));
  }

  read(batch: string[]): Promise<(MoleculeInfo | null)[]> {
    const thread = this.threads[this.next++ % this.threads.length] as Worker;
    return new Promise((resolve, reject) => {
      thread.once('message', (m: (MoleculeInfo | null)[] | { error: string }) =>
        'error' in m ? reject(new Error(m.error)) : resolve(m),
      );
      thread.postMessage(batch);
    });
  }

  close(): void {
    for (const t of this.threads) void t.terminate();
  }
}

async function main(): Promise<void> {
  const args = new Map<string, string>();
  for (let i = 2; i < process.argv.length; i += 2)
    args.set(process.argv[i] as string, process.argv[i + 1] as string);
  const size = Number(args.get('--size') ?? 1_000_000);
  const source = args.get('--source') ?? NCI;
  const out = args.get('--out') ?? path.join('.cascade', 'pools', `generated-${size}.smi`);
  const t0 = performance.now();
  const readers = new Readers(Math.max(1, availableParallelism()));

  const seen = new Set<string>();
  let count = 0;
  let attempts = 0;
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  // written beside, then renamed: an interrupted run leaves no file that looks complete (bench:scale reuses it)
  const partial = `${out}.partial`;
  const file = createWriteStream(partial);
  /** Reads a batch on the threads (each thread a slice, all at once) and keeps, in order, what passes. */
  const keepAll = async (batch: string[]): Promise<string[]> => {
    const slices: string[][] = [];
    const per = Math.ceil(batch.length / readers.threads.length);
    for (let i = 0; i < batch.length; i += per) slices.push(batch.slice(i, i + per));
    const facts = (await Promise.all(slices.map((b) => readers.read(b)))).flat();
    const kept: string[] = [];
    for (const m of facts) {
      if (count >= size) break;
      attempts++;
      if (m?.fragments !== 1 || m.formalCharge !== 0 || m.heavyAtoms > MAX_HEAVY) continue;
      if (seen.has(m.canonical)) continue;
      seen.add(m.canonical);
      count++;
      kept.push(m.canonical);
      if (!file.write(`${m.canonical} g${count}\n`))
        await new Promise<void>((resolve) => file.once('drain', () => resolve()));
      if (count % 100_000 === 0)
        console.error(`${count} molecules, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    return kept;
  };

  // the parents themselves first, then one substituent on each (substituent by substituent, so that every parent
  // is used early), then a second one on those products, in the order they were written
  const lines = readFileSync(source, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
  const parents: string[] = [];
  for (let i = 0; i < lines.length && count < size; i += BATCH)
    parents.push(...(await keepAll(lines.slice(i, i + BATCH))));
  let level = parents;
  while (count < size && level.length > 0) {
    const next: string[] = [];
    let batch: string[] = [];
    const flush = async () => {
      next.push(...(await keepAll(batch)));
      batch = [];
    };
    for (const s of SUBSTITUENTS) {
      for (const parent of level) {
        for (const at of attachmentSites(parent))
          batch.push(`${parent.slice(0, at)}(${s})${parent.slice(at)}`);
        if (batch.length >= BATCH) await flush();
        if (count >= size) break;
      }
      if (count >= size) break;
    }
    if (count < size) await flush();
    level = next;
  }
  readers.close();
  await new Promise<void>((resolve, reject) => file.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (count < size) throw new Error(`only ${count} distinct molecules could be made from ${source}`);
  renameSync(partial, out);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${count} molecules in ${out}, ${seconds.toFixed(1)} s (${attempts} tried)`);
  console.log(JSON.stringify({ size: count, out, seconds, attempts, parents: parents.length }));
}

await main();
