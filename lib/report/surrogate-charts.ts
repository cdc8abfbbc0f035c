/**
 * The surrogate, round by round: each model's predictions against the values then computed for the batch it
 * chose (parity, with ±1σ bars), the calibration of its intervals, and the metrics recorded at each retrain. Pure.
 */
import type { ModelMetrics } from '../surrogate/model.js';
import type { CalibrationPoint, PredictedPoint } from './calibration.js';
import { chart, PANEL, type VegaLiteSpec } from './spec.js';

/** One model and the batch it chose, computed at the tier it learned. */
export interface RoundCheck {
  round: number;
  tier: string;
  points: readonly PredictedPoint[];
}

const roundLabel = (r: number) => `round ${r}`;

/** One panel per round: predicted mean (±1σ) against computed, with the diagonal where they agree. */
export function paritySpec(rounds: readonly RoundCheck[], valueTitle: string): VegaLiteSpec {
  const values = rounds.flatMap((r) =>
    r.points.map((p) => ({
      round: roundLabel(r.round),
      computed: p.computed,
      mean: p.mean,
      lo: p.mean - p.std,
      hi: p.mean + p.std,
    })),
  );
  const all = values.flatMap((v) => [v.computed, v.lo, v.hi]);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.05 || 0.5;
  const domain = [lo - pad, hi + pad];
  const diagonal = rounds.flatMap((r) =>
    domain.map((d) => ({ round: roundLabel(r.round), kind: 'diagonal', computed: d, mean: d })),
  );
  const side = Math.min(220, Math.max(160, Math.floor(660 / Math.max(1, rounds.length))));
  const x = { field: 'computed', type: 'quantitative', title: `computed ${valueTitle}`, scale: { domain } };
  const y = {
    field: 'mean',
    type: 'quantitative',
    title: `predicted ${valueTitle} (±1σ)`,
    scale: { domain },
  };
  // a facet's layers share its data: one table, each layer filtered to its rows
  const only = (kind: string) => [{ filter: { field: 'kind', equal: kind } }];
  return chart(
    {
      data: { values: [...values.map((v) => ({ ...v, kind: 'point' })), ...diagonal] },
      facet: { field: 'round', type: 'ordinal', title: null, sort: rounds.map((r) => roundLabel(r.round)) },
      columns: 4,
      spec: {
        width: side,
        height: side,
        layer: [
          {
            transform: only('diagonal'),
            mark: { type: 'line', color: '#999', strokeDash: [4, 3] },
            encoding: { x, y },
          },
          {
            transform: only('point'),
            mark: { type: 'rule', color: '#9db8e8' },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
          },
          {
            transform: only('point'),
            mark: { type: 'point', filled: true, color: '#1f6feb', size: 36 },
            encoding: { x, y },
          },
        ],
      },
    },
    {},
  );
}

/** The fraction of computed values inside the central p-interval, against p; the diagonal is calibrated. */
export function calibrationSpec(
  rounds: ReadonlyArray<{ round: number; curve: readonly CalibrationPoint[] }>,
): VegaLiteSpec {
  const values = rounds.flatMap((r) =>
    r.curve.map((c) => ({ round: roundLabel(r.round), expected: c.expected, observed: c.observed })),
  );
  const unit = { type: 'quantitative', scale: { domain: [0, 1] } };
  return chart({
    layer: [
      {
        data: { values: [{ p: 0 }, { p: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 3] },
        encoding: { x: { field: 'p', ...unit }, y: { field: 'p', ...unit } },
      },
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'expected', ...unit, title: 'interval probability p (central, Gaussian)' },
          y: { field: 'observed', ...unit, title: 'fraction of computed values inside' },
          color: {
            field: 'round',
            type: 'nominal',
            title: null,
            sort: rounds.map((r) => roundLabel(r.round)),
          },
        },
      },
    ],
  });
}

/** The figures the report plots over rounds, with their titles. */
export const METRIC_TITLES: ReadonlyArray<[keyof ModelMetrics, string]> = [
  ['lastMae', 'MAE on the batch it chose'],
  ['lastR2', 'R² on the batch it chose'],
  ['lastSpearman', 'Spearman ρ on the batch it chose'],
  ['lastCoverage90', '90% interval coverage, chosen batch'],
  ['trainLoss', 'training loss (standardised MSE)'],
  ['meanStd', 'mean predicted σ over the pool'],
];

/** Each recorded figure against the round of the model that recorded it; one small panel per figure. */
export function metricsSpec(
  models: ReadonlyArray<{ round: number; metrics: ModelMetrics }>,
): VegaLiteSpec | undefined {
  const values = METRIC_TITLES.flatMap(([key, title]) =>
    models.flatMap((m) => {
      const v = m.metrics[key];
      return v === undefined || !Number.isFinite(v) ? [] : [{ round: m.round, value: v, metric: title }];
    }),
  );
  if (values.length === 0) return undefined;
  const shown = METRIC_TITLES.map(([, t]) => t).filter((t) => values.some((v) => v.metric === t));
  return chart(
    {
      data: { values },
      facet: { field: 'metric', type: 'nominal', title: null, sort: shown },
      columns: 3,
      spec: {
        width: Math.floor(PANEL.width / 2),
        height: 120,
        mark: { type: 'line', point: true, color: '#1f6feb' },
        encoding: {
          x: { field: 'round', type: 'quantitative', title: 'round', axis: { tickMinStep: 1, format: 'd' } },
          y: {
            field: 'value',
            type: 'quantitative',
            title: null,
            scale: { zero: false },
            axis: { format: '.3~g' },
          },
        },
      },
      resolve: { scale: { y: 'independent' } },
    },
    {},
  );
}
