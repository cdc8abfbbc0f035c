/**
 * The k best of a score array without sorting it: a bounded heap, O(n log k) and k slots of memory, where a full
 * sort of a million-candidate pool took seconds and a million objects. The order is the one acquisition has
 * always used: larger first, ties to the lower index, NaN after every number (-Infinity included). Pure.
 */

/** Whether pool index `a` ranks before `b` (larger value, then lower index; NaN last). */
export function ranksBefore(values: ArrayLike<number>, a: number, b: number): boolean {
  const x = values[a] as number;
  const y = values[b] as number;
  if (x > y) return true;
  if (x < y) return false;
  // equal, or at least one is NaN (every comparison with NaN is false)
  const xNaN = Number.isNaN(x);
  const yNaN = Number.isNaN(y);
  if (xNaN !== yNaN) return yNaN;
  return a < b;
}

/**
 * The indices of the `k` best values, best first, among those `include` accepts (all by default): exactly the
 * first k of a full sort in the order above.
 */
export function topK(values: ArrayLike<number>, k: number, include?: (i: number) => boolean): number[] {
  const n = values.length;
  if (k <= 0 || n === 0) return [];
  // a heap whose root is the worst of the best seen so far: a newcomer only has to beat the root
  const heap = new Int32Array(Math.min(k, n));
  let size = 0;
  const worse = (a: number, b: number) => ranksBefore(values, b, a);
  const siftDown = (at: number) => {
    let p = at;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= size) return;
      const r = l + 1;
      let w = l;
      if (r < size && worse(heap[r] as number, heap[l] as number)) w = r;
      if (!worse(heap[w] as number, heap[p] as number)) return;
      const t = heap[p] as number;
      heap[p] = heap[w] as number;
      heap[w] = t;
      p = w;
    }
  };
  for (let i = 0; i < n; i++) {
    if (include && !include(i)) continue;
    if (size < heap.length) {
      // sift up
      let c = size++;
      heap[c] = i;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c] as number, heap[p] as number)) break;
        const t = heap[p] as number;
        heap[p] = heap[c] as number;
        heap[c] = t;
        c = p;
      }
    } else if (ranksBefore(values, i, heap[0] as number)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => (ranksBefore(values, a, b) ? -1 : 1));
}
