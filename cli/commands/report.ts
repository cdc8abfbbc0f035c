import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../../store/open.js';
import { CliError } from '../client.js';
import { positiveInt } from '../options.js';
import { reportData } from '../report/data.js';
import { reportHtml } from '../report/html.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'one self-contained HTML page of a campaign: progress, surrogate, tiers, energy, top candidates',
    )
    .argument('<campaign>', 'campaign name')
    .option('-o, --output <file>', 'where to write the page', 'report.html')
    .option('--top <n>', 'top candidates to list', positiveInt, 12)
    .action(async (name: string, o: { output: string; top: number }) => {
      const store = openStore();
      const data = await reportData(store, name, o.top);
      if (!data) throw new CliError(`no campaign named ${name} in the store at ${store.location}`);
      const file = path.resolve(o.output);
      writeFileSync(file, await reportHtml(data));
      console.log(`wrote ${file}`);
    });
}
