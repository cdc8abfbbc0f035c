/**
 * 3x3 matrices as row tuples, for changes of basis and metric tensors of crystal cells.
 */

export type Mat3 = [[number, number, number], [number, number, number], [number, number, number]];

/** A row or column index of a Mat3 or a Vec3 (indexing tuples with it needs no undefined checks). */
export type Axis = 0 | 1 | 2;
export const AXES: readonly Axis[] = [0, 1, 2];

export const IDENTITY: Mat3 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

export function multiply(a: Mat3, b: Mat3): Mat3 {
  return AXES.map((i) => AXES.map((j) => a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j])) as Mat3;
}

export function transpose(a: Mat3): Mat3 {
  return AXES.map((i) => AXES.map((j) => a[j][i])) as Mat3;
}

export function det3(m: Mat3): number {
  const [a, b, c] = m;
  return (
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0])
  );
}

/** The inverse through the adjugate: exact for an integer matrix of determinant ±1. */
export function inverse(m: Mat3): Mat3 {
  const d = det3(m);
  const cof = (i: Axis, j: Axis) => {
    const r = AXES.filter((x) => x !== i) as [Axis, Axis];
    const c = AXES.filter((x) => x !== j) as [Axis, Axis];
    const minor = m[r[0]][c[0]] * m[r[1]][c[1]] - m[r[0]][c[1]] * m[r[1]][c[0]];
    return (i + j) % 2 === 0 ? minor : -minor;
  };
  // (m⁻¹)ᵢⱼ = cofactor(j, i) / det; `|| 0` turns -0 into 0
  return AXES.map((i) => AXES.map((j) => cof(j, i) / d || 0)) as Mat3;
}

/** T G Tᵀ: the metric of the basis T L when G is the metric of L. */
export function transformMetric(t: Mat3, g: Mat3): Mat3 {
  return multiply(multiply(t, g), transpose(t));
}
