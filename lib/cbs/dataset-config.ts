/**
 * The YAML that describes a basis-set convergence data set (configs/cbs/dataset.yaml): which solids and which
 * molecules, which code and functional, the basis ladder whose errors are the learning targets, and the
 * reference basis that stands for "converged". `cascade cbs generate FILE` runs it.
 */
import { z } from 'zod';
import { parseFormula } from '../chem/composition.js';
import { loadYamlConfig, type YamlConfigResult } from '../config/yaml-config.js';

const binaryFormula = z.string().refine(
  (f) => {
    try {
      const c = parseFormula(f);
      return Object.keys(c).length === 2 && Object.values(c).every((n) => n === 1);
    } catch {
      return false;
    }
  },
  { message: 'expected a binary formula AB with one atom of each element, e.g. "MgO" or "GaAs"' },
);

export const PROTOTYPES = ['rockSalt', 'zincBlende', 'cesiumChloride'] as const;
export type Prototype = (typeof PROTOTYPES)[number];

const strictIncreasing = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > (xs[i - 1] as number));

export const SolidSet = z
  .strictObject({
    /** Only Elk (all-electron LAPW) for now: rgkmax is its basis-size parameter. */
    code: z.literal('elk').default('elk'),
    method: z.string().default('pbe'),
    /** Elk settings shared by every rung (k-mesh, smearing, gmaxvr ...); rgkmax is set per rung. */
    settings: z.record(z.string(), z.unknown()).default({}),
    /** rgkmax values whose basis-set errors are the targets, smallest first. */
    ladder: z.array(z.number().positive()).min(1).refine(strictIncreasing, 'ladder must increase'),
    /** The rgkmax that stands for the converged basis. */
    reference: z.number().positive(),
    /**
     * How lattice constants are chosen: `covalent` puts nearest neighbours at the sum of the two elements'
     * covalent radii (Pyykko). Basis-set errors, not equilibrium properties, are the point of the data set.
     */
    lattice: z.literal('covalent').default('covalent'),
    compounds: z
      .strictObject({
        rockSalt: z.array(binaryFormula).default([]),
        zincBlende: z.array(binaryFormula).default([]),
        cesiumChloride: z.array(binaryFormula).default([]),
      })
      .default({ rockSalt: [], zincBlende: [], cesiumChloride: [] }),
    /** A larger rgkmax for a few compounds only, to measure how far the reference itself is from converged. */
    check: z
      .strictObject({
        rgkmax: z.number().positive(),
        compounds: z.array(binaryFormula).min(1),
        /** Each check's time limit: large bases take longer than the ladder's. */
        timeoutSeconds: z.number().positive().default(900),
      })
      .optional(),
    /** Also compute every element of the compounds as an fcc solid (the stoichiometric baseline needs them). */
    elements: z.boolean().default(true),
    timeoutSeconds: z.number().positive().default(900),
  })
  .refine((s) => s.ladder.every((r) => r < s.reference), {
    message: 'every ladder rgkmax must be below the reference',
    path: ['reference'],
  })
  .refine((s) => !s.check || s.check.rgkmax > s.reference, {
    message: 'the check rgkmax must be above the reference',
    path: ['check', 'rgkmax'],
  })
  .refine(
    (s) => !s.check || s.check.compounds.every((c) => PROTOTYPES.some((p) => s.compounds[p].includes(c))),
    { message: 'every check compound must also be listed under compounds', path: ['check', 'compounds'] },
  );

export const MoleculeSet = z
  .strictObject({
    code: z.literal('nwchem').default('nwchem'),
    method: z.string().default('pbe'),
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Correlation-consistent bases whose errors are the targets, smallest first (cc-pVDZ, cc-pVTZ, ...). */
    ladder: z.array(z.string()).min(1),
    /** The basis that stands for converged. */
    reference: z.string(),
    /** A larger basis computed for a few molecules only, to measure how far the reference itself is from converged. */
    check: z.strictObject({ basis: z.string(), smiles: z.array(z.string()).min(1) }).optional(),
    /** Geometries: Open Babel 3D, then an xtb GFN2 optimisation (`xtb`) or not (`none`). */
    optimise: z.enum(['xtb', 'none']).default('xtb'),
    smiles: z.array(z.string().min(1)).min(1),
    timeoutSeconds: z.number().positive().default(1800),
  })
  .refine((m) => !m.ladder.includes(m.reference), {
    message: 'the reference basis must not also be on the ladder',
    path: ['reference'],
  });

export const CbsDatasetConfig = z
  .strictObject({
    version: z.literal(1),
    /** Where the JSONL files go, relative to the config file's directory's parent (the repository root). */
    output: z.string().default('data/cbs'),
    /** Calculations run at the same time (each single-threaded). */
    concurrency: z.number().int().positive().default(2),
    solids: SolidSet.optional(),
    molecules: MoleculeSet.optional(),
  })
  .refine((c) => c.solids || c.molecules, { message: 'give solids, molecules or both' });

export type CbsDatasetConfig = z.output<typeof CbsDatasetConfig>;
export type SolidSet = z.output<typeof SolidSet>;
export type MoleculeSet = z.output<typeof MoleculeSet>;

export function loadCbsDatasetConfig(text: string, file: string): YamlConfigResult<CbsDatasetConfig> {
  return loadYamlConfig(CbsDatasetConfig, text, file, {
    contents: 'data-set settings',
    emptyMessage: 'a data-set file needs at least "version: 1" and "solids" or "molecules"',
  });
}

/** The cardinal number X of a correlation-consistent basis (cc-pVDZ 2, cc-pVTZ 3, ..., cc-pV6Z 6), or undefined. */
export function cardinalNumber(basis: string): number | undefined {
  const m = /^(?:aug-)?cc-p(?:w?C)?V([DTQ56])Z/i.exec(basis.trim());
  if (!m) return undefined;
  return { D: 2, T: 3, Q: 4, '5': 5, '6': 6 }[(m[1] as string).toUpperCase()];
}
