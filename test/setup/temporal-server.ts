/**
 * Global set-up: one real Temporal dev server (in memory, own ports) for every integration test file.
 * Unit tests never talk to it; each integration file isolates itself with its own task-queue prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, stopDevServer } from '../../cli/dev-server.js';
import { freePort } from '../../scripts/free-port.js';

export default async function setup(project: TestProject) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'cascade-temporal-'));
  const server = await startDevServer({
    home,
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: ':memory:',
  });
  project.provide('temporalAddress', server.address);
  project.provide('temporalUi', server.ui);
  return async () => {
    await stopDevServer({ home });
    rmSync(home, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** the dev server's Web UI, e.g. http://localhost:PORT */
    temporalUi: string;
  }
}
