/**
 * The two labelled pools of the active-learning bench, as cascade campaign configs: the candidate selection is
 * configs/demo.yaml's (same file, same filters), and the ladder is what a campaign's tiers compute by default.
 * Building them through the campaign schema gives every setting not named here the default a user would get.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatProblem, loadCampaign } from '../../lib/campaign/load.js';
import { CampaignConfig, type TierConfig } from '../../lib/campaign/schema.js';

export interface PoolDefinition {
  /** Also the file name: data/al/<name>.jsonl. */
  name: string;
  config: CampaignConfig;
  /** The campaign the pool and its evaluations are stored under in the label store (changes with the selection). */
  campaignId: string;
}

export const DEMO_CONFIG = 'configs/demo.yaml';

/**
 * Pool (a): the demo's whole pool (its 2,000 molecules, in file order; the first 800 were labelled first, the
 * rest in a second run of 47 minutes on one core), and pool (b): small enough for DFT on every molecule, sized to
 * the time the labelling was given (data/al/README.md has the measured rates); raising a limit later labels only
 * the new molecules.
 */
export const NCI_LIMIT = 2000;
export const SMALL_MAX_HEAVY_ATOMS = 8;
export const SMALL_LIMIT = 300;

/** The second tier of pool (b): a campaign's NWChem tier at B3LYP/6-31G*, everything else its default. */
const B3LYP_TIER = { code: 'nwchem', method: 'b3lyp', basis: '6-31G*' } as const;

export function poolDefinitions(demoFile = DEMO_CONFIG): { nci: PoolDefinition; small: PoolDefinition } {
  const demo = readDemo(demoFile);
  const xtb = demo.tiers[0] as TierConfig;
  const nci = definition(
    'nci-gfn2',
    CampaignConfig.parse({ ...demo, candidates: { ...demo.candidates, limit: NCI_LIMIT } }),
  );
  const small = definition(
    'small-gfn2-b3lyp',
    CampaignConfig.parse({
      ...demo,
      name: 'small-gfn2-b3lyp',
      candidates: {
        ...molecules(demo),
        filters: { ...molecules(demo).filters, maxHeavyAtoms: SMALL_MAX_HEAVY_ATOMS },
        limit: SMALL_LIMIT,
      },
      tiers: [xtb, B3LYP_TIER],
      budget: { ...demo.budget, callsPerTier: {} },
    }),
  );
  return { nci, small };
}

/** The same pool with another candidate file (the tests relabel a few molecules from a file of their own). */
export function withSource(def: PoolDefinition, source: string): PoolDefinition {
  return definition(def.name, { ...def.config, candidates: { ...molecules(def.config), source } });
}

/** The molecule pool of a campaign the pools are built from (every one has one). */
function molecules(c: CampaignConfig): NonNullable<CampaignConfig['candidates']> {
  if (!c.candidates) throw new Error(`${c.name}: the active-learning pools are molecule pools`);
  return c.candidates;
}

function readDemo(file: string): CampaignConfig {
  const { config, problems } = loadCampaign(readFileSync(file, 'utf8'), file);
  if (!config) throw new Error(problems.map(formatProblem).join('\n'));
  return config;
}

function definition(name: string, config: CampaignConfig): PoolDefinition {
  // preparePool keeps a stored pool whose source is unchanged: another selection needs another campaign
  const selection = JSON.stringify({ candidates: config.candidates, tiers: config.tiers });
  const hash = createHash('sha256').update(selection).digest('hex').slice(0, 10);
  return { name, config: { ...config, name }, campaignId: `label-${name}-${hash}` };
}
