/**
 * The Pareto front of a campaign with several objectives: every top-tier result in the plane of the first two
 * objectives, those no other result dominates (in every objective) marked and joined. Pure.
 */
import type { ObjectiveSpec } from '../domain/objective.js';
import { paretoFront, toScores } from '../domain/pareto.js';
import { chart, type VegaLiteSpec } from './spec.js';

export interface ParetoInput {
  objectives: readonly Pick<ObjectiveSpec, 'property' | 'direction'>[];
  /** One row per result: the objectives' values in the order of `objectives`. */
  rows: ReadonlyArray<{ label: string; values: readonly number[] }>;
  /** Axis titles, with units, in the order of `objectives`. */
  titles: readonly string[];
}

/** Which rows are on the front, by every objective (not only the two drawn). */
export function onFront(input: ParetoInput): boolean[] {
  const complete = input.rows.map((r) => r.values.every(Number.isFinite));
  const kept = input.rows.filter((_, i) => complete[i]);
  const front = new Set(
    paretoFront(
      toScores(
        input.objectives,
        kept.map((r) => r.values),
      ),
    ),
  );
  const flags: boolean[] = [];
  let k = 0;
  for (const ok of complete) flags.push(ok ? front.has(k++) : false);
  return flags;
}

/** Undefined with fewer than two objectives or no complete result: there is no front to draw. */
export function paretoSpec(input: ParetoInput): VegaLiteSpec | undefined {
  if (input.objectives.length < 2) return undefined;
  const flags = onFront(input);
  const values = input.rows.flatMap((r, i) =>
    r.values.every(Number.isFinite)
      ? [{ label: r.label, x: r.values[0], y: r.values[1], front: flags[i] ? 'on the front' : 'dominated' }]
      : [],
  );
  if (values.length === 0) return undefined;
  const x = { field: 'x', type: 'quantitative', title: input.titles[0], scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative', title: input.titles[1], scale: { zero: false } };
  return chart({
    data: { values },
    layer: [
      {
        transform: [{ filter: { field: 'front', equal: 'on the front' } }],
        mark: { type: 'line', color: '#d9480f', interpolate: 'linear' },
        encoding: { x: { ...x, sort: null }, y, order: { field: 'x', type: 'quantitative' } },
      },
      {
        mark: { type: 'point', filled: true, size: 40 },
        encoding: {
          x,
          y,
          color: {
            field: 'front',
            type: 'nominal',
            title: null,
            scale: { domain: ['on the front', 'dominated'], range: ['#d9480f', '#adb5bd'] },
          },
          tooltip: [
            { field: 'label' },
            { field: 'x', title: input.titles[0] },
            { field: 'y', title: input.titles[1] },
          ],
        },
      },
    ],
  });
}
