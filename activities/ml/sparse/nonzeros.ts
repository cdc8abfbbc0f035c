/**
 * Which input columns the sparse path gathers as they are, and the scan of a dense row-major block into
 * per-row lists of nonzeros (compressed sparse rows) that the first-layer kernel reads.
 */

/** Columns [start, end) whose values go to the first layer unscaled. */
export interface ColumnRun {
  start: number;
  end: number;
}

/**
 * The ensemble standardises inputs as (x - mean) / std, and leaves binary columns (fingerprint bits) with mean
 * 0 and std 1: those are the sparse block, gathered raw and skipped where zero. Every other column (descriptors)
 * is the dense block, standardised and always included. Exact for any values, so the split only sets the speed.
 */
export function splitColumns(
  xMean: Float32Array,
  xStd: Float32Array,
): { sparse: ColumnRun[]; dense: number[] } {
  const sparse: ColumnRun[] = [];
  const dense: number[] = [];
  for (let j = 0; j < xMean.length; j++) {
    if (xMean[j] === 0 && xStd[j] === 1) {
      const last = sparse.at(-1);
      if (last && last.end === j) last.end = j + 1;
      else sparse.push({ start: j, end: j + 1 });
    } else {
      dense.push(j);
    }
  }
  return { sparse, dense };
}

export interface SparseRows {
  /** offsets[r]..offsets[r + 1] index row r's entries; length rows + 1. */
  offsets: Int32Array;
  /** Column of each entry. */
  columns: Int32Array;
  /** Value of each entry (standardised for dense-block columns). */
  values: Float32Array;
  count: number;
}

/** Reusable growing buffers, so a screen of many chunks does not allocate per chunk. */
export class SparseRowsBuilder {
  private columns = new Int32Array(1 << 16);
  private values = new Float32Array(1 << 16);
  private count = 0;

  constructor(
    private readonly sparse: ColumnRun[],
    private readonly dense: number[],
    private readonly xMean: Float32Array,
    private readonly xStd: Float32Array,
  ) {}

  /** Scans `rows` rows of `block` (row-major, d columns). */
  build(block: Float32Array, rows: number, d: number): SparseRows {
    // Zero tests on the bit patterns: four columns per test while a run is all zeros (most of a fingerprint).
    const bits = new Int32Array(block.buffer, block.byteOffset, rows * d);
    const offsets = new Int32Array(rows + 1);
    this.count = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * d;
      this.reserve(d);
      for (const run of this.sparse) {
        let j = run.start;
        for (; j + 4 <= run.end; j += 4) {
          const at = base + j;
          if (
            ((bits[at] as number) |
              (bits[at + 1] as number) |
              (bits[at + 2] as number) |
              (bits[at + 3] as number)) ===
            0
          )
            continue;
          for (let q = j; q < j + 4; q++) this.pushIfNonzero(q, block[base + q] as number);
        }
        for (; j < run.end; j++) this.pushIfNonzero(j, block[base + j] as number);
      }
      for (const j of this.dense) {
        const v = ((block[base + j] as number) - (this.xMean[j] as number)) / (this.xStd[j] as number);
        this.pushIfNonzero(j, v);
      }
      offsets[r + 1] = this.count;
    }
    return { offsets, columns: this.columns, values: this.values, count: this.count };
  }

  private pushIfNonzero(column: number, value: number): void {
    if (value === 0) return; // -0 too: it adds nothing
    this.columns[this.count] = column;
    this.values[this.count] = value;
    this.count++;
  }

  private reserve(more: number): void {
    if (this.count + more <= this.columns.length) return;
    const size = Math.max(this.columns.length * 2, this.count + more);
    const columns = new Int32Array(size);
    columns.set(this.columns.subarray(0, this.count));
    const values = new Float32Array(size);
    values.set(this.values.subarray(0, this.count));
    this.columns = columns;
    this.values = values;
  }
}
