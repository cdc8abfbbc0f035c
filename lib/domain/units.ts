/** Physical constants and unit conversions (CODATA 2018): the one place they are defined. */

/** Hartree in electronvolts. */
export const EV_PER_HARTREE = 27.211386245988;
/** Hartree in millielectronvolts. */
export const MEV_PER_HARTREE = EV_PER_HARTREE * 1000;
/** Bohr radius in angstrom. */
export const ANGSTROM_PER_BOHR = 0.529177210903;
/** Atomic unit of dipole moment (e·bohr) in debye. */
export const DEBYE_PER_AU = 2.541746473;
/** One kilowatt-hour in joules. */
export const JOULES_PER_KWH = 3.6e6;
/** Unified atomic mass unit (dalton) in grams. */
export const GRAMS_PER_DALTON = 1.6605390666e-24;
