/** Reads and validates a campaign file: problems are printed as FILE:LINE:COL path: message, exit code 2. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, loadCampaign } from '../lib/campaign/load.js';
import type { CampaignConfig } from '../lib/campaign/schema.js';
import { CliError } from './client.js';

export function readCampaignFile(file: string): CampaignConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2);
  }
  const { config, problems } = loadCampaign(text, file);
  if (!config || problems.length > 0) {
    throw new CliError(problems.map(formatProblem).join('\n') || `${file}: invalid campaign`, 2);
  }
  // the candidate file is relative to the campaign file, wherever the command runs
  return {
    ...config,
    candidates: {
      ...config.candidates,
      source: path.resolve(path.dirname(path.resolve(file)), config.candidates.source),
    },
  };
}
