/**
 * Malformed campaign files: each must be reported with the exact field path and position a user has to
 * fix, and a message a chemist can act on.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, loadCampaign, type Problem } from '../../lib/campaign/load.js';

/** A minimal valid campaign; cases below are written out in full so their line numbers can be read off. */
const VALID = `name: demo
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`;

function problemsOf(yaml: string): Problem[] {
  const { config, problems } = loadCampaign(yaml, 'campaign.yaml');
  expect(config).toBeUndefined();
  expect(problems.length).toBeGreaterThan(0);
  return problems;
}

/** The single problem a file has (fails if it has none or several). */
function onlyProblem(yaml: string): Problem {
  const problems = problemsOf(yaml);
  expect(problems.map(formatProblem)).toHaveLength(1);
  return problems[0] as Problem;
}

describe('the baseline', () => {
  it('is valid, so each case below fails for its own reason only', () => {
    expect(loadCampaign(VALID, 'campaign.yaml').problems).toEqual([]);
  });
});

describe('YAML-level problems', () => {
  it('reports a syntax error with its position', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: "mols.smi
objective:
  property: homoLumoGap
`);
    expect(p).toMatchObject({ file: 'campaign.yaml', line: 6, col: 1, path: '' });
    expect(p.message).toMatch(/^invalid YAML: .*quote/);
  });

  it('reports a flow mapping left open', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
objective: {property: homoLumoGap, direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 5, col: 1, path: '' });
    expect(p.message).toContain('end with a }');
  });

  it('reports tabs used for indentation', () => {
    const p = onlyProblem('name: demo\ncandidates:\n\tsource: mols.smi\n');
    expect(p).toMatchObject({ line: 3, col: 1, path: '' });
    expect(p.message).toContain('Tabs are not allowed');
  });

  it('reports a duplicate key at the second occurrence, with its path', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
  format: smi
  source: other.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 5, col: 3, path: 'candidates.source' });
    expect(p.message).toBe('duplicate key "source"; each key may appear only once in a mapping');
  });

  it('refuses an alias bomb quickly, without expanding it', () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 12; i++) {
      const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const started = performance.now();
    const p = onlyProblem(`${levels.join('\n')}\n`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(p).toMatchObject({ line: 2, col: 8, path: 'b.0' });
    expect(p.message).toContain('possible alias bomb');
  });

  it('reports an alias with no anchor where it is used', () => {
    const p = onlyProblem(`${VALID}description: *summary\n`);
    expect(p).toMatchObject({ line: 9, col: 14, path: 'description' });
    expect(p.message).toContain('Unresolved alias');
  });

  it('reports an empty file', () => {
    expect(onlyProblem('')).toMatchObject({ line: 1, col: 1, path: '' });
    const p = onlyProblem('# nothing here yet\n\n');
    expect(p).toMatchObject({ line: 1, col: 1, path: '' });
    expect(p.message).toContain('the file is empty');
  });

  it('reports a list at the top level', () => {
    const p = onlyProblem('# campaigns\n- name: demo\n- name: other\n');
    expect(p).toMatchObject({ line: 2, col: 1, path: '' });
    expect(p.message).toBe(
      'expected a mapping of campaign settings (key: value lines) at the top level, got a list',
    );
  });

  it('reports a bare scalar at the top level', () => {
    const p = onlyProblem('demo\n');
    expect(p.message).toContain('got string "demo"');
  });
});

describe('unknown keys', () => {
  it('points at a misspelt top-level key and suggests the right one', () => {
    const p = onlyProblem(`${VALID}acquistion:
  kappa: 1
`);
    expect(p).toMatchObject({ line: 9, col: 1, path: 'acquistion' });
    expect(p.message).toBe('unknown key "acquistion" (did you mean "acquisition"?)');
  });

  it('points at a nested key differing only in case', () => {
    const p = onlyProblem(`${VALID}acquisition:
  strategy: ucb
  batchsize: 16
`);
    expect(p).toMatchObject({ line: 11, col: 3, path: 'acquisition.batchsize' });
    expect(p.message).toBe('unknown key "batchsize" (did you mean "batchSize"?)');
  });

  it('points at an unknown key inside a tier', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
    metod: gfn1
`);
    expect(p).toMatchObject({ line: 9, col: 5, path: 'tiers.0.metod' });
    expect(p.message).toBe('unknown key "metod" (did you mean "method"?)');
  });

  it('lists the allowed keys when nothing is close', () => {
    const p = onlyProblem(`${VALID}stopping:
  whenBored: true
`);
    expect(p).toMatchObject({ line: 10, col: 3, path: 'stopping.whenBored' });
    expect(p.message).toBe('unknown key "whenBored"; allowed here: patience, minImprovement, target');
  });
});

describe('missing keys', () => {
  it('reports a missing name at the top-level mapping', () => {
    const p = onlyProblem(`# no name
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 2, col: 1, path: 'name' });
    expect(p.message).toMatch(/^missing required key "name"/);
  });

  it('reports a missing candidates.source at the candidates key, explaining the field', () => {
    const p = onlyProblem(`name: demo
candidates:
  format: smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 2, col: 1, path: 'candidates.source' });
    expect(p.message).toBe(
      'missing required key "source": path to a SMILES (.smi), CSV (.csv) or SDF (.sdf) file, relative to the YAML file',
    );
  });

  it('reports a missing objective section', () => {
    const p = onlyProblem('name: demo\ncandidates:\n  source: mols.smi\ntiers:\n  - code: xtb\n');
    expect(p).toMatchObject({ line: 1, col: 1, path: 'objective' });
    expect(p.message).toBe(
      'what should the campaign optimise? give objective: {property, direction} or an objectives list',
    );
  });

  it('reports a tier without a code at the tier', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - method: gfn2
`);
    expect(p).toMatchObject({ line: 8, col: 5, path: 'tiers.0.code' });
    expect(p.message).toBe('missing required key "code" (one of xtb, nwchem, elk)');
  });
});

describe('bad values', () => {
  it('explains the campaign name rules and shows the value', () => {
    const p = onlyProblem(VALID.replace('name: demo', 'name: My Demo'));
    expect(p).toMatchObject({ line: 1, col: 7, path: 'name' });
    expect(p.message).toBe(
      'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, got "My Demo"',
    );
  });

  it('reports an empty value where text is needed', () => {
    const p = onlyProblem(VALID.replace('name: demo', 'name:'));
    expect(p).toMatchObject({ line: 1, col: 6, path: 'name' });
    expect(p.message).toBe('expected a string, got an empty value');
  });

  it('lists the file formats and suggests the closest', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.sdf
  format: sdff
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 4, col: 11, path: 'candidates.format' });
    expect(p.message).toBe('expected one of auto, smi, csv, sdf, got "sdff" (did you mean "sdf"?)');
  });

  it('rejects a negative maxHeavyAtoms (once, without a min > max echo)', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
  filters:
    maxHeavyAtoms: -5
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 5, col: 20, path: 'candidates.filters.maxHeavyAtoms' });
    expect(p.message).toBe('must be greater than 0, got -5');
  });

  it('rejects minHeavyAtoms above maxHeavyAtoms, naming both values', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
  filters: {minHeavyAtoms: 25, maxHeavyAtoms: 20}
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 4, col: 28, path: 'candidates.filters.minHeavyAtoms' });
    expect(p.message).toBe('minHeavyAtoms (25) must not exceed maxHeavyAtoms (20)');
  });

  it('rejects a lowercase element symbol, pointing at the list item', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
  filters:
    elements: [C, N, cl]
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 5, col: 22, path: 'candidates.filters.elements.2' });
    expect(p.message).toBe('expected an element symbol such as C, N or Cl, got "cl"');
  });

  it('lists the properties an objective can name', () => {
    const p = onlyProblem(VALID.replace('property: homoLumoGap', 'property: gap'));
    expect(p).toMatchObject({ line: 5, col: 13, path: 'objective.property' });
    expect(p.message).toBe(
      'expected one of homoLumoGap, totalEnergy, dipoleMoment, bandGap, energyPerAtom, formationEnergy, succeeds, got "gap"',
    );
  });

  it('suggests the right spelling of a direction', () => {
    const p = onlyProblem(VALID.replace('direction: maximize', 'direction: maximise'));
    expect(p).toMatchObject({ line: 6, col: 14, path: 'objective.direction' });
    expect(p.message).toBe('expected one of maximize, minimize, got "maximise" (did you mean "maximize"?)');
  });

  it('completes an abbreviated direction', () => {
    const p = onlyProblem(VALID.replace('direction: maximize', 'direction: min'));
    expect(p.message).toBe('expected one of maximize, minimize, got "min" (did you mean "minimize"?)');
  });

  it('rejects true/false given as yes/no (YAML 1.2 reads them as text)', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
  filters:
    neutralOnly: no
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
`);
    expect(p).toMatchObject({ line: 5, col: 18, path: 'candidates.filters.neutralOnly' });
    expect(p.message).toBe('expected true or false, got string "no"');
  });

  it('rejects a string where a number is needed', () => {
    const p = onlyProblem(`${VALID}acquisition:
  kappa: abc
`);
    expect(p).toMatchObject({ line: 10, col: 10, path: 'acquisition.kappa' });
    expect(p.message).toBe('expected a number, got string "abc"');
  });

  it('rejects a fraction where a whole number is needed', () => {
    const p = onlyProblem(`${VALID}budget:
  rounds: 2.5
`);
    expect(p).toMatchObject({ line: 10, col: 11, path: 'budget.rounds' });
    expect(p.message).toBe('expected a whole number, got 2.5');
  });

  it('rejects a negative kappa', () => {
    const p = onlyProblem(`${VALID}acquisition:
  strategy: ucb
  kappa: -1
`);
    expect(p).toMatchObject({ line: 11, col: 10, path: 'acquisition.kappa' });
    expect(p.message).toBe('must be at least 0, got -1');
  });

  it('rejects a batch size of 0', () => {
    const p = onlyProblem(`${VALID}acquisition: {batchSize: 0}\n`);
    expect(p).toMatchObject({ line: 9, col: 26, path: 'acquisition.batchSize' });
    expect(p.message).toBe('must be at least 1, got 0');
  });

  it('lists the acquisition strategies', () => {
    const p = onlyProblem(`${VALID}acquisition:
  strategy: ucbb
`);
    expect(p).toMatchObject({ line: 10, col: 13, path: 'acquisition.strategy' });
    expect(p.message).toBe(
      'expected one of ucb, greedy, uncertainty, random, pi, ei, nei, thompson, threshold, epsilon-greedy, ehvi, parego, got "ucbb" (did you mean "ucb"?)',
    );
  });

  it('rejects an unsupported config version', () => {
    const p = onlyProblem(`version: 2\n${VALID}`);
    expect(p).toMatchObject({ line: 1, col: 10, path: 'version' });
    expect(p.message).toBe('unsupported config version 2; this release of cascade reads version 1');
  });

  it('rejects a surrogate without hidden layers', () => {
    const p = onlyProblem(`${VALID}surrogate:
  hiddenLayers: []
`);
    expect(p).toMatchObject({ line: 10, col: 17, path: 'surrogate.hiddenLayers' });
    expect(p.message).toBe('must list at least 1 item, got an empty list');
  });

  it('rejects an implausible solvent name', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - code: xtb
    solvent: "water (ALPB)"
`);
    expect(p).toMatchObject({ line: 9, col: 14, path: 'tiers.0.solvent' });
    expect(p.message).toBe('expected a solvent name such as water, ethanol or thf, got "water (ALPB)"');
  });
});

describe('tiers and budget', () => {
  it('rejects an empty tier list', () => {
    const p = onlyProblem(VALID.replace('tiers:\n  - code: xtb\n', 'tiers: []\n'));
    expect(p).toMatchObject({ line: 7, col: 8, path: 'tiers' });
    expect(p.message).toBe('must list at least 1 item, got an empty list');
  });

  it('rejects a mapping where the tier list belongs', () => {
    const p = onlyProblem(VALID.replace('tiers:\n  - code: xtb\n', 'tiers:\n  code: xtb\n'));
    expect(p).toMatchObject({ line: 8, col: 3, path: 'tiers' });
    expect(p.message).toBe('expected a list, got a mapping');
  });

  it('rejects a tier with an unsupported code', () => {
    const p = onlyProblem(VALID.replace('  - code: xtb', '  - code: orca'));
    expect(p).toMatchObject({ line: 8, col: 11, path: 'tiers.0.code' });
    expect(p.message).toBe('unsupported code "orca"; expected one of xtb, nwchem, elk');
  });

  it('lists the xtb methods', () => {
    const p = onlyProblem(`${VALID}    method: gfn3\n`);
    expect(p).toMatchObject({ line: 9, col: 13, path: 'tiers.0.method' });
    expect(p.message).toBe('expected one of gfn2, gfn1, gfnff, got "gfn3" (did you mean "gfn2"?)');
  });

  it('points at a misspelt NWChem setting and suggests the right one', () => {
    const p = onlyProblem(`${VALID}  - code: nwchem
    settings:
      iteratons: 50
`);
    expect(p).toMatchObject({ line: 11, col: 7, path: 'tiers.1.settings.iteratons' });
    expect(p.message).toBe('unknown key "iteratons" (did you mean "iterations"?)');
  });

  it('points at a misspelt NWChem functional and suggests the right one', () => {
    const p = onlyProblem(`${VALID}  - code: nwchem
    method: b3lpy
`);
    expect(formatProblem(p)).toMatch(
      /^campaign\.yaml:10:13 tiers\.1\.method: unknown functional "b3lpy" \(did you mean "b3lyp"\?\); use one of hf, lda, .*b3lyp/,
    );
    // NWChem's own xc keywords and prefactors, and a dispersion suffix, still pass
    for (const ok of ['xpbe96 cpbe96', 'xcamb88 1.00 lyp 0.81 vwn_5 0.19 hfexch 1.00', 'PBE0-D3BJ', 'm06-2x'])
      expect(loadCampaign(`${VALID}  - code: nwchem\n    method: ${ok}\n`, 'c.yaml').problems, ok).toEqual(
        [],
      );
    const words = onlyProblem(`${VALID}  - code: nwchem\n    method: xpbe96 cpeb96\n`);
    expect(words.message).toBe('unknown NWChem xc keyword "cpeb96" in "xpbe96 cpeb96"');
  });

  it("points at a basis set NWChem's installed library does not have, with a suggestion", async () => {
    const { nwchemBasisProblem, nwchemLibraryDir } = await import('../../qm/codes/nwchem/library.js');
    // no library installed (a machine that only validates): the writer's spelling check only
    expect(nwchemBasisProblem('cc-pVZD', { dir: undefined })).toBeUndefined();
    expect(nwchemBasisProblem('6-31G* ; rm', { dir: undefined })).toBe(
      'invalid basis set name "6-31G* ; rm"',
    );
    // NWCHEM_BASIS_LIBRARY wins when it names a directory, as in NWChem itself
    expect(nwchemLibraryDir({ NWCHEM_BASIS_LIBRARY: '/tmp' })).toBe('/tmp');
    expect(nwchemLibraryDir({ NWCHEM_BASIS_LIBRARY: '/nonexistent' })).toBe('/usr/share/nwchem/libraries/');
    const p = onlyProblem(`${VALID}  - code: nwchem
    basis: cc-pVZD
`);
    expect(p).toMatchObject({ line: 10, col: 12, path: 'tiers.1.basis' });
    const dir = nwchemLibraryDir();
    // the library comes with Debian's nwchem, which `make setup` installs
    expect(dir, 'NWChem basis library').toBe('/usr/share/nwchem/libraries/');
    expect(p.message).toBe(
      `basis set "cc-pVZD" is not in NWChem's library (${dir}) (did you mean "cc-pVDZ"?)`,
    );
    for (const ok of ['6-31G*', '6-311++G(2d,2p)', 'def2-SVP', 'aug-cc-pvtz', 'STO-3G'])
      expect(loadCampaign(`${VALID}  - code: nwchem\n    basis: "${ok}"\n`, 'c.yaml').problems, ok).toEqual(
        [],
      );
    expect(onlyProblem(`${VALID}  - code: nwchem\n    basis: "6-31G**x"\n`).message).toMatch(
      /^basis set "6-31G\*\*x" is not in NWChem's library .*did you mean "6-31G\*\*"/,
    );
  });

  it('rejects a negative NWChem iteration count', () => {
    const p = onlyProblem(`${VALID}  - code: nwchem
    settings: {iterations: -5}
`);
    expect(p).toMatchObject({ line: 10, col: 28, path: 'tiers.1.settings.iterations' });
    expect(p.message).toBe('must be a positive integer, got -5');
  });

  it('checks xtb settings by name and value', () => {
    const problems = problemsOf(`${VALID}    settings:
      electronicTemperture: 1000
      optLevel: ultra
`);
    expect(problems.map((p) => [p.line, p.col, p.path, p.message])).toEqual([
      [
        10,
        7,
        'tiers.0.settings.electronicTemperture',
        'unknown key "electronicTemperture" (did you mean "electronicTemperature"?)',
      ],
      [
        11,
        17,
        'tiers.0.settings.optLevel',
        'must be one of crude, sloppy, loose, lax, normal, tight, vtight, extreme, got "ultra"',
      ],
    ]);
  });

  it('rejects two tiers with the same (default) name', () => {
    const p = onlyProblem(`${VALID}  - code: xtb
    method: gfn1
`);
    expect(p).toMatchObject({ line: 9, col: 5, path: 'tiers.1.name' });
    expect(p.message).toBe('duplicate tier name "xtb"');
  });

  it('points at the repeated explicit tier name', () => {
    const p = onlyProblem(`name: demo
candidates:
  source: mols.smi
objective:
  property: homoLumoGap
  direction: maximize
tiers:
  - {name: fast, code: xtb, method: gfn1}
  - {name: fast, code: xtb, method: gfn2}
`);
    expect(p).toMatchObject({ line: 9, col: 12, path: 'tiers.1.name' });
  });

  it('refuses Delta-learning in a campaign with one tier, saying what to do', () => {
    const p = onlyProblem(`${VALID}surrogate:
  fidelity: delta
`);
    expect(p).toMatchObject({ line: 10, col: 13, path: 'surrogate.fidelity' });
    expect(p.message).toBe(
      'fidelity "delta" learns the top tier as the tier below it plus a correction, but this campaign has one tier (xtb): add a cheaper tier before it, or use fidelity: direct',
    );
    const ladder = loadCampaign(
      `${VALID}  - code: nwchem\nsurrogate:\n  fidelity: delta\n  recalibrate: true\n`,
      'x.yaml',
    );
    expect(ladder.problems).toEqual([]);
    expect(ladder.config?.surrogate).toMatchObject({ fidelity: 'delta', recalibrate: true });
  });

  it('lists the surrogate fidelities', () => {
    const p = onlyProblem(`${VALID}surrogate:\n  fidelity: multi\n`);
    expect(p).toMatchObject({ path: 'surrogate.fidelity' });
    expect(p.message).toMatch(/^expected one of direct, delta, got "multi"/);
  });

  it('points at a callsPerTier key naming no tier', () => {
    const p = onlyProblem(`${VALID}budget:
  callsPerTier:
    xtbb: 100
`);
    expect(p).toMatchObject({ line: 11, col: 5, path: 'budget.callsPerTier.xtbb' });
    expect(p.message).toBe('no tier named "xtbb" (tiers: xtb)');
  });
});

describe('several problems', () => {
  it('reports all of them, in file order, including cross-field checks', () => {
    const problems = problemsOf(`name: Demo
candidates:
  format: smii
objective:
  property: homoLumoGap
  direction: up
acquisition:
  batchsize: 4
  kappa: -2
tiers:
  - code: xtb
  - code: xtb
budget:
  rounds: 0
  callsPerTier: {dft: 3}
`);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [1, 'name'],
      [2, 'candidates.source'],
      [3, 'candidates.format'],
      [6, 'objective.direction'],
      [8, 'acquisition.batchsize'],
      [9, 'acquisition.kappa'],
      [12, 'tiers.1.name'],
      [14, 'budget.rounds'],
      [15, 'budget.callsPerTier.dft'],
    ]);
  });
});

describe('formatProblem', () => {
  it('renders FILE:LINE:COL path: message', () => {
    const p = onlyProblem(`${VALID}acquisition:\n  kappa: abc\n`);
    expect(formatProblem(p)).toBe(
      'campaign.yaml:10:10 acquisition.kappa: expected a number, got string "abc"',
    );
  });

  it('names the document root "(root)"', () => {
    expect(formatProblem(onlyProblem('[]\n'))).toBe(
      'campaign.yaml:1:1 (root): expected a mapping of campaign settings (key: value lines) at the top level, got a list',
    );
  });
});
