/**
 * Where the compute went: the tier funnel, energy and CPU time by activity (coloured by tier), and the campaign
 * against brute force. Pure.
 */
import type { FunnelStage } from './funnel.js';
import { chart, type EnergyScale, PANEL, type VegaLiteSpec } from './spec.js';

const OUTCOMES = ['computed', 'cached', 'failed', 'promoted to next tier'] as const;

/** Per tier, bars side by side: computed, cached and failed evaluations, and those promoted to the next tier. */
export function funnelSpec(stages: readonly FunnelStage[]): VegaLiteSpec {
  const values = stages.flatMap((s) => [
    { tier: s.tier, outcome: OUTCOMES[0], count: s.computed },
    { tier: s.tier, outcome: OUTCOMES[1], count: s.cached },
    { tier: s.tier, outcome: OUTCOMES[2], count: s.failed },
    ...(s.promoted !== undefined ? [{ tier: s.tier, outcome: OUTCOMES[3], count: s.promoted }] : []),
  ]);
  return chart({
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'tier',
        type: 'nominal',
        title: 'tier (cheapest first)',
        sort: stages.map((s) => s.tier),
        axis: { labelAngle: 0 },
      },
      xOffset: { field: 'outcome', type: 'nominal', sort: [...OUTCOMES] },
      y: { field: 'count', type: 'quantitative', title: 'candidates' },
      color: {
        field: 'outcome',
        type: 'nominal',
        title: null,
        sort: [...OUTCOMES],
        scale: { domain: [...OUTCOMES] },
      },
      tooltip: [{ field: 'tier' }, { field: 'outcome' }, { field: 'count' }],
    },
  });
}

/** One ledger activity's totals for one tier. */
export interface ActivityUse {
  activity: string;
  /** The tier its work was for, else absent. */
  tier?: string;
  kWh: number;
  cpuHours: number;
}

/** Energy and CPU time per activity, side by side, each bar stacked by the tier its work was for. */
export function resourcesSpec(uses: readonly ActivityUse[], energy: EnergyScale): VegaLiteSpec {
  const values = uses.map((u) => ({
    ...u,
    energy: u.kWh * energy.factor,
    tier: u.tier ?? 'no tier',
  }));
  const total = new Map<string, number>();
  for (const u of uses) total.set(u.activity, (total.get(u.activity) ?? 0) + u.kWh);
  const order = [...total.keys()].sort((a, b) => (total.get(b) ?? 0) - (total.get(a) ?? 0));
  const y = { field: 'activity', type: 'nominal', title: null, sort: order };
  const color = { field: 'tier', type: 'nominal', title: 'tier' };
  const panel = { width: Math.floor(PANEL.width * 0.7), height: Math.max(80, 22 * total.size) };
  return chart(
    {
      data: { values },
      hconcat: [
        {
          ...panel,
          mark: 'bar',
          encoding: {
            y,
            x: { field: 'energy', type: 'quantitative', title: `energy (${energy.unit})` },
            color,
          },
        },
        {
          ...panel,
          mark: 'bar',
          encoding: {
            y: { ...y, axis: null },
            x: { field: 'cpuHours', type: 'quantitative', title: 'CPU time (core-hours)' },
            color,
          },
        },
      ],
    },
    {},
  );
}

/** What the campaign spent against brute force over the whole pool, in energy. */
export function counterfactualSpec(
  bars: ReadonlyArray<{ label: string; kWh: number; kind: 'campaign' | 'brute force' }>,
  energy: EnergyScale,
): VegaLiteSpec {
  return chart(
    {
      data: { values: bars.map((b) => ({ ...b, energy: b.kWh * energy.factor })) },
      mark: 'bar',
      encoding: {
        y: { field: 'label', type: 'nominal', title: null, sort: bars.map((b) => b.label) },
        x: { field: 'energy', type: 'quantitative', title: `energy (${energy.unit})` },
        color: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: { domain: ['campaign', 'brute force'] },
        },
      },
    },
    { width: PANEL.width, height: 30 * bars.length },
  );
}
