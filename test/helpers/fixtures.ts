import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseXyz } from '../../qm/molecule.js';
import type { Geometry, RawOutput } from '../../qm/template.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');

/** The directory of a captured case: test/fixtures/<code>/<name>. */
export const fixtureDir = (code: string, name: string): string => join(FIXTURES, code, name);

/** A file of a captured case; throws when the case has none. */
export const fixtureText = (code: string, name: string, file: string): string =>
  readFileSync(join(fixtureDir(code, name), file), 'utf8');

/** A file of a captured case, or undefined when the case has none. */
export const fixtureFile = (code: string, name: string, file: string): string | undefined =>
  existsSync(join(fixtureDir(code, name), file)) ? fixtureText(code, name, file) : undefined;

export type FixtureOverrides = Partial<RawOutput> & {
  /** Files to present as missing. */
  without?: string[];
};

/**
 * A captured case as the runner would present it: its files, stdout.txt and stderr.txt, and the exit code
 * recorded in `exit-code` (null, a signal, when there is none), each of which `over` may replace.
 */
export function readFixture(code: string, name: string, over: FixtureOverrides = {}): RawOutput {
  const read = (file: string) => (over.without?.includes(file) ? undefined : fixtureFile(code, name, file));
  const recorded = read('exit-code');
  return {
    files: over.files ?? read,
    stdout: over.stdout ?? read('stdout.txt') ?? '',
    stderr: over.stderr ?? read('stderr.txt') ?? '',
    exitCode: over.exitCode !== undefined ? over.exitCode : recorded === undefined ? null : Number(recorded),
  };
}

/** The molecule of a captured case, from its input.xyz. */
export const fixtureMolecule = (code: string, name: string): Geometry =>
  parseXyz(fixtureText(code, name, 'input.xyz'));
