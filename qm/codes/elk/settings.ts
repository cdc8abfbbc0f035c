/**
 * Elk's settings (`cascade qm run --set`, the CBS data set's calculation sets): the schema, and the spec's
 * settings read through it. rgkmax and kpoints are always written (cascade's defaults below); the others only
 * when given, so Elk's own defaults apply otherwise.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../template.js';
import { flag, oneOf, positiveInt, positiveNumber, readSettings, triple } from '../settings.js';

/** An InvalidInputError whose message starts "elk: ". */
export const elkError = (msg: string) => new InvalidInputError(`elk: ${msg}`);

/** spec.method -> Elk's xctype. */
export const ELK_XCTYPES: Record<string, number> = {
  /** LDA, Perdew-Wang 1992 parametrisation of Ceperley-Alder (Elk's default functional). */
  lda: 3,
  /** GGA, Perdew-Burke-Ernzerhof 1996. */
  pbe: 20,
  /** GGA, PBEsol 2008. */
  pbesol: 22,
};

/** Smearing function -> Elk's stype. */
export const ELK_SMEARING: Record<string, number> = {
  gaussian: 0,
  'methfessel-paxton': 1,
  'methfessel-paxton-2': 2,
  'fermi-dirac': 3,
};

/** Mixing scheme -> Elk's mixtype. */
export const ELK_MIXING: Record<string, number> = { linear: 0, adaptive: 1, broyden: 3 };

/** Elk 8.4.30's own defaults for settings cascade leaves out; the restart handlers start from them. */
export const ELK_BUILTIN = {
  maxscl: 200,
  smearingWidth: 0.001,
  beta0: 0.05,
  betamax: 0.5,
  broydenAlpha: 0.4,
  broydenW0: 0.15,
};

const keys = (table: Record<string, number>) => Object.keys(table) as [string, ...string[]];

export const ElkSettings = z
  .strictObject({
    rgkmax: positiveNumber(20)
      .optional()
      .describe('R_MT(min) x max|G+k|, the basis-size parameter (default 7)'),
    kpoints: triple((error) => z.int({ error }).min(1, { error }), 'three positive integers')
      .optional()
      .describe('k-point mesh (ngridk), default [4, 4, 4]'),
    kpointOffset: triple(
      (error) => z.number({ error }).min(0, { error }).lt(1, { error }),
      'three numbers in [0, 1)',
    )
      .optional()
      .describe('k-mesh offset (vkloff), components in [0, 1)'),
    smearing: oneOf(keys(ELK_SMEARING))
      .optional()
      .describe("Smearing function (stype); Elk's default is Fermi-Dirac"),
    smearingWidth: positiveNumber(1)
      .optional()
      .describe("Smearing width (swidth), hartree; Elk's default 0.001"),
    maxscl: positiveInt().optional().describe("Maximum SCF loops (maxscl); Elk's default 200"),
    epsengy: positiveNumber()
      .optional()
      .describe("Total-energy convergence (epsengy), hartree; Elk's default 1e-4"),
    epspot: positiveNumber().optional().describe("Potential convergence (epspot); Elk's default 1e-6"),
    mixing: oneOf(keys(ELK_MIXING))
      .optional()
      .describe('Mixing scheme (mixtype); Elk 8.4.30 uses Broyden unless told otherwise'),
    beta0: positiveNumber(1)
      .optional()
      .describe("Initial adaptive/linear mixing parameter; needs mixing 'adaptive' or 'linear'"),
    betamax: positiveNumber(1)
      .optional()
      .describe("Maximum adaptive mixing parameter; needs mixing 'adaptive'"),
    broydenAlpha: positiveNumber(1)
      .optional()
      .describe(
        "Broyden mixing parameter alpha (broydpm(1), w0 stays 0.15); needs mixing 'broyden' (the default)",
      ),
    nempty: positiveNumber().optional().describe("Empty states per atom (nempty); Elk's default 4"),
    /* Must exceed 2 x rgkmax / R_MT(min), so a basis-set ladder to large rgkmax needs a larger value. */
    gmaxvr: positiveNumber(60)
      .optional()
      .describe("Largest |G| of the interstitial density and potential (gmaxvr), bohr^-1; Elk's default 12"),
    /* Converged SrSe at rgkmax 6 in 20 loops where the species files' energies met ghost states and ran out of
     * time; it changes total energies (SrSe at rgkmax 7 by 3.9 mHa/cell), so a basis-set ladder must use it at
     * every rung or none. */
    autoLinearisationEnergies: flag()
      .optional()
      .describe('Elk finds the linearisation energies itself (autolinengy)'),
  })
  .describe('Elk settings: rgkmax, kpoints, smearing, mixing, maxscl, gmaxvr, ...');
export type ElkSettings = z.output<typeof ElkSettings>;

/** The settings, checked; throws InvalidInputError for unknown keys or values Elk would reject or ignore. */
export function elkSettings(raw: Record<string, unknown>): ElkSettings {
  const s = readSettings('elk', ElkSettings, raw, {
    unknownKeys: (unknown, known) =>
      `elk: unknown setting(s) ${unknown.join(', ')} (known: ${known.join(', ')})`,
  });
  const mixing = s.mixing ?? 'broyden';
  if (s.beta0 !== undefined && mixing === 'broyden') {
    throw elkError(
      "setting beta0 has no effect with Broyden mixing (Elk 8.4.30's default); set mixing to 'adaptive' or 'linear'",
    );
  }
  if (s.betamax !== undefined && mixing !== 'adaptive')
    throw elkError("setting betamax needs mixing 'adaptive'");
  if (s.broydenAlpha !== undefined && mixing !== 'broyden')
    throw elkError("setting broydenAlpha needs mixing 'broyden'");
  if (mixing === 'adaptive' && (s.beta0 ?? ELK_BUILTIN.beta0) > (s.betamax ?? ELK_BUILTIN.betamax)) {
    throw elkError('setting beta0 must not exceed betamax');
  }
  return s;
}
