/** Worker-thread side of parallel.ts: each request (build trees or predict rows) gets one answer. */
import { parentPort } from 'node:worker_threads';
import { buildTrees, mergePacks, predictRows, type TreePack } from './core.js';
import type { QrfThreadMessage, QrfThreadRequest } from './parallel.js';

const port = parentPort;
if (!port) throw new Error('qrf/thread.ts runs as a worker thread (see parallel.ts)');
const send = (msg: QrfThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);

port.on('message', (req: QrfThreadRequest) => {
  try {
    if (req.type === 'build') {
      const packs: TreePack[] = [];
      for (let t = 0; t < req.count; t++) {
        packs.push(buildTrees(req.data, req.params, req.first + t, 1));
        send({ type: 'progress', trees: 1 });
      }
      const pack = packs.length === 1 ? (packs[0] as TreePack) : mergePacks(packs);
      const buffers = [
        pack.treeRoot,
        pack.feature,
        pack.threshold,
        pack.left,
        pack.right,
        pack.leafStart,
        pack.members,
        pack.counts,
        pack.leafWeight,
      ].map((a) => a.buffer as ArrayBuffer);
      send({ type: 'built', pack }, buffers);
    } else {
      const out = predictRows(req.pack, req.yByRank, req.x, req.d, req.from, req.to, req.qs, req.stdFloor);
      send({ type: 'predicted', out }, [
        out.mean.buffer,
        out.std.buffer,
        out.quantiles.buffer,
      ] as ArrayBuffer[]);
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    send({ type: 'error', message: e.message, stack: e.stack });
  }
});
