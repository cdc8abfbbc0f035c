/**
 * What the Temporal Web UI shows of a campaign: the current-details table (lib/campaign/details.ts), the
 * activities' one-line summaries (lib/campaign/activity-summaries.ts), and both as CampaignRounds hands them to
 * the workflow during a two-tier campaign with fake activities: the table at every phase, the summaries naming
 * the tier and the candidates.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_STATIC_DETAILS, staticDetails, summary } from '../../cli/campaign-start.js';
import {
  acquisitionSummary,
  evaluationSummary,
  MAX_SUMMARY,
  poolSummary,
  tierLabel,
  trainingSummary,
} from '../../lib/campaign/activity-summaries.js';
import { campaignDetails, type DetailsView } from '../../lib/campaign/details.js';
import { CampaignConfig, Tier } from '../../lib/campaign/schema.js';
import { limitsFromConfig } from '../../lib/campaign/stopping.js';
import { CampaignRounds, type Evaluated, type RoundActivities } from '../../workflows/campaign-rounds.js';

const view = (over: Partial<DetailsView> = {}): DetailsView => ({
  campaign: 'gaps',
  status: 'running',
  phase: 'evaluating',
  round: 2,
  limits: { rounds: 5 },
  tiers: ['gfn1', 'gfn2'],
  calls: { gfn1: 24, gfn2: 12 },
  failures: 0,
  objective: { property: 'homoLumoGap', direction: 'maximize' },
  energyJoules: 7.2e6, // 2 kWh
  cpuSeconds: 5400,
  carbonIntensity: 475,
  batch: { tier: 'gfn2', size: 8, done: 3, failed: 1 },
  ...over,
});

/** The table's rows as [key, value], after checking every line is a two-cell Markdown row. */
function rows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  expect(lines[1]).toBe('| --- | --- |');
  for (const l of lines) expect(l).toMatch(/^\| .+ \| .+ \|$/);
  return lines.map((l) =>
    l
      .slice(2, -2)
      .split(/ (?<!\\)\| /)
      .map((c) => c.trim()),
  );
}

describe('the current-details table', () => {
  it('says the round, the phase, the best, the calls per tier, energy and CO2e, and the status', () => {
    const table = rows(
      campaignDetails(view({ best: { idx: 12, label: 'NSC 1234', identity: 'C=CC=O', value: 4.123456 } })),
    );
    expect(table).toEqual([
      ['campaign', 'gaps'],
      ['---', '---'],
      ['rounds', '2 of 5 done'],
      ['phase', 'evaluating tier gfn2 (3 of 8 done, 1 failed)'],
      ['best homoLumoGap (maximize)', '4.123 (#12 NSC 1234, C=CC=O)'],
      ['calls', 'gfn1 24 · gfn2 12'],
      // 2 kWh at 475 g/kWh
      ['energy', '2 kWh · 950 g CO2e at 475 g/kWh'],
      ['CPU', '1.500 h'],
      ['status', 'running'],
    ]);
  });

  it('names each phase in words, and how the campaign ended', () => {
    const phase = (over: Partial<DetailsView>) =>
      rows(campaignDetails(view(over))).find(([k]) => k === 'phase')?.[1];
    expect(phase({ phase: 'preparing', status: 'starting' })).toBe('preparing the pool');
    expect(phase({ phase: 'training', surrogate: 'qrf' })).toBe('training the surrogate (qrf)');
    expect(phase({ phase: 'acquiring' })).toBe('screening the pool, choosing a batch');
    expect(phase({ phase: 'idle', status: 'paused' })).toBe('paused between rounds');
    expect(phase({ phase: 'idle' })).toBe('between rounds');
    expect(phase({ phase: 'idle', status: 'finished' })).toBe('finished');

    const status = (over: Partial<DetailsView>) =>
      rows(campaignDetails(view(over))).find(([k]) => k === 'status')?.[1];
    expect(status({ status: 'stopped', reason: 'enough' })).toBe('stopped by the user: enough');
    expect(status({ status: 'failed', reason: 'model exploded' })).toBe('failed: model exploded');
  });

  it('keeps a value with a pipe or a newline inside its cell', () => {
    const table = rows(campaignDetails(view({ status: 'failed', reason: 'bad | input\nline two' })));
    expect(table.find(([k]) => k === 'status')?.[1]).toBe('failed: bad \\| input line two');
  });

  it('shows the Pareto front instead of one best when there are several objectives', () => {
    const front = {
      points: [
        { idx: 1, label: 'a', values: [1, 2] },
        { idx: 2, label: 'b', values: [2, 1] },
      ],
      hypervolume: 3.25,
      reference: [0, 0],
    };
    const table = rows(campaignDetails(view({ front })));
    expect(table).toContainEqual(['front', '2 points, hypervolume 3.25']);
    expect(table.some(([k]) => k?.startsWith('best'))).toBe(false);
  });

  it('says "none yet" before the first result and counts failures beside the calls', () => {
    const table = rows(campaignDetails(view({ failures: 3, calls: { gfn1: 6 } })));
    expect(table).toContainEqual(['best homoLumoGap (maximize)', 'none yet']);
    expect(table).toContainEqual(['calls', 'gfn1 6 · gfn2 0 (3 failed)']);
  });
});

describe('activity summaries', () => {
  const xtb = Tier.parse({ code: 'xtb', method: 'gfn1', name: 'cheap' });
  const dft = Tier.parse({ code: 'nwchem', method: 'pbe0', basis: 'def2-SVP' });

  it('names the tier by its code and method', () => {
    expect(tierLabel(xtb)).toBe('cheap (xtb gfn1)');
    expect(tierLabel(dft)).toBe('nwchem pbe0/def2-SVP');
  });

  it('names the candidates, with labels and SMILES once a lower tier reported them', () => {
    const known = new Map([[40, { label: 'NSC 7', identity: 'c1ccccc1' }]]);
    expect(evaluationSummary(2, dft, [12, 40], known)).toBe(
      'round 2, nwchem pbe0/def2-SVP: 2 candidates (#12, #40 NSC 7 c1ccccc1)',
    );
    expect(evaluationSummary(0, xtb, [3])).toBe('round 0, cheap (xtb gfn1): 1 candidate (#3)');
  });

  it('stays on one short line however many candidates and however long their SMILES', () => {
    const idxs = Array.from({ length: 50 }, (_, i) => i);
    const known = new Map(idxs.map((i) => [i, { label: `mol-${i}`, identity: 'C'.repeat(80) }]));
    const s = evaluationSummary(7, dft, idxs, known);
    expect(s.length).toBeLessThanOrEqual(MAX_SUMMARY);
    expect(s).toMatch(/^round 7, nwchem pbe0\/def2-SVP: 50 candidates \(#0 mol-0 C+…/);
    const more = Number(s.match(/\+(\d+) more\)$/)?.[1]);
    const shown = (s.match(/#\d+/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown + more).toBe(50);
  });

  it('says what training, choosing and the pool work on', () => {
    expect(trainingSummary(3, 'mlp-ensemble', ['gfn1', 'gfn2'], { gfn1: 24, gfn2: 12 })).toBe(
      'round 3: train mlp-ensemble on 24 gfn1 + 12 gfn2 results',
    );
    expect(trainingSummary(0, 'qrf', ['xtb'], {})).toBe('round 0: train qrf on no results');
    expect(acquisitionSummary(1, 4, 'ucb', 'model')).toBe(
      "round 1: choose 4 by ucb from the surrogate's predictions",
    );
    expect(acquisitionSummary(0, 6, 'ucb', 'random')).toBe('round 0: choose 6 at random (no surrogate yet)');
    expect(poolSummary({ candidates: { source: '/data/NCI/first_5K.smi', limit: 100 } } as never)).toBe(
      'prepare the pool: first_5K.smi, at most 100 candidates',
    );
  });
});

describe('CampaignRounds hands the Web UI its details and summaries', () => {
  const config = CampaignConfig.parse({
    name: 'ui',
    seed: 1,
    candidates: { source: 'pool.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    acquisition: { strategy: 'ucb', batchSize: 4, initialBatch: 4, kappa: 1 },
    tiers: [
      { name: 'gfn1', code: 'xtb', method: 'gfn1' },
      { name: 'gfn2', code: 'xtb', method: 'gfn2', promote: { top: 0.5 } },
    ],
    budget: { rounds: 2 },
  });

  it('summarises every activity it schedules and shows each phase as it starts', async () => {
    const summaries: { activity: string; summary: string | undefined }[] = [];
    const details: string[] = [];
    let next = 0;
    const result = (idx: number, tier: number): Evaluated => ({
      idx,
      label: `m${idx}`,
      identity: `C${'C'.repeat(idx)}O`,
      status: 'ok',
      values: { homoLumoGap: idx + tier },
    });
    const activities: RoundActivities = {
      restoreCampaign: async () => {
        throw new Error('not resumed');
      },
      preparePool: async (_args, summary) => {
        summaries.push({ activity: 'preparePool', summary });
        return { read: 20, kept: 20, rejected: {} };
      },
      trainSurrogate: async (args, summary) => {
        summaries.push({ activity: 'trainSurrogate', summary });
        return args.round === 0
          ? undefined
          : { id: 'm1', backend: 'cpu', trainedOn: 4, labelTier: 'gfn2', fidelity: 'direct', metrics: {} };
      },
      acquireBatch: async (args, summary) => {
        summaries.push({ activity: 'acquireBatch', summary });
        const indices = Array.from({ length: args.size }, () => next++);
        return { indices };
      },
      evaluateBatch: async (args, summary) => {
        summaries.push({ activity: 'evaluateBatch', summary });
        return args.idxs.map((i) => result(i, args.tier));
      },
      evaluateCandidate: async (args, summary) => {
        summaries.push({ activity: 'evaluateCandidate', summary });
        return result(args.idx, args.tier);
      },
    };
    const rounds = new CampaignRounds(
      { campaignId: 'ui', config, limits: limitsFromConfig(config) },
      activities,
      {
        qmBatches: () => true,
        publish: () => undefined,
        condition: async () => undefined,
        continueAsNewSuggested: () => false,
        details: (text) => {
          details.push(text);
        },
      },
    );
    expect(await rounds.run()).toBe('finished');

    // a tier of 4 goes out as 4 batches of one (lib/campaign/batches.ts); the first tier knows only the pool
    // indices, the second names the molecules the first reported
    const tier = (round: number, name: string, names: string[]) =>
      names.map((n) => ({
        activity: 'evaluateBatch',
        summary: `round ${round}, ${name} (xtb ${name}): 1 candidate (${n})`,
      }));
    expect(summaries).toEqual([
      { activity: 'preparePool', summary: 'prepare the pool: pool.smi' },
      { activity: 'trainSurrogate', summary: 'round 0: train mlp-ensemble on no results' },
      { activity: 'acquireBatch', summary: 'round 0: choose 4 at random (no surrogate yet)' },
      ...tier(0, 'gfn1', ['#0', '#1', '#2', '#3']),
      ...tier(0, 'gfn2', ['#3 m3 CCCCO', '#2 m2 CCCO']),
      { activity: 'trainSurrogate', summary: 'round 1: train mlp-ensemble on 4 gfn1 + 2 gfn2 results' },
      { activity: 'acquireBatch', summary: "round 1: choose 4 by ucb from the surrogate's predictions" },
      ...tier(1, 'gfn1', ['#4', '#5', '#6', '#7']),
      ...tier(1, 'gfn2', ['#7 m7 CCCCCCCCO', '#6 m6 CCCCCCCO']),
    ]);

    // the table at every change: the pool, then per round training, choosing, each tier and each batch done
    const round = [
      'training the surrogate (mlp-ensemble)',
      'screening the pool, choosing a batch',
      ...[0, 1, 2, 3, 4].map((n) => `evaluating tier gfn1 (${n} of 4 done)`),
      ...[0, 1, 2].map((n) => `evaluating tier gfn2 (${n} of 2 done)`),
      'between rounds',
    ];
    const phases = details.map((d) => d.match(/\| phase \| (.*) \|/)?.[1]);
    expect(phases).toEqual([
      'preparing the pool',
      'preparing the pool', // the pool is ready: published before the first round starts
      ...round,
      ...round,
      'finished',
    ]);
    const last = details.at(-1) ?? '';
    expect(last).toContain('| rounds | 2 of 2 done |');
    expect(last).toContain('| calls | gfn1 8 · gfn2 4 |');
    // best at the last tier: candidate 7 at gfn2 is worth 7 + 1
    expect(last).toContain('| best homoLumoGap (maximize) | 8 (#7 m7, CCCCCCCCO) |');
    expect(last).toMatch(/\| status \| finished: round budget spent/);
  });
});

describe('the static details and summary a campaign starts with', () => {
  const config = CampaignConfig.parse({
    name: 'static',
    candidates: { source: 'pool.smi' },
    objective: { property: 'homoLumoGap', direction: 'maximize' },
    tiers: [{ code: 'xtb' }, { code: 'nwchem', method: 'pbe0', basis: 'def2-SVP' }],
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cascade-static-'));

  it('one line: name, objective, tiers', () => {
    expect(summary(config)).toBe(
      'cascade campaign static: maximize homoLumoGap with xtb gfn2 → nwchem pbe0/def2-SVP',
    );
  });

  it('carries the campaign file as written in a fenced YAML block, and the resume line', () => {
    const file = path.join(dir, 'static.yaml');
    const text = 'name: static # the file as written\ndescription: "uses ``` in text"\n';
    writeFileSync(file, text);
    const md = staticDetails(config, file, { rounds: 2 });
    expect(md.startsWith('**Resumed**: continued from its stored results with 2 more rounds\n')).toBe(true);
    // a fence the file's own backticks cannot close
    expect(md).toContain(`\`\`\`\`yaml\n${text}\`\`\`\`\n`);
    expect(md).toContain(`**Campaign file** \`${file}\``);
  });

  it('falls back to the parsed config when there is no file, and stays under its cap', () => {
    const md = staticDetails(config);
    expect(md).toContain('**Campaign** (as parsed)');
    expect(md).toMatch(/```yaml\nversion: 1\nname: static\n/);
    expect(md).not.toContain('Resumed');

    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `name: static\n${'# a long comment line to fill the file\n'.repeat(2000)}`);
    const cut = staticDetails(config, big);
    expect(cut.length).toBeLessThanOrEqual(MAX_STATIC_DETAILS);
    expect(cut).toMatch(/# \.\.\. cut here: \d+ of 78013 characters not shown\n```\n$/);
  });
});
