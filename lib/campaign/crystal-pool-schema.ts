/**
 * The `crystals:` section of a campaign file: a pool of crystals read from structure files (CIF, POSCAR,
 * extended XYZ, cascade's structure JSON) and/or generated from prototypes and element lists, with filters.
 * Part of the campaign schema (lib/campaign/schema.ts), kept apart because it shares nothing with molecules.
 */
import { z } from 'zod';

const element = z.string().regex(/^[A-Z][a-z]?$/, 'expected an element symbol such as Mg, O or Ti');

/** The prototypes a pool can be generated from (qm/crystal/prototypes.ts builds them). */
export const CRYSTAL_PROTOTYPES = [
  'rockSalt',
  'zincBlende',
  'wurtzite',
  'cesiumChloride',
  'fluorite',
  'perovskite',
] as const;

export const CrystalGenerate = z
  .strictObject({
    prototypes: z
      .array(z.enum(CRYSTAL_PROTOTYPES))
      .min(1)
      .describe(
        'rockSalt, zincBlende, wurtzite, cesiumChloride (AB), fluorite (AB2), perovskite (cubic ABX3)',
      ),
    A: z.array(element).min(1).describe('Elements of the A site (the cation of AB and AB2)'),
    B: z.array(element).min(1).describe('Elements of the B site (the anion of AB and AB2)'),
    X: z.array(element).min(1).optional().describe("Elements of a perovskite's X site (the anion)"),
  })
  .superRefine((g, ctx) => {
    if (g.prototypes.includes('perovskite') && !g.X) {
      ctx.addIssue({
        code: 'custom',
        path: ['X'],
        message: 'prototype perovskite (ABX3) needs X, the anion site, e.g. X: [O]',
      });
    }
  });

export const CrystalFilters = z.strictObject({
  elements: z.array(element).min(1).optional().describe('Allowed elements; crystals with others are dropped'),
  maxAtoms: z
    .int()
    .positive()
    .default(20)
    .describe('Drop cells with more atoms (after reduction to the primitive cell)'),
  chargeNeutral: z
    .boolean()
    .default(true)
    .describe('Drop formulas no combination of common oxidation states makes neutral'),
});

export const Crystals = z
  .strictObject({
    files: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Structure files or folders of them (.cif, POSCAR/CONTCAR/.vasp, .xyz/.extxyz, .json), relative to the YAML file',
      ),
    generate: CrystalGenerate.optional().describe('Crystals built from prototypes and element lists'),
    symprec: z
      .number()
      .positive()
      .max(0.5)
      .default(1e-3)
      .describe(
        'Symmetry tolerance (angstrom) for finding the standard cell that makes one crystal one candidate',
      ),
    limit: z.int().positive().optional().describe('Keep at most this many crystals (after filtering)'),
    filters: CrystalFilters.default({ maxAtoms: 20, chargeNeutral: true }),
  })
  .refine((c) => c.files !== undefined || c.generate !== undefined, {
    message: 'give files (structure files or folders), generate (prototypes x elements), or both',
  });

export type CrystalsConfig = z.output<typeof Crystals>;
export type CrystalGenerateConfig = z.output<typeof CrystalGenerate>;
