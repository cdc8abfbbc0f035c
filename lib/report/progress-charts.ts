/**
 * The best value against calls and against energy: the campaign's step curve, the expected best of random
 * screening through the same ladder, and brute force's whole-pool cost as a rule. Pure.
 */
import type { ReferencePoint, TracePoint } from './best-trace.js';
import { chart, type EnergyScale, type VegaLiteSpec } from './spec.js';

export interface BestVsCostInput {
  campaign: readonly TracePoint[];
  reference?: readonly ReferencePoint[];
  /** What brute force (every candidate through every tier) costs; drawn as a vertical rule. */
  bruteForce?: { calls: number; kWh?: number };
  /** The objective's axis title, with its unit. */
  valueTitle: string;
  /** The unit energy is drawn in. */
  energy: EnergyScale;
}

export const CAMPAIGN_SERIES = 'this campaign';
export const RANDOM_SERIES = 'random screening (expected)';

/**
 * Calls and energy on a log axis: brute force costs orders of magnitude more than a campaign, and a linear axis
 * would squeeze the campaign into its first pixels. Points at zero cost (before the ledger's first line) are left
 * out: a log axis has no zero.
 */
export function bestVsCostSpec(input: BestVsCostInput, x: 'calls' | 'kWh'): VegaLiteSpec {
  const factor = x === 'calls' ? 1 : input.energy.factor;
  const title =
    x === 'calls' ? 'QM calls, all tiers (log scale)' : `energy, ${input.energy.unit} (log scale)`;
  const series = (points: readonly (TracePoint | ReferencePoint)[], name: string) =>
    points.map((p) => ({ x: p[x] * factor, best: p.best, series: name })).filter((r) => r.x > 0);
  const campaign = series(input.campaign, CAMPAIGN_SERIES);
  const reference = series(input.reference ?? [], RANDOM_SERIES);
  const bruteKWh = input.bruteForce?.kWh;
  const brute =
    x === 'calls' ? input.bruteForce?.calls : bruteKWh === undefined ? undefined : bruteKWh * factor;
  const encoding = {
    x: { field: 'x', type: 'quantitative', title, scale: { type: 'log' } },
    y: { field: 'best', type: 'quantitative', title: input.valueTitle, scale: { zero: false } },
    color: {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { domain: [CAMPAIGN_SERIES, RANDOM_SERIES] },
      legend: { symbolType: 'stroke' },
    },
  };
  const layers: VegaLiteSpec[] = [
    ...(reference.length > 0
      ? [
          {
            data: { values: reference },
            mark: { type: 'line', strokeDash: [5, 3], strokeWidth: 2 },
            encoding,
          },
        ]
      : []),
    {
      data: { values: campaign },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, point: { size: 20 } },
      encoding,
    },
  ];
  if (brute !== undefined && Number.isFinite(brute) && brute > 0) {
    const label = [{ x: brute, label: 'brute force' }];
    layers.push(
      {
        data: { values: label },
        mark: { type: 'rule', color: '#666', strokeDash: [2, 2] },
        encoding: { x: { field: 'x', type: 'quantitative' } },
      },
      {
        data: { values: label },
        mark: {
          type: 'text',
          align: 'right',
          baseline: 'bottom',
          dx: -4,
          dy: -4,
          y: 'height',
          color: '#444',
          fontSize: 11,
        },
        encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
      },
    );
  }
  return chart({ layer: layers });
}
