/**
 * Restart handlers for Elk, run by `runWithHandlers` (activities/qm/handlers.ts), highest priority first:
 * more SCF loops, then gentler mixing, then more smearing (which changes the answer slightly).
 */
import type { RestartHandler } from '../../template.js';
import { withSettings } from '../settings.js';
import { ELK_BUILTIN } from './settings.js';

/** Most SCF loops the handlers will ask for. */
export const ELK_MAX_SCL = 1000;
/** Smallest Broyden alpha and beta0 the mixing handler goes down to. */
export const ELK_MIN_BROYDEN_ALPHA = 0.05;
export const ELK_MIN_BETA0 = 0.005;

/** More SCF loops: at least Elk's default 200, else twice the last limit, up to ELK_MAX_SCL. */
export const elkMoreScfLoops: RestartHandler = {
  name: 'elk-more-scf-loops',
  handles: ['scf-not-converged'],
  priority: 30,
  maxRestarts: 2,
  apply(spec) {
    const current = typeof spec.settings.maxscl === 'number' ? spec.settings.maxscl : ELK_BUILTIN.maxscl;
    if (current >= ELK_MAX_SCL) return undefined;
    return withSettings(spec, { maxscl: Math.min(ELK_MAX_SCL, Math.max(ELK_BUILTIN.maxscl, 2 * current)) });
  },
};

/**
 * Gentler mixing: halves the Broyden alpha (Elk's default scheme) or, under adaptive/linear mixing,
 * beta0 (keeping betamax >= beta0), down to ELK_MIN_BROYDEN_ALPHA / ELK_MIN_BETA0.
 */
export const elkGentlerMixing: RestartHandler = {
  name: 'elk-gentler-mixing',
  handles: ['scf-not-converged'],
  priority: 20,
  maxRestarts: 3,
  apply(spec) {
    const mixing = typeof spec.settings.mixing === 'string' ? spec.settings.mixing : 'broyden';
    if (mixing === 'broyden') {
      const alpha =
        typeof spec.settings.broydenAlpha === 'number'
          ? spec.settings.broydenAlpha
          : ELK_BUILTIN.broydenAlpha;
      if (alpha <= ELK_MIN_BROYDEN_ALPHA) return undefined;
      return withSettings(spec, { broydenAlpha: Math.max(ELK_MIN_BROYDEN_ALPHA, alpha / 2) });
    }
    const beta0 = typeof spec.settings.beta0 === 'number' ? spec.settings.beta0 : ELK_BUILTIN.beta0;
    if (beta0 <= ELK_MIN_BETA0) return undefined;
    return withSettings(spec, { beta0: Math.max(ELK_MIN_BETA0, beta0 / 2) });
  },
};

/** Smearing widths (hartree) the smearing handler steps through after Elk's default 0.001. */
export const ELK_SMEARING_LADDER = [0.003, 0.01];

/** More smearing: the next width on ELK_SMEARING_LADDER. Changes the answer slightly, so it is tried last. */
export const elkMoreSmearing: RestartHandler = {
  name: 'elk-more-smearing',
  handles: ['scf-not-converged'],
  priority: 10,
  maxRestarts: 2,
  apply(spec) {
    const width =
      typeof spec.settings.smearingWidth === 'number'
        ? spec.settings.smearingWidth
        : ELK_BUILTIN.smearingWidth;
    const next = ELK_SMEARING_LADDER.find((w) => w > width + 1e-12);
    return next === undefined ? undefined : withSettings(spec, { smearingWidth: next });
  },
};

export const elkHandlers: RestartHandler[] = [elkMoreScfLoops, elkGentlerMixing, elkMoreSmearing];
