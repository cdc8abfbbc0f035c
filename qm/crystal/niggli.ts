/**
 * Niggli reduction of a lattice, on its metric tensor: the Křivý–Gruber (1976) steps with the tolerance
 * comparisons of Grosse-Kunstleve, Sauter & Adams (2004). Every lattice has exactly one Niggli-reduced metric,
 * whatever basis it is given in, which is what makes a canonical cell possible (canonical-cell.ts).
 *
 * Works on the metric G = L Lᵀ (rows of L are the basis vectors), so the orientation of the input never matters,
 * and returns the integer change of basis with it. Every step is a change of basis of determinant +1, so a
 * right-handed basis stays right-handed.
 */

import { IDENTITY, type Mat3, multiply, transformMetric } from './matrix.js';

export interface NiggliReduction {
  /** Rows: the reduced basis vectors as integer combinations of the input's. */
  change: Mat3;
  /** The reduced metric. */
  metric: Mat3;
}

const MAX_STEPS = 10_000;

/** The proper sign changes diag(i, j, k), i·j·k = 1, that steps 3 and 4 choose from. */
const SIGN_CHANGES: Mat3[] = [
  [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  [
    [1, 0, 0],
    [0, -1, 0],
    [0, 0, -1],
  ],
  [
    [-1, 0, 0],
    [0, 1, 0],
    [0, 0, -1],
  ],
  [
    [-1, 0, 0],
    [0, -1, 0],
    [0, 0, 1],
  ],
];

/**
 * The Niggli-reduced metric of `metric` and the change of basis that gives it. `relTolerance` is relative to
 * the mean squared basis length: comparisons closer than that count as equal.
 */
export function niggliReduce(metric: Mat3, relTolerance = 1e-8): NiggliReduction {
  const eps = (relTolerance * (metric[0][0] + metric[1][1] + metric[2][2])) / 3;
  const lt = (x: number, y: number) => x < y - eps;
  const gt = (x: number, y: number) => y < x - eps;
  const eq = (x: number, y: number) => !lt(x, y) && !gt(x, y);
  const sign = (x: number) => (x > eps ? 1 : x < -eps ? -1 : 0);

  let change: Mat3 = IDENTITY;
  for (let step = 0; step < MAX_STEPS; step++) {
    const g = transformMetric(change, metric);
    const [A, B, C] = [g[0][0], g[1][1], g[2][2]];
    const [xi, eta, zeta] = [2 * g[1][2], 2 * g[0][2], 2 * g[0][1]];
    let t: Mat3 | undefined;
    if (gt(A, B) || (eq(A, B) && gt(Math.abs(xi), Math.abs(eta)))) {
      t = [
        [0, -1, 0],
        [-1, 0, 0],
        [0, 0, -1],
      ];
    } else if (gt(B, C) || (eq(B, C) && gt(Math.abs(eta), Math.abs(zeta)))) {
      t = [
        [-1, 0, 0],
        [0, 0, -1],
        [0, -1, 0],
      ];
    } else {
      // steps 3/4: all three angles acute (type I) or all non-acute (type II)
      const allAcute = sign(xi) * sign(eta) * sign(zeta) === 1;
      const ok = (x: number) => (allAcute ? x > eps : x <= eps);
      const flip = SIGN_CHANGES.find((s) => {
        const h = transformMetric(s, g);
        return ok(h[1][2]) && ok(h[0][2]) && ok(h[0][1]);
      });
      if (flip && flip !== SIGN_CHANGES[0]) t = flip;
      else if (gt(Math.abs(xi), B) || (eq(xi, B) && lt(2 * eta, zeta)) || (eq(xi, -B) && lt(zeta, 0))) {
        const s = xi > 0 ? 1 : -1;
        t = [
          [1, 0, 0],
          [0, 1, 0],
          [0, -s, 1],
        ];
      } else if (gt(Math.abs(eta), A) || (eq(eta, A) && lt(2 * xi, zeta)) || (eq(eta, -A) && lt(zeta, 0))) {
        const s = eta > 0 ? 1 : -1;
        t = [
          [1, 0, 0],
          [0, 1, 0],
          [-s, 0, 1],
        ];
      } else if (gt(Math.abs(zeta), A) || (eq(zeta, A) && lt(2 * xi, eta)) || (eq(zeta, -A) && lt(eta, 0))) {
        const s = zeta > 0 ? 1 : -1;
        t = [
          [1, 0, 0],
          [-s, 1, 0],
          [0, 0, 1],
        ];
      } else {
        const sum = xi + eta + zeta + A + B;
        if (lt(sum, 0) || (eq(sum, 0) && gt(2 * (A + eta) + zeta, 0))) {
          t = [
            [1, 0, 0],
            [0, 1, 0],
            [1, 1, 1],
          ];
        }
      }
    }
    if (!t) return { change, metric: g };
    change = multiply(t, change);
  }
  throw new Error(
    `Niggli reduction did not converge in ${MAX_STEPS} steps (metric ${JSON.stringify(metric)})`,
  );
}
