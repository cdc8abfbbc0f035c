/** A Temporal client for the CLI; starts the embedded dev server when nothing else is configured or running. */
import { Client, Connection } from '@temporalio/client';
import { connectSettings } from '../lib/temporal/connection.js';
import { cascadeHome } from '../store/open.js';
import { startDevServer } from './dev-server.js';

export async function connectClient(opts: { autostart?: boolean; quiet?: boolean } = {}): Promise<Client> {
  const s = connectSettings();
  if (s.local && opts.autostart) {
    const started = await startDevServer({ home: cascadeHome() });
    if (started.started && !opts.quiet) {
      process.stderr.write(`started the Temporal dev server on ${started.address} (Web UI ${started.ui})\n`);
    }
  }
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: s.address,
      tls: s.tls as never,
      apiKey: s.apiKey,
      metadata: s.metadata,
      connectTimeout: 5000,
    });
  } catch (e) {
    const hint = s.local ? ' (start one with "cascade server start", or set TEMPORAL_ADDRESS)' : '';
    throw new CliError(`cannot reach Temporal at ${s.address}${hint}: ${(e as Error).message}`);
  }
  return new Client({ connection, namespace: s.namespace });
}

/** An error the user can act on: printed without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
