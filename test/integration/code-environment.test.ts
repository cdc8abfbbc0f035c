/**
 * What a QM code sees of the worker's environment: a described code whose binary is `env` prints it, run
 * through the real runner, once through the launcher and once without it (execa). The worker's Temporal API
 * key, TLS key paths, cascade's own settings and anything that looks like a secret must not reach it; PATH,
 * HOME, the locale, the thread counts, the profile's own variables and the names a site adds must.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launcherBinary } from '../../activities/qm/launcher.js';
import { runCalculation } from '../../activities/qm/runner.js';
import { type LoadedCode, loadCodeDescription } from '../../qm/codes/generic/index.js';
import type { CalcSpec } from '../../qm/template.js';
import { water } from '../helpers/molecules.js';
import { ok } from '../helpers/outcomes.js';

const workRoot = mkdtempSync(join(tmpdir(), 'cascade-code-env-'));
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

const ENV_CODE = `code: printenv
binary: env
env: { DEMO_ENERGY: "-1.25" }
methods: { none: "" }
argv: []
parse:
  totalEnergy: { regex: "^DEMO_ENERGY=(\\\\S+)$", unit: hartree }
`;

const spec: CalcSpec = {
  code: 'printenv',
  method: 'none',
  task: 'energy',
  charge: 0,
  multiplicity: 1,
  settings: {},
};

const WORKER_SECRETS: Record<string, string> = {
  TEMPORAL_API_KEY: 'tak-secret-123',
  TEMPORAL_TLS_CLIENT_KEY_PATH: '/etc/cascade/client.key',
  TEMPORAL_TLS_CLIENT_CERT_PATH: '/etc/cascade/client.pem',
  TEMPORAL_ADDRESS: 'temporal.example:7233',
  CASCADE_STORE: 'sqlite:/secret/store.db',
  OPENAI_API_KEY: 'sk-secret',
  GITHUB_TOKEN: 'ghp-secret',
  DB_PASSWORD: 'hunter2',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  // a site's licence server, passed on request
  LM_LICENSE_FILE: '27000@licence',
  CASCADE_CODE_ENV: 'LM_LICENSE_FILE,TEMPORAL_API_KEY',
  OMP_SCHEDULE: 'static',
  LC_ALL: 'C.UTF-8',
};

const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const [k, v] of Object.entries(WORKER_SECRETS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  saved.CASCADE_LAUNCHER = process.env.CASCADE_LAUNCHER;
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function description(): Required<LoadedCode> {
  const loaded = loadCodeDescription(ENV_CODE, 'printenv.yaml');
  expect(loaded.problems).toEqual([]);
  return loaded as Required<LoadedCode>;
}

/** The code's environment as it printed it. */
async function environmentSeen(run: string): Promise<Map<string, string>> {
  const code = description();
  const { outcome, provenance } = await runCalculation(code.template, code.profile, spec, water, {
    workRoot: join(workRoot, run),
    timeoutMs: 30_000,
    codeVersion: 'test',
  });
  expect(ok(outcome).totalEnergy).toBe(-1.25);
  const printed = readFileSync(join(provenance.workDir, '.cascade-stdout'), 'utf8');
  return new Map(
    printed
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

function expectAllowListed(seen: Map<string, string>): void {
  for (const name of Object.keys(WORKER_SECRETS).filter(
    (k) => !['OMP_SCHEDULE', 'LC_ALL', 'LM_LICENSE_FILE'].includes(k),
  ))
    expect(seen.has(name), name).toBe(false);
  // and no value of a secret under another name
  for (const value of [...seen.values()]) expect(value).not.toMatch(/secret|hunter2|client\.key/);
  expect(seen.get('PATH')).toBe(process.env.PATH);
  expect(seen.get('HOME')).toBe(process.env.HOME);
  expect(seen.get('LC_ALL')).toBe('C.UTF-8');
  expect(seen.get('OMP_SCHEDULE')).toBe('static');
  expect(seen.get('LM_LICENSE_FILE')).toBe('27000@licence');
  expect(seen.get('DEMO_ENERGY')).toBe('-1.25'); // the description's own
  expect(seen.get('OMP_NUM_THREADS')).toBe('1'); // the runner's thread count
}

describe('a QM code’s environment is allow-listed', () => {
  it('through the launcher', async () => {
    expect(launcherBinary(), 'run "make setup" to build the launcher').toBeTruthy();
    expectAllowListed(await environmentSeen('launcher'));
  });

  it('without the launcher (execa, under GNU time when installed)', async () => {
    process.env.CASCADE_LAUNCHER = '';
    expectAllowListed(await environmentSeen('execa'));
  });
});
