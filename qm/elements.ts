/**
 * The periodic table as far as symbols go: element symbols, their usual capitalisation and atomic numbers.
 */

/** Element symbols in order of atomic number, H (1) to Og (118). */
const ELEMENTS = (
  'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
  'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu ' +
  'Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr ' +
  'Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og'
).split(' ');

/** A symbol in the usual capitalisation of element symbols ('mg' -> 'Mg'), element or not. */
export function normaliseSymbol(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

/** The element symbol in its usual capitalisation ('mg' -> 'Mg'), or undefined when it is not an element. */
export function elementSymbol(symbol: string): string | undefined {
  const s = normaliseSymbol(symbol);
  return ELEMENTS.includes(s) ? s : undefined;
}

/** Atomic number of an element symbol (any capitalisation), or undefined when it is not an element. */
export function elementNumber(symbol: string): number | undefined {
  const i = ELEMENTS.indexOf(normaliseSymbol(symbol));
  return i < 0 ? undefined : i + 1;
}
