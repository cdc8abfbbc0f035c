/** Worker-thread entry: a SparseMembers of its own, screening the share of each chunk it is sent (./helpers.ts). */
import { parentPort } from 'node:worker_threads';
import { selectBackend } from '../backend.js';
import { type MemberWeights, SparseMembers } from './sparse-members.js';

type Request =
  | { type: 'init'; weights: MemberWeights[]; xMean: Float32Array; xStd: Float32Array }
  | { type: 'rows'; block: Float32Array; rows: number };

let members: SparseMembers | undefined;

parentPort?.on('message', (req: Request) => {
  if (req.type === 'init') {
    selectBackend({ log: () => {} })
      // helpers are the wasm kernel's way to a second core (the native one has threads of its own)
      .then(() =>
        SparseMembers.create(
          req.weights,
          { xMean: req.xMean, xStd: req.xStd },
          { kernel: 'wasm', reason: 'helper thread' },
        ),
      )
      .then(
        (created) => {
          members = created;
          parentPort?.postMessage(created ? { type: 'ready' } : { type: 'error', message: 'no sparse path' });
        },
        (e: unknown) => parentPort?.postMessage({ type: 'error', message: (e as Error).message }),
      );
    return;
  }
  try {
    const outputs = members?.outputs(req.block, req.rows);
    parentPort?.postMessage(
      { type: 'outputs', outputs },
      (outputs ?? []).map((o) => o.buffer as ArrayBuffer),
    );
  } catch (e) {
    parentPort?.postMessage({ type: 'error', message: (e as Error).message });
  }
});
