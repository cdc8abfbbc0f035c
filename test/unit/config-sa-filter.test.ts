/**
 * `candidates.filters.maxSAScore` in a campaign file: a score in [1, 10], refused outside it with the position
 * a user has to fix (the style of config-errors.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadCampaign } from '../../lib/campaign/load.js';

const campaign = (maxSAScore: string) => `name: demo
candidates:
  source: mols.smi
  filters:
    maxSAScore: ${maxSAScore}
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`;

describe('candidates.filters.maxSAScore', () => {
  it('is unset by default, so no SA score is computed', () => {
    const { config, problems } = loadCampaign(campaign('5').replace(/ {2}filters:\n.*\n/, ''), 'c.yaml');
    expect(problems).toEqual([]);
    expect(config?.candidates?.filters.maxSAScore).toBeUndefined();
  });

  it.each(['1', '4.5', '10'])('accepts %s', (value) => {
    const { config, problems } = loadCampaign(campaign(value), 'c.yaml');
    expect(problems).toEqual([]);
    expect(config?.candidates?.filters.maxSAScore).toBe(Number(value));
  });

  it.each([
    ['0', 'must be at least 1, got 0'],
    ['11', 'must be at most 10, got 11'],
    ['"5"', 'expected a number, got string "5"'],
  ])('refuses %s at FILE:LINE:COL', (value, message) => {
    const { config, problems } = loadCampaign(campaign(value), 'c.yaml');
    expect(config).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 5, col: 17, path: 'candidates.filters.maxSAScore', message });
    expect(formatProblem(problems[0] as never)).toBe(`c.yaml:5:17 candidates.filters.maxSAScore: ${message}`);
  });
});
