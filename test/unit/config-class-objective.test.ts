/**
 * Class objectives in campaign files (`objective: {property: homoLumoGap, above: 3}`, `{property: succeeds}`):
 * what they parse to, that a parsed config parses again to itself, that files from before still parse as they
 * did, and the problems `cascade validate` reports with their file, line and column.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadCampaign, type Problem } from '../../lib/campaign/load.js';
import { CampaignConfig } from '../../lib/campaign/schema.js';

/** A campaign file with this objective block (lines 4.. of the file) and what follows it. */
const file = (objective: string, rest = '') => `name: demo
candidates:
  source: mols.smi
${objective}
tiers:
  - code: xtb
${rest}`;

function parsed(yaml: string): CampaignConfig {
  const { config, problems } = loadCampaign(yaml, 'campaign.yaml');
  expect(problems.map(formatProblem)).toEqual([]);
  return config as CampaignConfig;
}

function problems(yaml: string): Problem[] {
  const { config, problems } = loadCampaign(yaml, 'campaign.yaml');
  expect(config).toBeUndefined();
  return problems;
}

describe('a class objective in a campaign file', () => {
  it('above a bar: the direction follows, the objectives list holds the property alone', () => {
    const c = parsed(file('objective: { property: homoLumoGap, above: 3.0 }'));
    expect(c.objective).toEqual({ property: 'homoLumoGap', direction: 'maximize', above: 3 });
    expect(c.objectives).toEqual([{ property: 'homoLumoGap', direction: 'maximize' }]);
  });

  it('below a bar minimises', () => {
    const c = parsed(file('objective:\n  property: dipoleMoment\n  below: 1.5'));
    expect(c.objective).toEqual({ property: 'dipoleMoment', direction: 'minimize', below: 1.5 });
  });

  it('succeeds: the tiers read the total energy, which every code reports', () => {
    const c = parsed(file('objective: { property: succeeds }'));
    expect(c.objective).toEqual({ property: 'totalEnergy', direction: 'minimize', succeeds: true });
  });

  it('a parsed config parses again to itself, each form', () => {
    for (const objective of [
      'objective: { property: homoLumoGap, above: 3 }',
      'objective: { property: homoLumoGap, below: 1 }',
      'objective: { property: succeeds }',
      'objective: { property: homoLumoGap, direction: maximize }',
    ]) {
      const c = parsed(file(objective));
      expect(CampaignConfig.parse(c)).toEqual(c);
      expect(CampaignConfig.parse(JSON.parse(JSON.stringify(c)))).toEqual(c);
    }
  });

  it('leaves a value objective and a stored config from before as they were', () => {
    const before = {
      name: 'old',
      candidates: { source: 'mols.smi' },
      objective: { property: 'homoLumoGap', direction: 'minimize' },
      objectives: [{ property: 'homoLumoGap', direction: 'minimize' }],
      tiers: [{ code: 'xtb' }],
    };
    const c = CampaignConfig.parse(before);
    expect(c.objective).toEqual({ property: 'homoLumoGap', direction: 'minimize' });
    expect(Object.keys(c.objective)).toEqual(['property', 'direction']);
  });

  it('accepts a class objective with a constraint on another property and a whole-number target', () => {
    const c = parsed(
      file(
        'objective: { property: homoLumoGap, above: 3 }',
        'constraints: ["dipoleMoment <= 5"]\nstopping: { target: 4 }\nacquisition: { strategy: greedy, diversity: 0.5 }\n',
      ),
    );
    expect(c.stopping.target).toBe(4);
  });
});

describe('cascade validate on class objectives', () => {
  const one = (yaml: string) => {
    const p = problems(yaml);
    expect(p.map(formatProblem)).toHaveLength(1);
    return p[0] as Problem;
  };

  it('refuses a direction that contradicts the bar, at the direction', () => {
    const p = one(file('objective:\n  property: homoLumoGap\n  above: 3\n  direction: minimize'));
    expect(p).toMatchObject({ line: 7, col: 14, path: 'objective.direction' });
    expect(p.message).toBe(
      'above: 3 counts the candidates at or above it, so it has no direction to choose: leave direction out',
    );
    expect(formatProblem(p)).toMatch(/^campaign\.yaml:7:14 objective\.direction: above: 3 counts/);
  });

  it('refuses both bars', () => {
    const p = one(file('objective:\n  property: homoLumoGap\n  above: 3\n  below: 5'));
    expect(p).toMatchObject({ line: 7, col: 10, path: 'objective.below' });
    expect(p.message).toContain('give above or below, not both');
  });

  it('refuses a direction with succeeds', () => {
    const p = one(file('objective:\n  property: succeeds\n  direction: maximize'));
    expect(p).toMatchObject({ line: 6, col: 14, path: 'objective.direction' });
    expect(p.message).toContain('property: succeeds is a class objective of its own');
  });

  it('asks for a direction or a bar when neither is given', () => {
    const p = one(file('objective:\n  property: homoLumoGap'));
    expect(p).toMatchObject({ line: 4, path: 'objective.direction' });
    expect(p.message).toBe(
      'give direction (maximize or minimize), or above/below NUMBER to find the candidates past a bar (a class objective)',
    );
  });

  it('refuses a class on a property the last tier does not report, at the property', () => {
    const p = one(file('objective:\n  property: bandGap\n  above: 1'));
    expect(p).toMatchObject({ line: 5, col: 13, path: 'objective.property' });
    expect(p.message).toBe(
      'the last tier (xtb, xtb) does not report bandGap; it reports homoLumoGap, totalEnergy, dipoleMoment',
    );
  });

  it('lists succeeds among what an objective can name', () => {
    const p = one(file('objective:\n  property: succeed'));
    expect(p).toMatchObject({ line: 5, col: 13, path: 'objective.property' });
    expect(p.message).toMatch(/^expected one of homoLumoGap, .*, formationEnergy, succeeds, got "succeed"/);
  });

  it('refuses a strategy that does not rank by the probability of a hit', () => {
    const p = one(file('objective: { property: homoLumoGap, above: 3 }', 'acquisition:\n  strategy: ei\n'));
    expect(p).toMatchObject({ line: 8, col: 13, path: 'acquisition.strategy' });
    expect(p.message).toBe(
      `a class objective (homoLumoGap >= 3) ranks candidates by the classifier's probability of a hit: use strategy ucb, greedy, epsilon-greedy, random (got "ei")`,
    );
  });

  it('refuses a constraint on the class property, a fractional target and Delta-learning', () => {
    const yaml = file(
      'objective: { property: homoLumoGap, above: 3 }',
      'constraints: ["homoLumoGap <= 6"]\nstopping:\n  target: 2.5\nsurrogate:\n  fidelity: delta\n',
    ).replace('tiers:\n  - code: xtb', 'tiers:\n  - code: xtb\n  - code: xtb\n    name: fine');
    const p = problems(yaml);
    expect(p.map((x) => [x.line, x.path])).toEqual([
      [9, 'constraints.0'],
      [11, 'stopping.target'],
      [13, 'surrogate.fidelity'],
    ]);
    expect(p[0]?.message).toBe(
      "the objective already sets the bar on homoLumoGap (homoLumoGap >= 3): move this bound into the objective's above or below",
    );
    expect(p[1]?.message).toBe(
      'with a class objective (homoLumoGap >= 3) the target is a number of hits, a whole number of at least 1 (got 2.5)',
    );
    expect(p[2]?.message).toContain('is learned by a classifier of hits, not by Delta-learning');
  });
});
