/**
 * Defaults of the strategies' settings, one place for the campaign schema and the strategies themselves (a
 * campaign recorded before a setting existed reaches the strategy without it).
 */

/**
 * pi, ei, nei: no improvement margin. xi is in the objective's own units (eV, hartree, debye), so any other
 * default would ask for much in one campaign and nothing in another; EI already explores through the std.
 */
export const DEFAULT_XI = 0;

/** epsilon-greedy: one slot in ten explores, the common textbook choice. */
export const DEFAULT_EPSILON = 0.1;

/**
 * Batch diversity off: the batch is the plain top of the ranking, as before the setting existed (a resumed
 * campaign keeps choosing as it did, and crystal pools, which have no fingerprints, keep working). MolPAL's
 * clustering is opt-in too.
 */
export const DEFAULT_DIVERSITY = 0;
