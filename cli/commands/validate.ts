import type { Command } from 'commander';
import { readCampaignFile } from '../campaign-file.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check a campaign file against the schema; problems print as FILE:LINE:COL path: message (exit 2)',
    )
    .argument('<file>', 'campaign YAML')
    .option('--json', 'print the validated configuration, defaults filled in, as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      const config = readCampaignFile(file);
      if (opts.json) console.log(JSON.stringify(config, null, 2));
      else console.log(`${file}: ok (campaign "${config.name}", ${config.tiers.length} tier(s))`);
    });
}
