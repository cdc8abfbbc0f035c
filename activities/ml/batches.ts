/** Mini-batches for the hand-written training loops: copies rows `order[start..start+rows)` into reused buffers. */
export function fillBatch<Y extends Float32Array | Int32Array>(
  order: ArrayLike<number>,
  start: number,
  rows: number,
  x: Float32Array,
  nFeatures: number,
  y: ArrayLike<number>,
  xb: Float32Array,
  yb: Y,
): void {
  for (let r = 0; r < rows; r++) {
    const i = order[start + r] as number;
    xb.set(x.subarray(i * nFeatures, (i + 1) * nFeatures), r * nFeatures);
    yb[r] = y[i] as number;
  }
}
