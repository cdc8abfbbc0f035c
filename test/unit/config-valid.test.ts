/** The shipped example configs load cleanly, defaults fill the gaps, and configs/schema.json is current. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { campaignJsonSchema, campaignJsonSchemaText } from '../../lib/campaign/json-schema.js';
import { formatProblem, loadCampaign } from '../../lib/campaign/load.js';

const configsDir = fileURLToPath(new URL('../../configs/', import.meta.url));
const exampleFiles = readdirSync(configsDir).filter((f) => f.endsWith('.yaml'));

function load(file: string) {
  const text = readFileSync(path.join(configsDir, file), 'utf8');
  return { text, ...loadCampaign(text, `configs/${file}`) };
}

describe('example configs', () => {
  it('include demo.yaml and molecules.yaml', () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(['demo.yaml', 'molecules.yaml']));
  });

  it.each(exampleFiles)('%s loads with no problems', (file) => {
    const { config, problems } = load(file);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(config).toBeDefined();
  });

  it.each(exampleFiles)('%s points editors at the JSON Schema', (file) => {
    expect(load(file).text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
  });

  it('demo.yaml describes the small NCI xtb campaign', () => {
    const { config } = load('demo.yaml');
    expect(config).toMatchObject({
      name: 'demo',
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 2000,
        filters: { maxHeavyAtoms: 20, elements: ['C', 'N', 'O', 'S', 'F', 'Cl'] },
      },
      objective: { property: 'homoLumoGap', direction: 'maximize' },
      tiers: [{ code: 'xtb', method: 'gfn2' }],
      surrogate: { ensembleSize: 5 },
      acquisition: { strategy: 'ucb', batchSize: 16, kappa: 2 },
      budget: { rounds: 6, callsPerTier: { xtb: 120 } },
      stopping: { patience: 3 },
    });
  });
});

describe('defaults', () => {
  const minimal = `name: minimal
candidates:
  source: mols.smi
objective:
  property: totalEnergy
  direction: minimize
tiers:
  - code: xtb
`;

  it('fill every section a minimal file leaves out', () => {
    const { config, problems } = loadCampaign(minimal, 'minimal.yaml');
    expect(problems).toEqual([]);
    expect(config).toEqual({
      version: 1,
      name: 'minimal',
      seed: 0,
      candidates: {
        source: 'mols.smi',
        format: 'auto',
        smilesColumn: 'smiles',
        filters: { maxHeavyAtoms: 30, minHeavyAtoms: 1, neutralOnly: true, singleFragment: true },
      },
      objective: { property: 'totalEnergy', direction: 'minimize' },
      objectives: [{ property: 'totalEnergy', direction: 'minimize' }],
      constraints: [],
      surrogate: {
        kind: 'mlp-ensemble',
        forest: { trees: 100, minSamplesLeaf: 5, maxFeatures: 1 / 3 },
        ensembleSize: 5,
        hiddenLayers: [256, 256],
        epochs: 100,
        learningRate: 0.001,
        features: { morganRadius: 2, morganBits: 2048, descriptors: true },
        fidelity: 'direct',
        policy: 'auto',
        recalibrate: false,
      },
      acquisition: {
        strategy: 'ucb',
        batchSize: 8,
        kappa: 2,
        xi: 0,
        epsilon: 0.1,
        diversity: 0,
        costAware: false,
      },
      tiers: [
        { code: 'xtb', method: 'gfn2', optimize: false, threads: 1, settings: {}, timeoutSeconds: 600 },
      ],
      budget: { rounds: 10, callsPerTier: {} },
      stopping: { minImprovement: 0 },
      accounting: { hitsTopK: 10 },
    });
  });

  it('fill the gaps inside a partly written section', () => {
    const { config } = loadCampaign(`${minimal}surrogate:\n  features:\n    morganBits: 1024\n`, 'x.yaml');
    expect(config?.surrogate.features).toEqual({ morganRadius: 2, morganBits: 1024, descriptors: true });
    expect(config?.surrogate.hiddenLayers).toEqual([256, 256]);
  });

  it('allow anchors and aliases for repeated settings', () => {
    const { config, problems } = loadCampaign(
      `${minimal}  - {name: xtb-water, code: xtb, solvent: &solvent water}\n  - {name: xtb-opt, code: xtb, solvent: *solvent, optimize: true}\n`,
      'x.yaml',
    );
    expect(problems).toEqual([]);
    expect(config?.tiers.map((t) => ('solvent' in t ? t.solvent : undefined))).toEqual([
      undefined,
      'water',
      'water',
    ]);
  });
});

describe('configs/schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema` to regenerate)', () => {
    const committed = readFileSync(path.join(configsDir, 'schema.json'), 'utf8');
    expect(committed).toBe(campaignJsonSchemaText());
    expect(JSON.parse(committed)).toEqual(campaignJsonSchema());
  });

  it('has an id, a title, and makes defaulted fields optional', () => {
    const schema = campaignJsonSchema();
    expect(schema).toMatchObject({ $id: expect.any(String), title: expect.any(String) });
    expect(schema.required).toEqual(['name', 'tiers']);
    expect(schema.additionalProperties).toBe(false);
  });
});
