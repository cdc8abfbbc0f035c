/**
 * A stand-in worker for test/integration/launcher.test.ts: starts `sleep 60` through the launcher in the
 * folder given as its argument, prints the sleep's pid, and waits to be killed.
 */
import { join } from 'node:path';
import { launcher } from '../../activities/qm/launcher.js';

const dir = process.argv[2] as string;
const l = launcher();
if (!l) throw new Error('no launcher: run "make setup" to build .tools/cascade-launcher');
const { pid } = l.launch({
  binary: '/bin/sleep',
  argv: ['60'],
  cwd: dir,
  env: {},
  stdoutFile: join(dir, 'out'),
  stderrFile: join(dir, 'err'),
});
console.log(await pid);
setInterval(() => {}, 1_000);
