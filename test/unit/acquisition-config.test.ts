/**
 * The campaign file's `acquisition` section: every registered strategy is a valid name, a misspelt one is a
 * `cascade validate` problem at FILE:LINE:COL, and a strategy without the settings it needs is refused at
 * load time rather than at round 3.
 */
import { describe, expect, it } from 'vitest';
import { multiObjectiveNames, strategies, strategyNames } from '../../lib/acquisition/index.js';
import { campaignJsonSchema } from '../../lib/campaign/json-schema.js';
import { formatProblem, loadCampaign } from '../../lib/campaign/load.js';
import { Acquisition } from '../../lib/campaign/schema.js';

const VALID = `name: demo
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`;

/** The problems of VALID plus an acquisition section, as `cascade validate` prints them. */
const problems = (acquisition: string) =>
  loadCampaign(`${VALID}${acquisition}`, 'campaign.yaml').problems.map(formatProblem);

describe('the strategy registry', () => {
  it('lists every strategy, and the schema takes its names from it', () => {
    expect(strategyNames).toEqual([
      'ucb',
      'greedy',
      'uncertainty',
      'random',
      'pi',
      'ei',
      'nei',
      'thompson',
      'threshold',
      'epsilon-greedy',
      'ehvi',
      'parego',
    ]);
    expect(Acquisition.shape.strategy.unwrap().options).toEqual(strategyNames);
    for (const name of strategyNames) {
      expect(strategies[name].description.length).toBeGreaterThan(0);
      expect(Array.isArray(strategies[name].needs)).toBe(true);
    }
  });

  it('every strategy loads from a file with its defaults (threshold with its bar)', () => {
    for (const name of strategyNames) {
      const extra = name === 'threshold' ? '\n  threshold: 3.5' : '';
      // the multi-objective strategies need several objectives
      const file = multiObjectiveNames().includes(name)
        ? VALID.replace(
            'objective:\n  property: homoLumoGap\n  direction: maximize\n',
            'objectives:\n  - {property: homoLumoGap, direction: maximize}\n  - {property: saScore, direction: minimize}\n',
          )
        : VALID;
      const { config, problems } = loadCampaign(
        `${file}acquisition:\n  strategy: ${name}${extra}\n`,
        'c.yaml',
      );
      expect(problems).toEqual([]);
      expect(config?.acquisition).toMatchObject({
        strategy: name,
        xi: 0,
        epsilon: 0.1,
        diversity: 0,
        costAware: false,
      });
    }
  });

  it('the published JSON Schema lists the names and the new settings', () => {
    const { properties } = campaignJsonSchema() as {
      properties: { acquisition: { properties: Record<string, { enum?: string[] }> } };
    };
    const acquisition = properties.acquisition;
    expect(acquisition.properties.strategy?.enum).toEqual(strategyNames);
    for (const key of ['xi', 'threshold', 'epsilon', 'diversity', 'costAware']) {
      expect(acquisition.properties[key]).toHaveProperty('description');
    }
  });
});

describe('acquisition problems, as cascade validate reports them', () => {
  it('a misspelt strategy name: FILE:LINE:COL, the names, and a suggestion', () => {
    expect(problems('acquisition:\n  strategy: tompson\n')).toEqual([
      `campaign.yaml:10:13 acquisition.strategy: expected one of ${strategyNames.join(', ')}, got "tompson" (did you mean "thompson"?)`,
    ]);
    expect(problems('acquisition:\n  batchSize: 4\n  strategy: epsilon_greedy\n')[0]).toMatch(
      /^campaign\.yaml:11:13 acquisition\.strategy: .*got "epsilon_greedy" \(did you mean "epsilon-greedy"\?\)$/,
    );
  });

  it('threshold without its bar', () => {
    expect(problems('acquisition:\n  strategy: threshold\n')).toEqual([
      `campaign.yaml:10:13 acquisition.strategy: strategy "threshold" needs acquisition.threshold, the objective value a candidate should reach (at least it when maximising, at most it when minimising), in the objective's units`,
    ]);
  });

  it('settings out of range', () => {
    expect(problems('acquisition:\n  strategy: epsilon-greedy\n  epsilon: 1.5\n')).toEqual([
      'campaign.yaml:11:12 acquisition.epsilon: must be at most 1, got 1.5',
    ]);
    expect(problems('acquisition:\n  diversity: -0.1\n')).toEqual([
      'campaign.yaml:10:14 acquisition.diversity: must be at least 0, got -0.1',
    ]);
    expect(problems('acquisition:\n  strategy: ei\n  xi: -1\n')).toEqual([
      'campaign.yaml:11:7 acquisition.xi: must be at least 0, got -1',
    ]);
  });

  it('diversity with a strategy that picks its own batch, and costAware with one whose values can be negative', () => {
    expect(problems('acquisition:\n  strategy: thompson\n  diversity: 0.5\n')).toEqual([
      'campaign.yaml:11:14 acquisition.diversity: diversity re-ranks the top of a ranking, but strategy "thompson" picks its own batch: use diversity 0 or a ranking strategy',
    ]);
    expect(problems('acquisition:\n  strategy: ucb\n  costAware: true\n')).toEqual([
      'campaign.yaml:11:14 acquisition.costAware: costAware divides the acquisition value by the predicted cost, which needs a value that is never negative; strategy "ucb" has none: use uncertainty, pi, ei, nei, threshold',
    ]);
  });

  it('reports a cross-field problem alongside an unrelated one', () => {
    const found = problems('acquisition:\n  strategy: threshold\n  batchSize: 0\n');
    expect(found).toHaveLength(2);
    expect(found.some((p) => p.includes('acquisition.batchSize'))).toBe(true);
    expect(found.some((p) => p.includes('needs acquisition.threshold'))).toBe(true);
  });
});
