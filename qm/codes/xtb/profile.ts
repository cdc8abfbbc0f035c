/**
 * How xtb is launched here: binary from $CASCADE_XTB or `xtb` on PATH, one thread. OMP_STACKSIZE sizes each
 * OpenMP worker's stack (xtb overflows the default on larger molecules); OMP_MAX_ACTIVE_LEVELS=1 stops nested
 * parallel regions from oversubscribing. The runner adds the thread counts. The version comes from
 * `xtb --version` ("xtb version 6.5.1 (unknown)").
 */
import type { Profile } from '../../template.js';

export { codeVersion as xtbVersion } from '../../profile.js';

export function xtbProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    binary: overrides.binary ?? (process.env.CASCADE_XTB || 'xtb'),
    threads: overrides.threads ?? 1,
    env: { OMP_STACKSIZE: '1G', OMP_MAX_ACTIVE_LEVELS: '1', ...overrides.env },
  };
}
