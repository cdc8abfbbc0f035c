/**
 * Reads a campaign YAML text into a validated CampaignConfig, or into problems that say exactly where
 * the file is wrong and what to write instead. Pure: the caller reads the file. The YAML and zod
 * machinery lives in yaml-config.ts, shared with the other YAML files cascade reads.
 */
import type { Problem } from '../config/problem.js';
import { loadYamlConfig } from '../config/yaml-config.js';
import { CampaignConfig } from './schema.js';

export { formatProblem, type Problem } from '../config/problem.js';
export { MAX_ALIAS_EXPANSION } from '../config/yaml-config.js';

export interface LoadResult {
  /** Present only when there are no problems. */
  config?: CampaignConfig;
  /** Every problem found, in file order. */
  problems: Problem[];
}

export function loadCampaign(text: string, file: string): LoadResult {
  const { data, problems } = loadYamlConfig(CampaignConfig, text, file, {
    contents: 'campaign settings',
    emptyMessage: 'the file is empty; a campaign needs at least name, candidates, objective and tiers',
  });
  return data === undefined ? { problems } : { config: data, problems };
}
