/**
 * A class objective end to end, on the real dev server with real xtb and a tiny pool: `objective:
 * {property: homoLumoGap, above: 4}` finds molecules whose GFN2 gap is at least 4 eV. Its hits, as the workflow
 * counts them and as `cascade status --json` shows them, are checked against the store's results; the class
 * model (the latent binary-encoding classifier) is stored with its figures and the plain network's, its P(hit)
 * ranked the last batch, and the history replays.
 */
import { Worker as TemporalWorker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { CampaignConfig } from '../../lib/campaign/schema.js';
import { campaignWorkflowId } from '../../lib/temporal/queues.js';
import * as attrs from '../../lib/temporal/search-attributes.js';
import { openStore } from '../../store/open.js';
import { workflowsPath } from '../../workers/main.js';
import { startCampaign } from '../helpers/campaign-env.js';
import { cascade } from '../helpers/cascade-cli.js';
import { environmentWithWorkers } from '../helpers/workers.js';

const env = environmentWithWorkers();

/** The bar: about the median GFN2 gap of small C/N/O molecules of the NCI set (data/al/nci-gfn2.jsonl). */
const BAR = 4;

describe('a campaign with a class objective', () => {
  it('counts its hits as the store does and ranks by the class model', { timeout: 300_000 }, async () => {
    const name = `gap-above-${env().prefix.slice(0, -1)}`;
    const config = CampaignConfig.parse({
      name,
      seed: 3,
      candidates: {
        source: '/usr/share/RDKit/Data/NCI/first_5K.smi',
        limit: 60,
        filters: { maxHeavyAtoms: 12, elements: ['C', 'N', 'O'] },
      },
      objective: { property: 'homoLumoGap', above: BAR },
      surrogate: { features: { morganBits: 512 } },
      classifier: { epochs: 40, hiddenLayers: [32], latentDim: 2, folds: 2, minFailures: 2 },
      acquisition: { strategy: 'ucb', batchSize: 4, initialBatch: 8 },
      tiers: [{ code: 'xtb', method: 'gfn2', timeoutSeconds: 120 }],
      budget: { rounds: 3, callsPerTier: { xtb: 16 } },
    });
    const handle = await startCampaign(env(), config, {
      heartbeatSeconds: 20,
      workflowId: campaignWorkflowId(name),
    });
    const result = await handle.result();
    expect(result.status).toBe('finished');
    expect(result.calls.xtb).toBe(16); // 8 random, then two batches of 4 by P(hit)

    // the hits: every successful result at or above the bar, each candidate once
    const store = openStore();
    const evaluations = await store.listEvaluations(name, 'xtb');
    expect(evaluations).toHaveLength(16);
    const gaps = evaluations.flatMap((e) => {
      const gap = e.values?.homoLumoGap;
      return e.status === 'ok' && gap !== undefined ? [gap] : [];
    });
    const hits = gaps.filter((g) => g >= BAR).length;
    console.info(`class objective: ${hits} of ${evaluations.length} gaps >= ${BAR} eV: ${gaps.join(', ')}`);
    expect(result.hits).toBe(hits);
    const d = await handle.describe();
    expect(d.typedSearchAttributes.get(attrs.BEST_VALUE)).toBe(hits);

    // `cascade status --json`: the hits from the store, the workflow's, and the class model's figures
    const r = await cascade(['status', name, '--json'], env().env);
    expect(r.code, r.out).toBe(0);
    const status = JSON.parse(r.out.trim().split('\n').at(-1) as string);
    expect(status.hits).toBe(hits);
    expect(status.class).toBe(`homoLumoGap >= ${BAR}`);
    expect(status.progress.hits).toBe(hits);
    const figures = status.classModel as Record<string, number>;
    for (const key of [
      'accuracy',
      'brier',
      'ece',
      'nc1',
      'meanBinarity',
      'plainAccuracy',
      'plainBrier',
      'plainEce',
    ])
      expect(Number.isFinite(figures[key]), key).toBe(true);
    expect(figures.accuracy).toBeGreaterThanOrEqual(0);
    expect(figures.accuracy).toBeLessThanOrEqual(1);
    console.info(
      `class model of round ${figures.round}: ${figures.inClass} of ${figures.trainedOn} in the class; accuracy ${figures.accuracy} (plain ${figures.plainAccuracy}), Brier ${figures.brier} (plain ${figures.plainBrier}), ECE ${figures.ece} (plain ${figures.plainEce}), NC1 ${figures.nc1} (plain ${figures.plainNc1}), binarity ${figures.meanBinarity} (plain ${figures.plainMeanBinarity})`,
    );
    const text = await cascade(['status', name], env().env);
    expect(text.out).toContain(`hits      ${hits} (homoLumoGap >= ${BAR})`);
    expect(text.out).toMatch(/cross-validated accuracy [\d.]+ \(plain [\d.]+\)/);

    // the class model is the campaign's model: trained on the rounds before the last, at xtb, with P(hit)
    const model = await store.latestModel(name);
    expect(model?.kind).toBe('latent-binary-classifier');
    expect(model?.round).toBe(2);
    expect(model?.description.property).toBeUndefined();
    expect(model?.description.labelTier).toBe('xtb');
    const before = evaluations.filter((e) => e.round < 2 && e.status === 'ok');
    expect(model?.description.trainedOn).toBe(before.length);
    expect(model?.metrics.inClass).toBe(before.filter((e) => (e.values?.homoLumoGap ?? 0) >= BAR).length);
    const p = new Map((await store.getPredictions(model?.id as string)).map((x) => [x.idx, x]));
    expect(p.size).toBe(result.poolSize);
    expect([...p.values()].every((x) => x.mean >= 0 && x.mean <= 1 && x.std === 0)).toBe(true);
    // it chose the last batch: no candidate left unevaluated ranks above the batch's last, by P(hit) times the
    // failure classifier's P(success) where it trained (it needs two failures)
    const failureModel = await store.latestModel(name, 'success');
    const success = new Map(
      failureModel && failureModel.round === 2
        ? (await store.getPredictions(failureModel.id)).map((x) => [x.idx, x.mean])
        : [],
    );
    const rank = (idx: number) => (p.get(idx)?.mean as number) * (success.get(idx) ?? 1);
    const evaluated = new Set(evaluations.map((e) => e.idx));
    const lastBatch = evaluations.filter((e) => e.round === 2).map((e) => rank(e.idx));
    const rest = [...p.keys()].filter((idx) => !evaluated.has(idx)).map(rank);
    expect(lastBatch).toHaveLength(4);
    expect(Math.min(...lastBatch)).toBeGreaterThanOrEqual(Math.max(...rest));

    const history = await handle.fetchHistory();
    await TemporalWorker.runReplayHistory({ workflowsPath: workflowsPath() }, history);
  });
});
