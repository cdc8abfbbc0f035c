/**
 * The objective: which property a campaign optimises and in which direction. The one module that knows what
 * "better" means: everything else asks it. Inside, every value is turned into a score that is maximised
 * (the direction's sign applied once, as MolPAL's objectives do), so callers never compare by hand.
 */

export type Direction = 'maximize' | 'minimize';

export interface ObjectiveSpec {
  /** A property a tier reports (homoLumoGap, totalEnergy, dipoleMoment, ...). */
  property: string;
  direction: Direction;
}

/** Values per property, as results carry them. */
export type PropertyValues = Readonly<Record<string, number | undefined>>;

/** +1 when larger is better, -1 when smaller is. */
export function sign(o: Pick<ObjectiveSpec, 'direction'>): 1 | -1 {
  return o.direction === 'maximize' ? 1 : -1;
}

/** The value as a score where larger is always better; non-finite values score -Infinity. */
export function score(o: Pick<ObjectiveSpec, 'direction'>, value: number): number {
  const s = sign(o) * value;
  return Number.isFinite(s) ? s : Number.NEGATIVE_INFINITY;
}

/** Whether `a` is strictly better than `b`. */
export function isBetter(o: Pick<ObjectiveSpec, 'direction'>, a: number, b: number): boolean {
  return score(o, a) > score(o, b);
}

/** A comparator for Array.sort: better first. */
export function bestFirst(o: Pick<ObjectiveSpec, 'direction'>): (a: number, b: number) => number {
  return (a, b) => score(o, b) - score(o, a);
}

/** How much better `to` is than `from` (negative when worse). */
export function gain(o: Pick<ObjectiveSpec, 'direction'>, from: number, to: number): number {
  return sign(o) * (to - from);
}

/** Whether `value` is at least as good as `bound` (a target, a promotion threshold). */
export function reaches(o: Pick<ObjectiveSpec, 'direction'>, value: number, bound: number): boolean {
  return score(o, value) >= score(o, bound);
}

/**
 * The objective's value in a result. Results carry a value per property (`values`); summaries recorded before
 * that carried the objective's value alone (`value`), which workflow replays still read.
 */
// biome-ignore lint/suspicious/noShadowRestrictedNames: the objective's value in a result, not Object's valueOf
export function valueOf(
  o: Pick<ObjectiveSpec, 'property'>,
  r: { values?: PropertyValues; value?: number },
): number | undefined {
  const v = r.values ? r.values[o.property] : r.value;
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

/** The best of `items` by the objective (first wins ties), or undefined when none has a value. */
export function pickBest<T>(
  o: Pick<ObjectiveSpec, 'direction'>,
  items: readonly T[],
  value: (item: T) => number | undefined,
): T | undefined {
  let best: T | undefined;
  let bestValue = 0;
  for (const item of items) {
    const v = value(item);
    if (v === undefined) continue;
    if (best === undefined || isBetter(o, v, bestValue)) {
      best = item;
      bestValue = v;
    }
  }
  return best;
}

/** `items` ranked best first (a stable sort: ties keep their order); items without a value are dropped. */
export function rank<T>(
  o: Pick<ObjectiveSpec, 'direction'>,
  items: readonly T[],
  value: (item: T) => number | undefined,
): T[] {
  return items
    .map((item) => ({ item, v: value(item) }))
    .filter((x): x is { item: T; v: number } => x.v !== undefined)
    .sort((a, b) => score(o, b.v) - score(o, a.v))
    .map((x) => x.item);
}

/** SQL's ORDER BY direction that puts the best first (for the store's own queries). */
export function sqlOrder(o: Pick<ObjectiveSpec, 'direction'>): 'DESC' | 'ASC' {
  return sign(o) > 0 ? 'DESC' : 'ASC';
}
