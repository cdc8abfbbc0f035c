/** Reads and validates a campaign file: problems are printed as FILE:LINE:COL path: message, exit code 2. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, loadCampaign } from '../lib/campaign/load.js';
import type { CampaignConfig } from '../lib/campaign/schema.js';
import { carbonIntensity } from '../lib/energy/carbon.js';
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
  // the candidate file is relative to the campaign file, wherever the command runs; the grid's carbon intensity,
  // when the file leaves it to the environment, is fixed at launch (the stored config records what was used)
  const here = (p: string) => path.resolve(path.dirname(path.resolve(file)), p);
  return {
    ...config,
    ...(config.candidates && { candidates: { ...config.candidates, source: here(config.candidates.source) } }),
    ...(config.crystals?.files && { crystals: { ...config.crystals, files: config.crystals.files.map(here) } }),
    accounting: { ...config.accounting, ...launchCarbonIntensity(config, file) },
  };
}

function launchCarbonIntensity(config: CampaignConfig, file: string): { carbonIntensity?: number } {
  if (config.accounting.carbonIntensity !== undefined || !process.env.CASCADE_CARBON_INTENSITY?.trim())
    return {};
  try {
    return { carbonIntensity: carbonIntensity(process.env).gramsPerKWh };
  } catch (e) {
    throw new CliError(`${(e as Error).message} (or set accounting.carbonIntensity in ${file})`, 2);
  }
}
