/** The `cascade` command. */
import { Command } from 'commander';
import { closeStores } from '../store/open.js';
import { CliError } from './client.js';
import { registerCbs } from './commands/cbs.js';
import { registerControl } from './commands/control.js';
import { registerDeployment } from './commands/deployment.js';
import { registerExport } from './commands/export.js';
import { registerLaunch } from './commands/launch.js';
import { registerQm } from './commands/qm.js';
import { registerReport } from './commands/report.js';
import { registerServer } from './commands/server.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { registerWorker } from './commands/worker.js';

export function program(): Command {
  const p = new Command('cascade')
    .description('sustainable computational discovery of molecules and materials, orchestrated by Temporal')
    .version('0.1.0')
    .showHelpAfterError();
  registerValidate(p);
  registerLaunch(p);
  registerStatus(p);
  registerReport(p);
  registerControl(p);
  registerServer(p);
  registerWorker(p);
  registerDeployment(p);
  registerQm(p);
  registerCbs(p);
  registerExport(p);
  return p;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      process.stderr.write(`cascade: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    }
  } finally {
    await closeStores();
  }
}
