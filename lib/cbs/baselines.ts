/**
 * Analytic basis-set extrapolation baselines.
 *
 * Molecules (correlation-consistent basis sets, cardinal number X): two-point extrapolation with a fixed exponent,
 *   E_X = E_inf + A f(X),
 * solved exactly from two bases. Two forms:
 * - exponential square root, f(X) = exp(-alpha sqrt(X)), alpha = 4.42 for the cc-pV{D,T}Z pair and 5.46 for
 *   cc-pV{T,Q}Z: the SCF exponents of Neese & Valeev, J. Chem. Theory Comput. 7, 33 (2011), which ORCA uses;
 * - Halkier's exponential, f(X) = exp(-alpha X), alpha = 1.63: fitted to Hartree-Fock energies by Halkier,
 *   Helgaker, Jorgensen, Klopper & Olsen, Chem. Phys. Lett. 302, 437 (1999).
 * Both exponents were fitted to Hartree-Fock energies; DFT energies converge similarly with the basis (the
 * exchange-correlation energy of a fixed density converges like the SCF energy), which is why they are the usual
 * choice for DFT too.
 *
 * Solids: the basis-set error of a compound at a basis-size parameter is the stoichiometry-weighted mean of its
 * elements' errors at the same parameter (errors per atom).
 */

export type TwoPointForm = 'exp-sqrt' | 'halkier';

/** The literature exponent of a form for a pair of cardinal numbers. */
export function literatureAlpha(form: TwoPointForm, xLow: number): number {
  if (form === 'halkier') return 1.63;
  return xLow >= 3 ? 5.46 : 4.42;
}

function f(form: TwoPointForm, alpha: number, x: number): number {
  return form === 'halkier' ? Math.exp(-alpha * x) : Math.exp(-alpha * Math.sqrt(x));
}

export interface TwoPointFit {
  eInf: number;
  a: number;
  /** The fitted curve's energy at cardinal number x. */
  at: (x: number) => number;
}

/** The curve through (xLow, eLow) and (xHigh, eHigh) with the given form and exponent. */
export function twoPoint(
  form: TwoPointForm,
  alpha: number,
  low: { x: number; e: number },
  high: { x: number; e: number },
): TwoPointFit {
  if (!(high.x > low.x))
    throw new Error(`two-point extrapolation needs X_high > X_low, got ${low.x}, ${high.x}`);
  const fl = f(form, alpha, low.x);
  const fh = f(form, alpha, high.x);
  const a = (low.e - high.e) / (fl - fh);
  const eInf = high.e - a * fh;
  return { eInf, a, at: (x: number) => eInf + a * f(form, alpha, x) };
}

/**
 * Stoichiometric baseline: sum over elements of (atomic fraction x the element's per-atom error), or undefined
 * when an element's error at this basis is unknown.
 */
export function stoichiometricError(
  composition: Readonly<Record<string, number>>,
  elementError: (symbol: string) => number | undefined,
): number | undefined {
  const total = Object.values(composition).reduce((s, n) => s + n, 0);
  let sum = 0;
  for (const [symbol, n] of Object.entries(composition)) {
    const e = elementError(symbol);
    if (e === undefined) return undefined;
    sum += (n / total) * e;
  }
  return sum;
}
