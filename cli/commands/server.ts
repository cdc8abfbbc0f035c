import type { Command } from 'commander';
import { cascadeHome } from '../../store/open.js';
import { devServerStatus, startDevServer, stopDevServer } from '../dev-server.js';

export function registerServer(program: Command): void {
  const server = program
    .command('server')
    .description('the embedded Temporal dev server (SQLite file under .cascade/, Web UI on 8233)');
  const opts = (o: { port?: string; uiPort?: string; db?: string }) => ({
    home: cascadeHome(),
    port: o.port ? Number(o.port) : undefined,
    uiPort: o.uiPort ? Number(o.uiPort) : undefined,
    dbFile: o.db,
  });
  server
    .command('start')
    .description('start it in the background (no-op when one is already listening)')
    .option('--port <port>', 'frontend gRPC port', '7233')
    .option('--ui-port <port>', 'Web UI port', '8233')
    .option('--db <file>', 'SQLite file (default .cascade/temporal.db)')
    .action(async (o) => {
      const s = await startDevServer(opts(o));
      console.log(
        `${s.started ? 'started' : 'already running'}: ${s.address}, Web UI ${s.ui}${s.pid ? `, pid ${s.pid}` : ''}`,
      );
    });
  server
    .command('stop')
    .description('stop the dev server this project started')
    .action(async () => {
      console.log((await stopDevServer(opts({}))) ? 'stopped' : 'not running (no server started by cascade)');
    });
  server
    .command('status')
    .description('is it running, where, and with which database file')
    .option('--json', 'machine-readable')
    .option('--port <port>', 'frontend gRPC port', '7233')
    .action(async (o) => {
      const s = await devServerStatus(opts(o));
      if (o.json) console.log(JSON.stringify(s));
      else
        console.log(
          s.running ? `running: ${s.address}, Web UI ${s.ui}, database ${s.dbFile}` : 'not running',
        );
      process.exitCode = s.running ? 0 : 3;
    });
}
