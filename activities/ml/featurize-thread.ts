/** Worker-thread entry: featurizes one share of the SMILES (see featurizeInThreads). */
import { parentPort } from 'node:worker_threads';
import { type FeatureSpec, featurizeHere } from './features.js';

parentPort?.once('message', (req: { smiles: string[]; spec: FeatureSpec }) => {
  featurizeHere(req.smiles, req.spec).then(
    (r) => parentPort?.postMessage({ matrix: r.matrix }, [r.matrix.buffer as ArrayBuffer]),
    (e: unknown) => parentPort?.postMessage({ error: (e as Error).message }),
  );
});
