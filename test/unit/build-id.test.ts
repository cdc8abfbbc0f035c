/**
 * The worker's build id (workers/build-id.ts): it changes with the workflow code and what it imports, not with
 * activity code or the checkout's location, and its file set covers every project module of the real workflow
 * bundle that Temporal's bundler builds.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildId, valueImports, workflowBuildId, workflowSources } from '../../workers/build-id.js';
import { workflowsPath } from '../../workers/main.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-build-id-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small project: a workflow that imports lib code for its values and an activity for its types. */
function project(name: string): string {
  const root = path.join(dir, name);
  const files: Record<string, string> = {
    'workflows/index.ts': "export { Campaign } from './campaign.js';\n",
    'workflows/campaign.ts': [
      "import type { Activities } from '../activities/index.js';",
      'import {',
      '  score,',
      '  type Weight,',
      "} from '../lib/score.js';",
      "import { z } from 'zod';",
      'export const Campaign = (w: Weight) => score(w) + z.string().parse("x").length;',
      '',
    ].join('\n'),
    'lib/score.ts': 'export type Weight = number;\nexport const score = (w: number) => 2 * w;\n',
    'activities/index.ts': 'export interface Activities { run(): Promise<number> }\n',
    'node_modules/zod/package.json': '{ "name": "zod", "version": "4.0.0" }\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

const entry = (root: string) => path.join(root, 'workflows/index.ts');

describe('valueImports', () => {
  it('reads value imports over several lines and leaves out what the compiler erases', () => {
    const source = [
      "import { a,\n  b } from './ab.js';",
      "import type { T } from './types.js';",
      "export type { U } from './more-types.js';",
      "export * from './all.js';",
      "import './side-effect.js';",
      'type Fs = typeof import("node:fs");',
      "const later = await import('./later.js');",
      " * import { not } from './a-comment.js';",
    ].join('\n');
    expect(valueImports(source)).toEqual(['./ab.js', './all.js', './side-effect.js', './later.js']);
  });
});

describe('workflowBuildId', () => {
  it('follows value imports into lib/, not type imports into activities/, and records package versions', () => {
    const root = project('follows');
    const s = workflowSources(entry(root));
    expect(s.files.map((f) => path.relative(root, f))).toEqual([
      'lib/score.ts',
      'workflows/campaign.ts',
      'workflows/index.ts',
    ]);
    expect(s.packages).toEqual([['zod', '4.0.0']]);
  });

  it('changes with workflow code, lib code and package versions; not with activity code', () => {
    const root = project('changes');
    const before = workflowBuildId(entry(root));
    expect(before).toMatch(/^[0-9a-f]{12}$/);

    writeFileSync(
      path.join(root, 'activities/index.ts'),
      'export interface Activities { run(): Promise<string> }\n',
    );
    expect(workflowBuildId(entry(root))).toBe(before);

    writeFileSync(
      path.join(root, 'lib/score.ts'),
      'export type Weight = number;\nexport const score = (w: number) => 3 * w;\n',
    );
    const afterLib = workflowBuildId(entry(root));
    expect(afterLib).not.toBe(before);

    writeFileSync(
      path.join(root, 'node_modules/zod/package.json'),
      '{ "name": "zod", "version": "4.0.1" }\n',
    );
    const afterPackage = workflowBuildId(entry(root));
    expect(afterPackage).not.toBe(afterLib);

    writeFileSync(
      path.join(root, 'workflows/index.ts'),
      "export { Campaign } from './campaign.js'; // why\n",
    );
    expect(workflowBuildId(entry(root))).not.toBe(afterPackage);
  });

  it('is the same for the same code checked out elsewhere', () => {
    const root = project('here');
    const copy = path.join(dir, 'elsewhere', 'deeper');
    cpSync(root, copy, { recursive: true });
    expect(workflowBuildId(entry(copy))).toBe(workflowBuildId(entry(root)));
  });

  it('CASCADE_BUILD_ID names the build instead', () => {
    const root = project('named');
    const saved = process.env.CASCADE_BUILD_ID;
    try {
      process.env.CASCADE_BUILD_ID = 'release-7';
      expect(buildId(entry(root))).toBe('release-7');
      delete process.env.CASCADE_BUILD_ID;
      expect(buildId(entry(root))).toBe(workflowBuildId(entry(root)));
    } finally {
      if (saved === undefined) delete process.env.CASCADE_BUILD_ID;
      else process.env.CASCADE_BUILD_ID = saved;
    }
  });
});

describe("cascade's own workflows", () => {
  it('hash every project module that the real workflow bundle contains', async () => {
    const logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const { code } = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger });
    const map = code.match(/sourceMappingURL=data:application\/json;charset=utf-8;base64,(\S+)/)?.[1];
    expect(map).toBeDefined();
    const sources = (JSON.parse(Buffer.from(map as string, 'base64').toString()) as { sources: string[] })
      .sources;
    const root = path.dirname(path.dirname(workflowsPath()));
    const bundled = sources.filter(
      (s) =>
        s.startsWith(root) && !s.includes('node_modules') && !s.endsWith('-autogenerated-entrypoint.cjs'),
    );
    expect(bundled.length).toBeGreaterThan(10);
    const hashed = new Set(workflowSources(workflowsPath()).files);
    expect(bundled.filter((s) => !hashed.has(s))).toEqual([]);
  }, 60_000);
});
