/**
 * Thermal design power and physical core count of common server and desktop CPUs, matched by a regular
 * expression on /proc/cpuinfo's "model name" (e.g. "AMD EPYC 7763 64-Core Processor", "Intel(R) Xeon(R)
 * Platinum 8380 CPU @ 2.30GHz"). Figures are the vendors' spec sheets (AMD product pages, Intel ARK): the
 * default TDP (AMD) or processor base power (Intel), not a configurable range. The model divides TDP by cores
 * to get watts per core, as Green Algorithms does; a CPU not listed falls back to its 12 W/core.
 *
 * Patterns end at a word boundary so that a part does not match its suffixed sibling (6248 vs 6248R).
 * Virtual machines often hide the model ("AMD EPYC", "QEMU Virtual CPU"): nothing matches, which is right.
 */

export interface CpuSpec {
  /** The part, as the vendor names it. */
  name: string;
  tdpWatts: number;
  cores: number;
}

interface Entry extends CpuSpec {
  pattern: RegExp;
}

const cpu = (pattern: RegExp, name: string, tdpWatts: number, cores: number): Entry => ({
  pattern,
  name,
  tdpWatts,
  cores,
});

const TABLE: readonly Entry[] = [
  // AMD EPYC 7001 (Naples), 7002 (Rome), 7003 (Milan)
  cpu(/EPYC 7601\b/, 'AMD EPYC 7601', 180, 32),
  cpu(/EPYC 7302\b/, 'AMD EPYC 7302', 155, 16),
  cpu(/EPYC 7402\b/, 'AMD EPYC 7402', 180, 24),
  cpu(/EPYC 7452\b/, 'AMD EPYC 7452', 155, 32),
  cpu(/EPYC 7502\b/, 'AMD EPYC 7502', 180, 32),
  cpu(/EPYC 7702\b/, 'AMD EPYC 7702', 200, 64),
  cpu(/EPYC 7742\b/, 'AMD EPYC 7742', 225, 64),
  cpu(/EPYC 7313\b/, 'AMD EPYC 7313', 155, 16),
  cpu(/EPYC 7443\b/, 'AMD EPYC 7443', 200, 24),
  cpu(/EPYC 7543\b/, 'AMD EPYC 7543', 225, 32),
  cpu(/EPYC 7713\b/, 'AMD EPYC 7713', 225, 64),
  cpu(/EPYC 7763\b/, 'AMD EPYC 7763', 280, 64),
  // AMD EPYC 9004 (Genoa, Bergamo), 9005 (Turin)
  cpu(/EPYC 9354\b/, 'AMD EPYC 9354', 280, 32),
  cpu(/EPYC 9454\b/, 'AMD EPYC 9454', 290, 48),
  cpu(/EPYC 9554\b/, 'AMD EPYC 9554', 360, 64),
  cpu(/EPYC 9654\b/, 'AMD EPYC 9654', 360, 96),
  cpu(/EPYC 9754\b/, 'AMD EPYC 9754', 360, 128),
  cpu(/EPYC 9755\b/, 'AMD EPYC 9755', 500, 128),
  cpu(/EPYC 9965\b/, 'AMD EPYC 9965', 500, 192),
  // Intel Xeon E5 v4 (Broadwell)
  cpu(/E5-2680 v4\b/, 'Intel Xeon E5-2680 v4', 120, 14),
  cpu(/E5-2690 v4\b/, 'Intel Xeon E5-2690 v4', 135, 14),
  // Intel Xeon Scalable: Skylake, Cascade Lake, Ice Lake, Sapphire Rapids, Emerald Rapids
  cpu(/Gold 6130\b/, 'Intel Xeon Gold 6130', 125, 16),
  cpu(/Gold 6148\b/, 'Intel Xeon Gold 6148', 150, 20),
  cpu(/Platinum 8180\b/, 'Intel Xeon Platinum 8180', 205, 28),
  cpu(/Gold 6230\b/, 'Intel Xeon Gold 6230', 125, 20),
  cpu(/Gold 6248\b/, 'Intel Xeon Gold 6248', 150, 20),
  cpu(/Gold 6248R\b/, 'Intel Xeon Gold 6248R', 205, 24),
  cpu(/Platinum 8280\b/, 'Intel Xeon Platinum 8280', 205, 28),
  cpu(/Gold 6338\b/, 'Intel Xeon Gold 6338', 205, 32),
  cpu(/Platinum 8358\b/, 'Intel Xeon Platinum 8358', 250, 32),
  cpu(/Platinum 8380\b/, 'Intel Xeon Platinum 8380', 270, 40),
  cpu(/Gold 6448Y\b/, 'Intel Xeon Gold 6448Y', 225, 32),
  cpu(/Platinum 8468\b/, 'Intel Xeon Platinum 8468', 350, 48),
  cpu(/Platinum 8480\+/, 'Intel Xeon Platinum 8480+', 350, 56),
  cpu(/Platinum 8592\+/, 'Intel Xeon Platinum 8592+', 350, 64),
  // desktops and workstations
  cpu(/i7-12700K\b/, 'Intel Core i7-12700K', 125, 12),
  cpu(/i9-13900K\b/, 'Intel Core i9-13900K', 125, 24),
  cpu(/Ryzen 7 5800X\b/, 'AMD Ryzen 7 5800X', 105, 8),
  cpu(/Ryzen 9 5950X\b/, 'AMD Ryzen 9 5950X', 105, 16),
  cpu(/Ryzen 9 7950X\b/, 'AMD Ryzen 9 7950X', 170, 16),
];

/** The listed CPU whose pattern matches this "model name", or undefined when none does. */
export function cpuSpec(modelName: string): CpuSpec | undefined {
  const hit = TABLE.find((e) => e.pattern.test(modelName));
  return hit ? { name: hit.name, tdpWatts: hit.tdpWatts, cores: hit.cores } : undefined;
}

/** Every listed CPU (for tests and documentation). */
export const LISTED_CPUS: readonly CpuSpec[] = TABLE.map(({ name, tdpWatts, cores }) => ({
  name,
  tdpWatts,
  cores,
}));
