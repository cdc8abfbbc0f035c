/** Worker-thread side of generate-pool.ts: reads each SMILES of a batch with RDKit, answers its facts or null. */
import { parentPort } from 'node:worker_threads';
import { describeMolecule } from '../activities/chem/rdkit.js';

parentPort?.on('message', (batch: string[]) => {
  Promise.all(batch.map((s) => describeMolecule(s))).then(
    (facts) => parentPort?.postMessage(facts),
    (e: unknown) => parentPort?.postMessage({ error: (e as Error).message }),
  );
});
