/**
 * Code descriptions (qm/codes/generic/description.ts) and the generic template built from them
 * (qm/codes/generic/): positioned problems for malformed descriptions, placeholder expansion,
 * parse rules, and the shipped configs/codes/*.yaml (the xtb one against the xtb fixtures).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatProblem, type Problem } from '../../lib/config/problem.js';
import {
  type CodeDescription,
  genericTemplate,
  type LoadedCode,
  loadCodeDescription,
} from '../../qm/codes/generic/index.js';
import { expandPlaceholders } from '../../qm/codes/generic/input.js';
import { toStoredUnit } from '../../qm/codes/generic/parse.js';
import { binaryEnvVar, descriptionHash } from '../../qm/codes/generic/profile.js';
import { xtbTemplate } from '../../qm/codes/xtb/index.js';
import { parseXyz } from '../../qm/molecule.js';
import { type CalcSpec, InvalidInputError, type QmTemplate, type RawOutput } from '../../qm/template.js';
import { readFixture } from '../helpers/fixtures.js';
import { water } from '../helpers/molecules.js';
import { failed, ok } from '../helpers/outcomes.js';
import { gfn2Spec } from '../helpers/xtb-spec.js';

const ROOT = join(import.meta.dirname, '../..');
const CODES = join(ROOT, 'configs/codes');

function loaded(yaml: string): Required<LoadedCode> {
  const result = loadCodeDescription(yaml, 'demo.yaml');
  expect(result.problems.map(formatProblem)).toEqual([]);
  return result as Required<LoadedCode>;
}

function problemsOf(yaml: string): Problem[] {
  const result = loadCodeDescription(yaml, 'demo.yaml');
  expect(result.template).toBeUndefined();
  expect(result.problems.length).toBeGreaterThan(0);
  return result.problems;
}

function onlyProblem(yaml: string): Problem {
  const problems = problemsOf(yaml);
  expect(problems.map(formatProblem)).toHaveLength(1);
  return problems[0] as Problem;
}

const output = (stdout: string, over: Partial<RawOutput> = {}): RawOutput => ({
  files: () => undefined,
  stdout,
  stderr: '',
  exitCode: 0,
  ...over,
});

/** A small valid description; the cases below are written out in full so their line numbers can be read off. */
const DEMO = `code: demo
binary: democode
methods: { hf: HF, pbe: PBE }
settings: { maxiter: 50 }
files:
  input.inp: |
    ! {{method}} {{basis}}
    %scf maxiter {{settings.maxiter}} end
    * xyz {{charge}} {{multiplicity}}
      {{atoms}}
    *
argv: [input.inp, "--natoms={{natoms}}"]
parse:
  totalEnergy: { regex: "FINAL ENERGY\\\\s+(\\\\S+)", unit: hartree }
`;

const demoSpec = (over: Partial<CalcSpec> = {}): CalcSpec => ({
  code: 'demo',
  method: 'hf',
  basis: 'def2-SVP',
  task: 'energy',
  charge: 0,
  multiplicity: 1,
  settings: {},
  ...over,
});

describe('malformed descriptions are reported where they are wrong', () => {
  it('accepts the baseline, so each case below fails for its own reason only', () => {
    expect(loaded(DEMO).template.code).toBe('demo');
  });

  it('a missing totalEnergy rule, with what the field is', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: ["{{method}}"]
parse:
  homoLumoGap: { regex: "gap (\\\\S+)", unit: eV }
`);
    expect(p).toMatchObject({ file: 'demo.yaml', line: 4, col: 1, path: 'parse.totalEnergy' });
    expect(p.message).toBe('missing required key "totalEnergy": total energy; stored in hartree');
  });

  it('a misspelt key, with a suggestion', () => {
    const p = onlyProblem(`code: demo
binary: democode
argc: [input.inp]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(formatProblem(p)).toBe('demo.yaml:3:1 argc: unknown key "argc" (did you mean "argv"?)');
  });

  it('an unknown placeholder in an input file, with its line in the text and a suggestion', () => {
    const p = onlyProblem(`code: demo
binary: democode
files:
  input.inp: |
    ! {{method}}
    * xyz {{charg}} 1
argv: [input.inp]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(p).toMatchObject({ line: 4, path: 'files.input.inp' });
    expect(p.message).toMatch(/^unknown placeholder \{\{charg\}\} \(did you mean "charge"\?\); known: /);
    expect(p.message).toContain('(line 2 of the text)');
  });

  it('a placeholder one brace short in argv', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: [input, "{{charge}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(formatProblem(p)).toBe('demo.yaml:3:15 argv.1: stray "{{": placeholders are written {{name}}');
  });

  it('a setting placeholder with a name that cannot be a setting', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: ["{{method}}", "{{settings.max-iter}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(p).toMatchObject({ line: 3, col: 22, path: 'argv.1' });
  });

  it('a value regex without a capture group', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = \\\\S+", unit: hartree }
`);
    expect(formatProblem(p)).toBe(
      'demo.yaml:5:25 parse.totalEnergy.regex: the regular expression needs a capture group, in parentheses, around the number',
    );
  });

  it('a capture group that does not exist', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree, group: 2 }
`);
    expect(formatProblem(p)).toBe(
      'demo.yaml:5:61 parse.totalEnergy.group: the regex has 1 capture group, so group 2 does not exist',
    );
  });

  it('a failure regex that does not compile', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
failures:
  - { kind: scf-not-converged, regex: "(unclosed" }
`);
    expect(p).toMatchObject({ line: 7, col: 39, path: 'failures.0.regex' });
    expect(p.message).toMatch(/^not a valid regular expression: .*Unterminated group/);
  });

  it('a unit the property cannot have', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
  dipoleMoment: { regex: "mu = (\\\\S+)", unit: hartree }
`);
    expect(formatProblem(p)).toBe(
      'demo.yaml:6:47 parse.dipoleMoment.unit: expected one of debye, au, got "hartree"',
    );
  });

  it('an unknown failure kind, listing the kinds', () => {
    const p = onlyProblem(`code: demo
binary: democode
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
failures:
  - { kind: crashed, regex: boom }
`);
    expect(p).toMatchObject({ line: 7, col: 13, path: 'failures.0.kind' });
    expect(p.message).toMatch(/^expected one of scf-not-converged, .*, got "crashed"$/);
  });

  it('an input file name with a directory, pointing at the name', () => {
    const p = onlyProblem(`code: demo
binary: democode
files:
  ../escape.inp: "{{xyz}}"
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(p).toMatchObject({ line: 4, col: 3, path: 'files.../escape.inp' });
    expect(p.message).toContain('expected a plain file name');
  });

  it('a version probe with argv but no regex', () => {
    const p = onlyProblem(`code: demo
binary: democode
version: { argv: ["--version"] }
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(formatProblem(p)).toBe(
      'demo.yaml:3:1 version.regex: missing required key "regex" (argv and regex go together)',
    );
  });

  it('stdout saved under the name of an input file', () => {
    const p = onlyProblem(`code: demo
binary: democode
files: { out.txt: "{{xyz}}" }
argv: ["{{method}}"]
stdout: out.txt
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(formatProblem(p)).toBe(
      'demo.yaml:5:9 stdout: "out.txt" is also an input file; pick another name for stdout',
    );
  });

  it('a code name that cannot be used in tiers', () => {
    const p = onlyProblem(`code: ORCA
binary: orca
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(p).toMatchObject({ line: 1, col: 7, path: 'code' });
  });

  it('loader variables in env (LD_PRELOAD, LD_LIBRARY_PATH, DYLD_*), pointing at the name', () => {
    const problems = problemsOf(`code: demo
binary: democode
env: { OMP_STACKSIZE: 1G, LD_PRELOAD: /tmp/evil.so, LD_LIBRARY_PATH: /tmp, DYLD_INSERT_LIBRARIES: x }
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(problems.map((p) => `${p.line}:${p.col} ${p.path}`)).toEqual([
      '3:27 env.LD_PRELOAD',
      '3:53 env.LD_LIBRARY_PATH',
      '3:76 env.DYLD_INSERT_LIBRARIES',
    ]);
    expect(problems[0]?.message).toMatch(/"LD_PRELOAD" changes how programs are loaded/);
  });

  it('a binary that is neither a command name nor an absolute path', () => {
    const yaml = (binary: string) => `code: demo
binary: ${JSON.stringify(binary)}
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`;
    for (const bad of [
      './democode',
      'bin/democode',
      '../democode',
      '~/democode',
      '/opt/../bin/sh',
      '-x',
      'a b',
    ]) {
      const p = onlyProblem(yaml(bad));
      expect(p, bad).toMatchObject({ line: 2, col: 9, path: 'binary' });
    }
    expect(onlyProblem(yaml('bin/democode')).message).toMatch(/must be absolute/);
    for (const good of ['democode', 'pw.x', '/usr/bin/xtb', '/opt/orca_6.0/orca'])
      expect(loadCodeDescription(yaml(good), 'demo.yaml').problems, good).toEqual([]);
  });

  it('several problems at once, in file order', () => {
    const problems = problemsOf(`code: demo
binary: democode
settings: { maxiter: [1, 2], bad-name: 3 }
argv: ["{{method}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree, flags: g }
`);
    expect(problems.map(formatProblem)).toEqual([
      'demo.yaml:3:22 settings.maxiter: expected a string, a number or true/false',
      'demo.yaml:3:30 settings.bad-name: "bad-name": setting names are letters, digits and "_", starting with a letter or "_"',
      'demo.yaml:6:61 parse.totalEnergy.flags: expected flags among "i" (ignore case) and "s" ("." matches newlines), got "g"',
    ]);
  });

  it('YAML-level problems: empty file, a list, a syntax error', () => {
    expect(onlyProblem('').message).toMatch(/^the file is empty; a code description needs/);
    expect(onlyProblem('- code: demo\n').message).toBe(
      'expected a mapping of code description settings (key: value lines) at the top level, got a list',
    );
    expect(onlyProblem('code: demo\nbinary: "demo\nparse: {}\n')).toMatchObject({ line: 4, path: '' });
  });
});

describe('placeholders', () => {
  it('expands every placeholder in files and argv', () => {
    const { template } = loaded(DEMO);
    const inputs = template.write(demoSpec({ charge: 1, multiplicity: 2 }), water);
    expect(inputs.argv).toEqual(['input.inp', '--natoms=3']);
    const lines = (inputs.files['input.inp'] ?? '').split('\n');
    expect(lines.slice(0, 3)).toEqual(['! HF def2-SVP', '%scf maxiter 50 end', '* xyz 1 2']);
    // an indented multi-line value stays indented on every line
    expect(lines.slice(3, 6).map((l) => l.trim().split(/\s+/))).toEqual([
      ['O', '0.0000000000', '0.0000000000', '0.1170000000'],
      ['H', '0.0000000000', '0.7570000000', '-0.4670000000'],
      ['H', '0.0000000000', '-0.7570000000', '-0.4670000000'],
    ]);
    for (const line of lines.slice(3, 6)) expect(line).toMatch(/^ {2}[OH] /);
    expect(lines.slice(6)).toEqual(['*', '']);
  });

  it('expands xyz, unpaired, solvent and settings; spec settings override defaults', () => {
    const { template } = loaded(`code: demo
binary: democode
settings: { etemp: 300 }
files: { mol.xyz: "{{xyz}}" }
argv: [mol.xyz, "{{method}}", "{{unpaired}}", "{{solvent}}", "{{settings.etemp}}", "{{ settings.acc }}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    const spec = demoSpec({ method: 'gfn2', solvent: 'water', multiplicity: 3, settings: { acc: 0.5 } });
    delete spec.basis;
    const inputs = template.write(spec, water);
    expect(inputs.argv).toEqual(['mol.xyz', 'gfn2', '2', 'water', '300', '0.5']);
    expect(parseXyz(inputs.files['mol.xyz'] ?? '').coords).toEqual(water.coords);
    spec.settings = { acc: 1, etemp: 1000 };
    expect(template.write(spec, water).argv.slice(-2)).toEqual(['1000', '1']);
  });

  it('refuses unknown placeholders at write time', () => {
    expect(() => expandPlaceholders('a {{bogus}} b', () => 'x')).toThrow(InvalidInputError);
    expect(() => expandPlaceholders('a {{bogus}} b', () => 'x')).toThrow(/unknown placeholder \{\{bogus\}\}/);
    expect(() => expandPlaceholders('{{charge}', () => 'x')).toThrow(/stray/);
    expect(expandPlaceholders('[{{ charge }}]', (n) => (n === 'charge' ? '-1' : '?'))).toBe('[-1]');
  });

  it('refuses a setting that has no value, even if the description passed the schema', () => {
    // a description object built in code skips YAML loading; write still checks
    const desc = loadCodeDescription(DEMO, 'demo.yaml').description as CodeDescription;
    const template = genericTemplate({ ...desc, settings: {} });
    expect(() => template.write(demoSpec(), water)).toThrow(/setting "maxiter" has no value and no default/);
  });

  it.each([
    ['an unknown method', { method: 'mp2' }, /unknown demo method "mp2" \(use hf, pbe\)/],
    [
      'a spec setting no placeholder uses',
      { settings: { damping: 1 } },
      /unknown demo setting "damping" \(known: maxiter\)/,
    ],
    ['a solvent without {{solvent}}', { solvent: 'water' }, /takes no solvent/],
    ['no basis for {{basis}}', { basis: undefined }, /needs a basis set/],
    ['a basis that would break the deck', { basis: 'def2-SVP\n! evil' }, /must be one word/],
    ['an optimisation', { task: 'optimize' as const }, /only task "energy"/],
    ['a spec for another code', { code: 'orca' }, /got a spec for "orca"/],
    ['an impossible multiplicity', { multiplicity: 2 }, /multiplicity 2 is impossible with 10 electrons/],
    ['a non-string setting', { settings: { maxiter: { n: 1 } } }, /setting maxiter must be/],
  ])('refuses %s', (_, over, message) => {
    const spec = demoSpec(over as Partial<CalcSpec>);
    if ('basis' in over && over.basis === undefined) delete spec.basis;
    const { template } = loaded(DEMO);
    expect(() => template.write(spec, water)).toThrow(InvalidInputError);
    expect(() => template.write(spec, water)).toThrow(message);
  });

  it('refuses a method when the description neither uses {{method}} nor lists methods', () => {
    const { template } = loaded(`code: demo
binary: democode
argv: ["{{xyz}}"]
parse:
  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
`);
    expect(() => template.write(demoSpec({ basis: undefined }), water)).toThrow(
      /no \{\{method\}\} placeholder/,
    );
  });
});

describe('parse rules', () => {
  const rules = (parse: string, rest = '') =>
    loaded(`code: demo
binary: democode
argv: ["{{method}}"]
stdout: demo.out
parse:
${parse}
${rest}`).template;

  it('takes the last match by default, or the first', () => {
    const text = 'E = -1.5\nE = -2.5\nE = -3.5\n';
    expect(
      ok(rules('  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }').parse(output(text))).totalEnergy,
    ).toBe(-3.5);
    const first = rules('  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree, match: first }');
    expect(ok(first.parse(output(text))).totalEnergy).toBe(-1.5);
  });

  it('converts units to hartree, eV and debye', () => {
    const t = rules(`  totalEnergy: { regex: "E = (\\\\S+) eV", unit: eV }
  homoLumoGap: { regex: "gap = (\\\\S+)", unit: hartree }
  dipoleMoment: { regex: "mu = (\\\\S+)", unit: au }
  gradientNorm: { regex: "grad = (\\\\S+)", unit: eV/angstrom }`);
    const out = ok(t.parse(output('E = -27.211386245988 eV\ngap = 0.5\nmu = 1.0\ngrad = 1.0\n')));
    expect(out.totalEnergy).toBeCloseTo(-1, 12);
    expect(out.homoLumoGap).toBeCloseTo(13.605693122994, 9);
    expect(out.dipoleMoment).toBeCloseTo(2.541746473, 9);
    expect(out.gradientNorm).toBeCloseTo(0.0194469, 6);
    expect(toStoredUnit('totalEnergy', -2, 'rydberg')).toBe(-1);
    expect(toStoredUnit('totalEnergy', 627.509474063, 'kcal/mol')).toBeCloseTo(1, 12);
    expect(toStoredUnit('totalEnergy', 2625.499639, 'kJ/mol')).toBeCloseTo(1, 12);
    expect(toStoredUnit('bandGap', 1, 'rydberg')).toBeCloseTo(13.605693, 6);
  });

  it('reads Fortran exponents, a chosen group, a named file, stderr and the stdout alias', () => {
    const t =
      rules(`  totalEnergy: { file: demo.out, regex: "E\\\\((\\\\w+)\\\\) = (\\\\S+)", group: 2, unit: hartree }
  scfIterations: { file: scf.log, regex: "iterations: (\\\\d+)" }
  homo: { file: stderr, regex: "homo (\\\\S+)", unit: eV }
  lumo: { file: stderr, regex: "lumo (\\\\S+)", unit: eV }`);
    const out = ok(
      t.parse(
        output('E(SCF) = -7.6D+01\n', {
          stderr: 'homo -0.5D+01\nlumo 1.25\n',
          files: (name) => (name === 'scf.log' ? 'iterations: 12\n' : undefined),
        }),
      ),
    );
    expect(out).toEqual({
      totalEnergy: -76,
      scfIterations: 12,
      homo: -5,
      lumo: 1.25,
      homoLumoGap: 6.25,
      warnings: [],
    });
  });

  it('fails without a total energy and warns about other missing values', () => {
    const t = rules(`  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }
  dipoleMoment: { regex: "mu = (\\\\S+)", unit: debye }
  scfIterations: { regex: "iter (\\\\S+)" }`);
    expect(failed(t.parse(output('nothing here\n')))).toMatchObject({
      kind: 'unknown',
      message: 'demo reported no total energy: no match for /E = (\\S+)/ in stdout',
    });
    expect(failed(t.parse(output('E = abc\n'))).message).toContain('captured "abc", not a number');
    const out = ok(t.parse(output('E = -1\nmu = ?\niter 2.5\n')));
    expect(out.totalEnergy).toBe(-1);
    expect(out.dipoleMoment).toBeUndefined();
    expect(out.warnings).toEqual([
      'dipoleMoment: /mu = (\\S+)/ in stdout captured "?", not a number',
      'scfIterations: /iter (\\S+)/ in stdout captured "2.5", not a whole number',
    ]);
  });

  const withRules = rules(
    '  totalEnergy: { regex: "E = (\\\\S+)", unit: hartree }',
    `failures:
  - { kind: scf-not-converged, regex: "SCF NOT CONVERGED", retryable: true }
  - { kind: invalid-input, regex: "^INPUT ERROR", message: the deck is wrong }
  - { kind: killed, file: stderr, regex: "terminated by user" }
success: { regex: "TERMINATED NORMALLY" }
`,
  );

  it('applies failure rules in order, whatever the exit code', () => {
    const both = 'E = -1\nSCF NOT CONVERGED after 100 cycles\nINPUT ERROR somewhere\n';
    expect(failed(withRules.parse(output(both)))).toEqual({
      kind: 'scf-not-converged',
      message: 'demo: scf-not-converged: "SCF NOT CONVERGED after 100 cycles"',
      retryable: true,
    });
    expect(failed(withRules.parse(output('x\nINPUT ERROR\n', { exitCode: 2 })))).toEqual({
      kind: 'invalid-input',
      message: 'the deck is wrong',
      retryable: false,
    });
    // anchored with ^: rules see one line at a time for ^ and $
    expect(failed(withRules.parse(output('no INPUT ERROR\n', { exitCode: 2 }))).kind).toBe('unknown');
    expect(failed(withRules.parse(output('', { stderr: 'terminated by user', exitCode: 1 }))).kind).toBe(
      'killed',
    );
  });

  it('reports a non-zero exit without a matching rule as unknown, and a signal as killed', () => {
    expect(failed(withRules.parse(output('E = -1\n', { stderr: 'segfault\n', exitCode: 139 })))).toEqual({
      kind: 'unknown',
      message: 'demo exited with code 139: segfault',
      retryable: false,
    });
    expect(failed(withRules.parse(output('E = -1\n', { exitCode: null })))).toMatchObject({
      kind: 'killed',
      retryable: true,
    });
  });

  it('requires the success regex when there is one', () => {
    expect(failed(withRules.parse(output('E = -1\n')))).toEqual({
      kind: 'unknown',
      message: 'demo did not report success (/TERMINATED NORMALLY/ not found in stdout)',
      retryable: false,
    });
    expect(ok(withRules.parse(output('E = -1\n**** TERMINATED NORMALLY ****\n'))).totalEnergy).toBe(-1);
  });
});

describe('descriptions, profiles and versions', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('profiles take the binary from CASCADE_<CODE>, else the description', () => {
    const { description } = loaded(DEMO);
    expect(binaryEnvVar('quantum-espresso')).toBe('CASCADE_QUANTUM_ESPRESSO');
    expect(loaded(DEMO).profile).toEqual({ binary: 'democode', threads: 1, env: {} });
    vi.stubEnv('CASCADE_DEMO', '/opt/demo/bin/demo');
    expect(loaded(DEMO).profile.binary).toBe('/opt/demo/bin/demo');
    expect(description.code).toBe('demo');
  });

  it('reports a fixed version with a hash of the description', async () => {
    const a = loaded(`${DEMO}version: { fixed: "5.0.4" }\n`);
    expect(await a.version('democode')).toBe(
      `5.0.4 (description ${descriptionHash(a.description).slice(0, 12)})`,
    );
    const b = loaded(`${DEMO.replace('maxiter: 50', 'maxiter: 60')}version: { fixed: "5.0.4" }\n`);
    expect(descriptionHash(b.description)).not.toBe(descriptionHash(a.description));
    const c = loaded(`${DEMO}description: comments do not count\nversion: { fixed: "5.0.4" }\n`);
    expect(descriptionHash(c.description)).toBe(descriptionHash(a.description));
  });
});

describe('configs/codes', () => {
  const files = readdirSync(CODES).filter((f) => f.endsWith('.yaml'));

  it('holds xtb, nwchem and the ORCA example', () => {
    expect(files).toEqual(expect.arrayContaining(['nwchem.yaml', 'orca.example.yaml', 'xtb.yaml']));
  });

  it.each(files)('%s loads without problems', (file) => {
    const result = loadCodeDescription(readFileSync(join(CODES, file), 'utf8'), `configs/codes/${file}`);
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.template?.code).toBe(result.description?.code);
  });

  const load = (file: string): QmTemplate => {
    const result = loadCodeDescription(readFileSync(join(CODES, file), 'utf8'), file);
    return result.template as QmTemplate;
  };

  it('nwchem.yaml writes the DFT deck', () => {
    const inputs = load('nwchem.yaml').write(
      {
        code: 'nwchem',
        method: 'pbe',
        basis: '6-31G*',
        task: 'energy',
        charge: 0,
        multiplicity: 1,
        settings: {},
      },
      water,
    );
    expect(inputs.argv).toEqual(['input.nw']);
    const deck = inputs.files['input.nw'] ?? '';
    expect(deck).toContain('  * library 6-31G*\n');
    expect(deck).toContain('  xc xpbe96 cpbe96\n  mult 1\n  iterations 100\n');
    expect(deck).toMatch(/geometry units angstrom noautoz\n {2}O +0\.0+ +0\.0+ +0\.1170+\n {2}H /);
  });

  it('orca.example.yaml writes an ORCA input', () => {
    const inputs = load('orca.example.yaml').write(
      {
        code: 'orca',
        method: 'B3LYP',
        basis: 'def2-SVP',
        task: 'energy',
        charge: 0,
        multiplicity: 1,
        settings: {},
      },
      water,
    );
    expect(inputs.files['input.inp']).toMatch(/^! B3LYP def2-SVP TightSCF\n%maxcore 2000\n/);
  });

  describe('xtb.yaml on the xtb 6.5.1 fixtures', () => {
    const xtb = load('xtb.yaml');
    const fixture = (name: string, exitCode: number | null) => readFixture('xtb', name, { exitCode });

    it('writes the argv the dedicated template would, plus the explicit defaults', () => {
      const inputs = xtb.write(gfn2Spec(), water);
      expect(inputs.argv).toEqual([
        ...xtbTemplate.write(gfn2Spec(), water).argv.filter((a) => a !== '--json'),
        '--iterations',
        '250',
        '--etemp',
        '300',
      ]);
      expect(inputs.files['input.xyz']).toBe(xtbTemplate.write(gfn2Spec(), water).files['input.xyz']);
    });

    it('reads water GFN2 like the dedicated template', () => {
      const generic = ok(xtb.parse(fixture('water-gfn2', 0)));
      const dedicated = ok(xtbTemplate.parse(fixture('water-gfn2', 0)));
      expect(generic.totalEnergy).toBeCloseTo(dedicated.totalEnergy, 7);
      expect(generic.homoLumoGap).toBeCloseTo(dedicated.homoLumoGap as number, 6);
      expect(Math.abs((generic.dipoleMoment as number) - (dedicated.dipoleMoment as number))).toBeLessThan(
        1e-3,
      );
      expect(generic).toMatchObject({
        totalEnergy: -5.070375897275,
        homoLumoGap: 14.693003302697,
        dipoleMoment: 2.266,
      });
      expect(generic.warnings).toEqual([]);
    });

    it.each([
      ['water-scf-not-converged', 1, 'scf-not-converged', true],
      ['water-unknown-option', 0, 'invalid-input', false],
      ['water-unknown-solvent', 1, 'invalid-input', false],
      ['water-truncated-xyz', 1, 'invalid-input', false],
      ['water-cluster-sigterm', 1, 'killed', true],
    ] as const)('classifies %s like the dedicated template', (name, exitCode, kind, retryable) => {
      expect(failed(xtb.parse(fixture(name, exitCode)))).toMatchObject({ kind, retryable });
      expect(failed(xtbTemplate.parse(fixture(name, exitCode))).kind).toBe(kind);
    });
  });
});
