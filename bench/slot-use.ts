/**
 * Where calculation slots stood idle during a tier, from the calculations' start and end times: before every
 * slot had its first calculation (head), between one calculation's end and the next start while others still
 * waited (handoffs, in the middle), and after the last start (tail). Used by the qm-throughput bench to say
 * whether a gap to the peer is overhead per calculation or idle slots, and where.
 */

export interface Interval {
  /** Seconds, any common origin. */
  start: number;
  end: number;
}

export interface SlotUse {
  spanSeconds: number;
  busySlotSeconds: number;
  idleSlotSeconds: number;
  headIdle: number;
  middleIdle: number;
  tailIdle: number;
  /** Idle stretches in the middle (a slot free while calculations were still to start). */
  middleGaps: number;
  longestMiddleGap: number;
}

export function slotUse(intervals: readonly Interval[], slots: number): SlotUse {
  const empty = { spanSeconds: 0, busySlotSeconds: 0, idleSlotSeconds: 0, headIdle: 0, middleIdle: 0 };
  if (intervals.length === 0) return { ...empty, tailIdle: 0, middleGaps: 0, longestMiddleGap: 0 };
  // ends before starts at the same instant: a slot handed over without a gap is not idle
  const events = intervals
    .flatMap((iv) => [
      { t: iv.start, d: 1 },
      { t: iv.end, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  const first = events[0]?.t as number;
  const last = events[events.length - 1]?.t as number;
  const lastStart = Math.max(...intervals.map((iv) => iv.start));
  let running = 0;
  let full = false;
  let headIdle = 0;
  let middleIdle = 0;
  let tailIdle = 0;
  let middleGaps = 0;
  let longestMiddleGap = 0;
  let gapOpen = false;
  let gapLength = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as { t: number; d: number };
    running += e.d;
    if (running >= slots) full = true;
    const next = events[i + 1]?.t ?? e.t;
    const idle = Math.max(0, slots - running) * (next - e.t);
    if (!full) headIdle += idle;
    else if (e.t >= lastStart) tailIdle += idle;
    else {
      middleIdle += idle;
      if (idle > 0) {
        if (!gapOpen) middleGaps++;
        gapOpen = true;
        gapLength += next - e.t;
        longestMiddleGap = Math.max(longestMiddleGap, gapLength);
      } else if (next > e.t) {
        gapOpen = false;
        gapLength = 0;
      }
    }
  }
  const busy = intervals.reduce((s, iv) => s + (iv.end - iv.start), 0);
  const span = last - first;
  return {
    spanSeconds: span,
    busySlotSeconds: busy,
    idleSlotSeconds: slots * span - busy,
    headIdle,
    middleIdle,
    tailIdle,
    middleGaps,
    longestMiddleGap,
  };
}
