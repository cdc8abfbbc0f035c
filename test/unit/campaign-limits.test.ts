/** Size caps on a campaign file (issue 16, case 4: a 10 MB description failed the workflow start after 44 s). */
import { describe, expect, it } from 'vitest';
import {
  formatProblem,
  loadCampaign,
  MAX_CAMPAIGN_FILE_BYTES,
  MAX_DESCRIPTION_CHARS,
} from '../../lib/campaign/load.js';

const base = `name: capped
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`;

describe('campaign file caps', () => {
  it('refuses a file over the limit before parsing it', () => {
    const text = `${base}description: "${'x'.repeat(10 * 1024 * 1024)}"\n`;
    const { config, problems } = loadCampaign(text, 'big.yaml');
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      `big.yaml:1:1 (root): the file is 10240.1 KiB; a campaign file may be at most ${MAX_CAMPAIGN_FILE_BYTES / 1024} KiB (data belongs in the files it names)`,
    ]);
  });

  it('refuses a description over its limit at its line, and takes one at the limit', () => {
    const long = loadCampaign(`${base}description: ${'y'.repeat(MAX_DESCRIPTION_CHARS + 1)}\n`, 'c.yaml');
    expect(long.config).toBeUndefined();
    expect(long.problems.map(formatProblem)).toEqual([
      `c.yaml:9:1 description: ${MAX_DESCRIPTION_CHARS + 1} characters; a description may be at most ${MAX_DESCRIPTION_CHARS}`,
    ]);
    const fits = loadCampaign(`${base}description: ${'y'.repeat(MAX_DESCRIPTION_CHARS)}\n`, 'c.yaml');
    expect(fits.problems).toEqual([]);
    expect(fits.config?.description).toHaveLength(MAX_DESCRIPTION_CHARS);
  });
});
