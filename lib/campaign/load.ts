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

/**
 * A campaign file is a page of settings: the limit keeps a pasted data set or a runaway description from
 * reaching Temporal, whose start request it travels in (a 10 MB one failed there after 44 s).
 */
export const MAX_CAMPAIGN_FILE_BYTES = 64 * 1024;
/** The description travels with every workflow start and is stored with the campaign: a few paragraphs. */
export const MAX_DESCRIPTION_CHARS = 8 * 1024;

export function loadCampaign(text: string, file: string): LoadResult {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: a short text needs no encoding to be measured
  const bytes =
    text.length * 3 <= MAX_CAMPAIGN_FILE_BYTES ? text.length : new TextEncoder().encode(text).length;
  if (bytes > MAX_CAMPAIGN_FILE_BYTES) {
    const message = `the file is ${kib(bytes)} KiB; a campaign file may be at most ${kib(MAX_CAMPAIGN_FILE_BYTES)} KiB (data belongs in the files it names)`;
    return { problems: [{ file, line: 1, col: 1, path: '', message }] };
  }
  const { data, problems } = loadYamlConfig(CampaignConfig, text, file, {
    contents: 'campaign settings',
    emptyMessage: 'the file is empty; a campaign needs at least name, candidates, objective and tiers',
  });
  const long = data?.description !== undefined && data.description.length > MAX_DESCRIPTION_CHARS;
  if (data && long) {
    const line = text.slice(0, Math.max(0, text.search(/^description\s*:/m))).split('\n').length;
    const message = `${data.description?.length} characters; a description may be at most ${MAX_DESCRIPTION_CHARS}`;
    return { problems: [...problems, { file, line, col: 1, path: 'description', message }] };
  }
  return data === undefined ? { problems } : { config: data, problems };
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
