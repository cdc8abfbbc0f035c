import { describe, expect, it } from 'vitest';
import { inCalculationSlot, setCalculationSlots } from '../../activities/campaign/slots.js';
import { batches, MAX_BATCH, MIN_BATCHES } from '../../lib/campaign/batches.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sizes = (n: number) => batches(range(n)).map((b) => b.length);

describe('batches', () => {
  it('keeps every candidate once, in order', () => {
    for (const n of [0, 1, 7, 9, 30, 199, 200, 201, 1000]) expect(batches(range(n)).flat()).toEqual(range(n));
  });

  it('gives a few candidates an activity each, as an expensive tier has', () => {
    expect(sizes(5)).toEqual([1, 1, 1, 1, 1]);
    expect(sizes(MIN_BATCHES)).toEqual(Array(MIN_BATCHES).fill(1));
  });

  it('spreads a tier over at least MIN_BATCHES batches of even size', () => {
    expect(sizes(24)).toEqual(Array(8).fill(3));
    expect(sizes(30).sort()).toEqual([3, 3, 4, 4, 4, 4, 4, 4]);
    expect(sizes(200)).toEqual(Array(8).fill(25));
  });

  it('never puts more than MAX_BATCH candidates in one batch', () => {
    expect(sizes(201)).toHaveLength(9);
    expect(Math.max(...sizes(201))).toBeLessThanOrEqual(MAX_BATCH);
    expect(sizes(1000)).toEqual(Array(40).fill(MAX_BATCH));
  });
});

describe('calculation slots', () => {
  /** Runs `jobs` jobs that each take a few ms, recording how many ran at once and the order they started in. */
  async function run(jobs: number) {
    let now = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      range(jobs).map((i) =>
        inCalculationSlot(async () => {
          order.push(i);
          most = Math.max(most, ++now);
          await new Promise((r) => setTimeout(r, 2 + (i % 3)));
          now--;
        }),
      ),
    );
    return { most, order };
  }

  it('runs as many at once as there are slots, first come first served', async () => {
    setCalculationSlots(2);
    expect(await run(9)).toEqual({ most: 2, order: range(9) });
    setCalculationSlots(3);
    expect((await run(9)).most).toBe(3);
  });

  it('frees the slot of work that failed', async () => {
    setCalculationSlots(1);
    await expect(inCalculationSlot(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await inCalculationSlot(async () => 42)).toBe(42);
  });

  it('takes a smaller number of slots once the work in flight is done', async () => {
    setCalculationSlots(4);
    const first = run(8);
    setCalculationSlots(1);
    await first;
    expect((await run(4)).most).toBe(1);
  });

  it('refuses a number of slots that is not a positive integer', () => {
    expect(() => setCalculationSlots(0)).toThrow(/positive integer/);
    expect(() => setCalculationSlots(1.5)).toThrow(/positive integer/);
  });
});
