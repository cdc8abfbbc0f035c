/**
 * The report's chart specs, compiled with vega-lite and run by vega as `cascade report` does: each draws marks for
 * its data (counted in vega's scene graph, not guessed from the spec), and the SVG comes out.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { toSvg } from '../../cli/report/render.js';
import { onFront, paretoSpec } from '../../lib/report/pareto-chart.js';
import { bestVsCostSpec } from '../../lib/report/progress-charts.js';
import { counterfactualSpec, funnelSpec, resourcesSpec } from '../../lib/report/resource-charts.js';
import { energyScale, type VegaLiteSpec } from '../../lib/report/spec.js';
import { calibrationSpec, metricsSpec, paritySpec } from '../../lib/report/surrogate-charts.js';

/**
 * What is drawn, per mark type, over the whole scene graph (axes, legends and titles left out): a line or area
 * counts once per path, every other mark once per item.
 */
async function marks(spec: VegaLiteSpec): Promise<Record<string, number>> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), { renderer: 'none' });
  await view.runAsync();
  const counts: Record<string, number> = {};
  const add = (type: string, n: number) => {
    counts[type] = (counts[type] ?? 0) + n;
  };
  const walk = (node: { marktype?: string; role?: string; items?: unknown[] }) => {
    const items = node.items ?? [];
    if (node.role === 'mark' && node.marktype && items.length > 0)
      add(node.marktype, node.marktype === 'line' || node.marktype === 'area' ? 1 : items.length);
    for (const item of items) walk(item as typeof node);
  };
  walk((view.scenegraph() as unknown as { root: never }).root);
  view.finalize();
  return counts;
}

const wh = energyScale(0.01);

describe('best against cost', () => {
  const input = {
    campaign: [
      { calls: 3, kWh: 0.001, best: 2 },
      { calls: 4, kWh: 0.002, best: 3 },
    ],
    reference: [
      { calls: 2, kWh: 0.001, best: 1.5 },
      { calls: 4, kWh: 0.002, best: 2.1 },
      { calls: 6, kWh: 0.003, best: 2.4 },
    ],
    bruteForce: { calls: 6, kWh: 0.003 },
    valueTitle: 'best homoLumoGap (eV)',
    energy: wh,
  };

  it('draws the campaign and the random reference as two lines, and brute force as a rule', async () => {
    const m = await marks(bestVsCostSpec(input, 'calls'));
    expect(m.line).toBe(2); // one path per series
    expect(m.symbol).toBe(2); // a point per step of the campaign; the reference is a plain line
    expect(m.rule).toBe(1);
    expect(m.text).toBe(1);
  });

  it('draws energy in Wh below a kWh on a log axis, leaving out points at no cost', async () => {
    const spec = bestVsCostSpec(
      { ...input, campaign: [{ calls: 1, kWh: 0, best: 1 }, ...input.campaign] },
      'kWh',
    );
    type Layer = {
      data: { values: { x: number }[] };
      encoding: { x: { title: string; scale: { type: string } } };
    };
    const [reference, campaign] = spec.layer as Layer[];
    expect(reference?.data.values.map((v) => v.x)).toEqual([1, 2, 3]);
    expect(campaign?.data.values.map((v) => v.x)).toEqual([1, 2]);
    expect(campaign?.encoding.x).toMatchObject({ title: 'energy, Wh (log scale)', scale: { type: 'log' } });
    expect(await toSvg(spec)).toContain('energy, Wh (log scale)');
  });

  it('leaves brute force out when its cost is unknown', async () => {
    const m = await marks(bestVsCostSpec({ ...input, bruteForce: { calls: 0 } }, 'kWh'));
    expect(m.rule).toBeUndefined();
  });
});

describe('the surrogate', () => {
  const rounds = [
    {
      round: 1,
      tier: 'xtb',
      points: [
        { computed: 1, mean: 1.2, std: 0.3 },
        { computed: 2, mean: 1.7, std: 0.2 },
      ],
    },
    { round: 2, tier: 'xtb', points: [{ computed: 3, mean: 2.5, std: 0.4 }] },
  ];

  it('parity: one panel per round, a point and an error bar per candidate, the diagonal in each', async () => {
    const m = await marks(paritySpec(rounds, 'homoLumoGap (eV)'));
    expect(m.symbol).toBe(3);
    expect(m.rule).toBe(3);
    expect(m.line).toBe(2);
  });

  it('calibration: a line per round and the diagonal', async () => {
    const m = await marks(
      calibrationSpec([
        {
          round: 1,
          curve: [
            { expected: 0.5, observed: 0.4 },
            { expected: 0.9, observed: 0.8 },
          ],
        },
        {
          round: 2,
          curve: [
            { expected: 0.5, observed: 0.6 },
            { expected: 0.9, observed: 1 },
          ],
        },
      ]),
    );
    expect(m.line).toBe(3);
    expect(m.symbol).toBe(4);
  });

  it('metrics: a panel per recorded figure, none without any', async () => {
    const spec = metricsSpec([
      { round: 1, metrics: { trainLoss: 0.2, meanStd: 0.5 } },
      { round: 2, metrics: { trainLoss: 0.1, meanStd: 0.4, lastMae: 0.3 } },
    ]);
    expect(spec).toBeDefined();
    const m = await marks(spec as VegaLiteSpec);
    expect(m.line).toBe(3); // trainLoss, meanStd, lastMae
    expect(m.symbol).toBe(5);
    expect(metricsSpec([{ round: 1, metrics: {} }])).toBeUndefined();
  });
});

describe('resources', () => {
  it('funnel: a bar per tier and outcome, promoted for all but the top tier', async () => {
    const m = await marks(
      funnelSpec([
        { tier: 'gfn1', evaluated: 10, computed: 8, cached: 1, failed: 1, promoted: 3 },
        { tier: 'gfn2', evaluated: 3, computed: 3, cached: 0, failed: 0 },
      ]),
    );
    expect(m.rect).toBe(7);
  });

  it('energy and CPU: two bars per activity; the counterfactual a bar each', async () => {
    const uses = [
      { activity: 'qm:gfn1', tier: 'gfn1', kWh: 0.002, cpuHours: 0.01 },
      { activity: 'acquire', kWh: 0.0001, cpuHours: 0.001 },
    ];
    expect((await marks(resourcesSpec(uses, wh))).rect).toBe(4);
    const bars = [
      { label: 'this campaign', kWh: 0.001, kind: 'campaign' as const },
      { label: 'brute force, every tier', kWh: 0.01, kind: 'brute force' as const },
    ];
    expect((await marks(counterfactualSpec(bars, wh))).rect).toBe(2);
  });
});

describe('Pareto front', () => {
  const input = {
    objectives: [
      { property: 'homoLumoGap', direction: 'maximize' as const },
      { property: 'saScore', direction: 'minimize' as const },
    ],
    rows: [
      { label: 'a', values: [5, 3] },
      { label: 'b', values: [4, 2] },
      { label: 'c', values: [3, 4] }, // dominated by a and b
      { label: 'd', values: [6, Number.NaN] }, // incomplete: never on the front
    ],
    titles: ['homoLumoGap (eV)', 'saScore'],
  };

  it('marks the results no other dominates, by every objective', () => {
    expect(onFront(input)).toEqual([true, true, false, false]);
  });

  it('draws the complete results and joins the front; nothing with one objective', async () => {
    const spec = paretoSpec(input);
    const m = await marks(spec as VegaLiteSpec);
    expect(m.symbol).toBe(3);
    expect(m.line).toBe(1);
    expect(paretoSpec({ ...input, objectives: input.objectives.slice(0, 1) })).toBeUndefined();
  });
});
