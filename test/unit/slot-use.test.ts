import { describe, expect, it } from 'vitest';
import { slotUse } from '../../bench/slot-use.js';

describe('slot use of a tier', () => {
  it('finds no idle time when every slot is handed over at once', () => {
    const u = slotUse(
      [
        { start: 0, end: 2 },
        { start: 0, end: 3 },
        { start: 2, end: 5 },
        { start: 3, end: 5 },
      ],
      2,
    );
    expect(u).toMatchObject({ spanSeconds: 5, busySlotSeconds: 10, idleSlotSeconds: 0, middleGaps: 0 });
  });

  it('splits idle slot time into head, handoff gaps and tail', () => {
    const u = slotUse(
      [
        { start: 0, end: 4 }, // slot 1
        { start: 1, end: 2 }, // slot 2 starts late: 1 s at the head
        { start: 2.5, end: 6 }, // 0.5 s handoff gap on slot 2
        { start: 4, end: 5 }, // slot 1, the last start; slot 1 then idles 1 s at the tail
      ],
      2,
    );
    expect(u.headIdle).toBeCloseTo(1, 12);
    expect(u.middleIdle).toBeCloseTo(0.5, 12);
    expect(u.middleGaps).toBe(1);
    expect(u.longestMiddleGap).toBeCloseTo(0.5, 12);
    expect(u.tailIdle).toBeCloseTo(1, 12);
    expect(u.idleSlotSeconds).toBeCloseTo(u.headIdle + u.middleIdle + u.tailIdle, 12);
  });
});
