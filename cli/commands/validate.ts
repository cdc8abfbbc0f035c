import type { Command } from 'commander';
import { type CandidatesCheck, checkCandidates, describeCheck } from '../../activities/pool/check.js';
import { checkCrystals, describeCrystalsCheck } from '../../activities/pool/check-crystals.js';
import { CandidateFileError } from '../../activities/pool/read.js';
import type { CampaignConfig, CandidatesConfig } from '../../lib/campaign/schema.js';
import { readCampaignFile } from '../campaign-file.js';
import { CliError } from '../client.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check a campaign file against the schema, and read its candidates file; problems print as FILE:LINE:COL path: message (exit 2)',
    )
    .argument('<file>', 'campaign YAML')
    .option('--json', 'print the validated configuration, defaults filled in, as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const config = readCampaignFile(file);
      const check = await checkPool(config);
      if (opts.json) console.log(JSON.stringify(config, null, 2));
      else {
        console.log(`${file}: ok (campaign "${config.name}", ${config.tiers.length} tier(s))`);
        console.log(check);
      }
    });
}

/**
 * The pool's files read as the campaign will read them, before anything starts: a file the campaign would
 * refuse (unreadable, binary, UTF-16, not UTF-8, a ragged CSV, an id used twice, empty, a structure it cannot
 * read) is exit 2 now. What was found, in a line or two.
 */
export async function checkPool(config: CampaignConfig): Promise<string> {
  if (config.crystals) {
    const k = await checkCrystals(config.crystals).catch((e: Error) => {
      throw new CliError(e.message, 2);
    });
    if (k.fromFiles + k.generated === 0) throw new CliError('crystals: the files and generator give none', 2);
    return describeCrystalsCheck(k);
  }
  let check: CandidatesCheck;
  try {
    check = await checkCandidates(config.candidates as CandidatesConfig);
  } catch (e) {
    if (e instanceof CandidateFileError) throw new CliError(e.message, 2);
    throw e;
  }
  if (check.molecules === 0)
    throw new CliError(`${check.source}: no molecules in the candidates file (${check.format})`, 2);
  return describeCheck(check);
}
