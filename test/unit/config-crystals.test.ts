/** The campaign schema's crystal pools and Elk tiers: what a materials campaign file may say, and the messages. */
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/campaign/load.js';
import { poolSource } from '../../lib/campaign/pool-source.js';
import { formatProblem } from '../../lib/config/problem.js';

const CRYSTALS = `name: solids
crystals:
  generate: {prototypes: [rockSalt, perovskite], A: [Mg, Sr], B: [O, Ti], X: [O]}
objective: {property: bandGap, direction: maximize}
tiers:
  - code: elk
    settings: {rgkmax: 5, kpoints: [2, 2, 2]}
  - code: elk
    name: converged
    cbs: {rgkmax: [5, 6, 7, 8]}
`;

const problems = (text: string) => loadCampaign(text, 'c.yaml').problems.map(formatProblem);

describe('a crystal campaign file', () => {
  it('parses with defaults: symmetry tolerance, filters, the ladder tolerance, PBE', () => {
    const { config, problems: p } = loadCampaign(CRYSTALS, 'c.yaml');
    expect(p).toEqual([]);
    expect(config?.crystals).toMatchObject({ symprec: 1e-3, filters: { maxAtoms: 20, chargeNeutral: true } });
    expect(config?.tiers[1]).toMatchObject({
      code: 'elk',
      method: 'pbe',
      cbs: { maxIntervalMeVPerAtom: 20 },
    });
    expect(poolSource(config as NonNullable<typeof config>)).toBe(
      'generated rockSalt/perovskite from Mg/Sr x O/Ti x O',
    );
  });

  it('screens one kind: candidates or crystals, not both, not neither', () => {
    const both = `${CRYSTALS}candidates: {source: x.smi}\n`;
    expect(problems(both).join('\n')).toMatch(/give candidates \(molecules\) or crystals, not both/);
    const neither = CRYSTALS.replace(/crystals:\n.*\n/, '');
    expect(problems(neither).join('\n')).toMatch(/what should the campaign screen\?/);
  });

  it('refuses a molecular code for crystals and Elk for molecules, at the tier', () => {
    const xtb = CRYSTALS.replace(
      '  - code: elk\n    settings: {rgkmax: 5, kpoints: [2, 2, 2]}',
      '  - code: xtb',
    );
    expect(problems(xtb)).toContainEqual(
      expect.stringMatching(
        /tiers\.0\.code: tier "xtb" runs xtb, a code for molecules; a crystal pool needs elk/,
      ),
    );
    const molecules = CRYSTALS.replace(/crystals:\n.*\n/, 'candidates: {source: x.smi}\n');
    expect(problems(molecules).join('\n')).toMatch(
      /tiers\.0\.code: tier "elk" runs elk, a code for crystals/,
    );
  });

  it("refuses an objective or constraint the last tier's code does not report", () => {
    const gap = CRYSTALS.replace('property: bandGap', 'property: homoLumoGap');
    expect(problems(gap)).toContainEqual(
      expect.stringMatching(
        /objective\.property: the last tier \(converged, elk\) does not report homoLumoGap/,
      ),
    );
    const dipole = `${CRYSTALS}constraints: ["dipoleMoment <= 2"]\n`;
    expect(problems(dipole)).toContainEqual(
      expect.stringMatching(/constraints\.0: the last tier .* does not report dipoleMoment/),
    );
  });

  it('refuses an rgkmax ladder the data set never learned, a relaxation, and Elk settings Elk would reject', () => {
    expect(problems(CRYSTALS.replace('[5, 6, 7, 8]', '[6, 8]')).join('\n')).toMatch(
      /learned cascade's data set's ladder \[5, 6, 7, 8\]/,
    );
    expect(problems(CRYSTALS.replace('[5, 6, 7, 8]', '[5, 6, 7, 8, 9]'))).toEqual([]);
    expect(
      problems(CRYSTALS.replace('name: converged', 'name: converged\n    optimize: true')).join('\n'),
    ).toMatch(/cascade does not relax crystals/);
    expect(
      problems(CRYSTALS.replace('kpoints: [2, 2, 2]', 'kpoints: [2, 2, 2], beta0: 0.1')).join('\n'),
    ).toMatch(/beta0 has no effect with Broyden mixing/);
  });

  it('needs files or a generator, and a perovskite needs its X site', () => {
    expect(problems(CRYSTALS.replace(/ {2}generate: .*\n/, '  limit: 3\n')).join('\n')).toMatch(
      /give files .* generate/,
    );
    expect(problems(CRYSTALS.replace(', X: [O]', '')).join('\n')).toMatch(/perovskite \(ABX3\) needs X/);
  });
});
