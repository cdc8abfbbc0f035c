/**
 * Space-group operations written as coordinate triplets ("-x+1/2, y, -z", "x-y,x,z+1/2"), as CIFs list them,
 * and the orbit of a site under them.
 */
import type { Vec3 } from '../template.js';
import { AXES, type Axis } from './matrix.js';

/** x' = rotation x + translation, in fractional coordinates; rotation rows are the three output components. */
export interface SymmetryOperation {
  rotation: [Vec3, Vec3, Vec3];
  translation: Vec3;
}

const AXIS: Record<string, Axis> = { x: 0, y: 1, z: 2 };

/**
 * Parses one triplet. Terms may carry a sign, an integer or decimal or fractional coefficient ("2x" is rare but
 * legal) and a constant ("1/2", "0.25"). Returns an error text instead of throwing, for the caller to place.
 */
export function parseSymop(text: string): SymmetryOperation | string {
  const parts = text.toLowerCase().replace(/\s+/g, '').split(',');
  if (parts.length !== 3) return `"${text}" is not three comma-separated components`;
  const rotation: [Vec3, Vec3, Vec3] = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const translation: Vec3 = [0, 0, 0];
  for (const row of AXES) {
    const part = parts[row] as string;
    if (part === '') return `"${text}": component ${row + 1} is empty`;
    // each term: sign, optional number (a/b, decimal), optional '*', optional axis letter
    const term = /([+-]?)(\d+(?:\.\d*)?(?:\/\d+(?:\.\d*)?)?|\.\d+)?\*?([xyz])?/y;
    let k = 0;
    while (k < part.length) {
      term.lastIndex = k;
      const m = term.exec(part);
      if (!m || m[0] === '' || (m[2] === undefined && m[3] === undefined))
        return `"${text}": cannot read "${part.slice(k)}" in component ${row + 1}`;
      const sign = m[1] === '-' ? -1 : 1;
      const value = m[2] === undefined ? 1 : fraction(m[2]);
      if (m[3] === undefined) translation[row] += sign * value;
      else rotation[row][AXIS[m[3]] as Axis] += sign * value;
      k = term.lastIndex;
    }
  }
  const det = determinant3(rotation);
  if (Math.abs(Math.abs(det) - 1) > 1e-9) return `"${text}" is not a symmetry operation (determinant ${det})`;
  return { rotation, translation };
}

function fraction(s: string): number {
  const [num, den] = s.split('/');
  return den === undefined ? Number(num) : Number(num) / Number(den);
}

function determinant3([a, b, c]: [Vec3, Vec3, Vec3]): number {
  return (
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0])
  );
}

/** A fractional coordinate in [0, 1) (so that -1e-17 becomes 0, not 1). */
export function wrapUnit(x: number): number {
  const w = x - Math.floor(x);
  return w >= 1 ? 0 : w;
}

export function applyOperation(op: SymmetryOperation, f: Vec3): Vec3 {
  return AXES.map((i) => {
    const r = op.rotation[i];
    return wrapUnit(r[0] * f[0] + r[1] * f[1] + r[2] * f[2] + op.translation[i]);
  }) as Vec3;
}

/** Largest difference of two fractional positions, per component, across the cell boundary. */
export function fractionalSeparation(a: Vec3, b: Vec3): number {
  let worst = 0;
  for (const k of AXES) {
    const d = Math.abs(a[k] - b[k]);
    worst = Math.max(worst, Math.min(d, 1 - d));
  }
  return worst;
}

/**
 * The distinct images of a site under the operations, in the order the operations first produce them, each
 * wrapped into [0, 1). Images closer than `tolerance` (fractional, per component: a site on a special position)
 * are one.
 */
export function orbit(site: Vec3, ops: readonly SymmetryOperation[], tolerance: number): Vec3[] {
  const out: Vec3[] = [];
  for (const op of ops) {
    const p = applyOperation(op, site);
    if (!out.some((q) => fractionalSeparation(p, q) < tolerance)) out.push(p);
  }
  return out;
}
