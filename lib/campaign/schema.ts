/**
 * Campaign configuration, schema v1: the single source of the TypeScript types, the validation
 * (with the messages users see) and the published JSON Schema (`configs/schema.json`).
 */
import { z } from 'zod';
import { ELK_XCTYPES, ElkSettings, elkSettings } from '../../qm/codes/elk/settings.js';
import { nwchemBasisProblem, nwchemMethodProblem } from '../../qm/codes/nwchem/library.js';
import { NwchemSettings } from '../../qm/codes/nwchem/settings.js';
import { XtbSettings } from '../../qm/codes/xtb/settings.js';
import { CLASS_STRATEGIES } from '../acquisition/class-ranking.js';
import {
  costAwareNames,
  DEFAULT_DIVERSITY,
  DEFAULT_EPSILON,
  DEFAULT_XI,
  DIVERSITY_OVERSAMPLE,
  isRanking,
  multiObjectiveNames,
  type Strategy,
  strategies,
  strategyNames,
} from '../acquisition/index.js';
import type { Direction, ObjectiveSpec } from '../domain/objective.js';
import { surrogateKinds, surrogateKindsHelp } from '../surrogate/kinds.js';
import { classText, isClassObjective } from './class-objective.js';
import { Crystals } from './crystal-pool-schema.js';
import { SlurmSettings } from './slurm-schema.js';

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const CandidateFilters = z
  .strictObject({
    maxHeavyAtoms: z
      .int()
      .positive()
      .default(30)
      .describe('Drop molecules with more heavy (non-hydrogen) atoms'),
    minHeavyAtoms: z.int().positive().default(1).describe('Drop molecules with fewer heavy atoms'),
    elements: z
      .array(z.string().regex(/^[A-Z][a-z]?$/, 'expected an element symbol such as C, N or Cl'))
      .min(1)
      .optional()
      .describe('Allowed elements (hydrogen is always allowed); molecules with others are dropped'),
    neutralOnly: z.boolean().default(true).describe('Drop molecules with a net formal charge'),
    singleFragment: z.boolean().default(true).describe('Drop salts and mixtures (SMILES with ".")'),
    maxSAScore: z
      .number()
      .min(1)
      .max(10)
      .optional()
      .describe(
        'Drop molecules whose synthetic accessibility score (Ertl & Schuffenhauer, 1 easy .. 10 very hard) is above this; unset: not computed',
      ),
  })
  .superRefine(
    (f, ctx) => {
      if (f.minHeavyAtoms > f.maxHeavyAtoms) {
        ctx.addIssue({
          code: 'custom',
          path: ['minHeavyAtoms'],
          message: `minHeavyAtoms (${f.minHeavyAtoms}) must not exceed maxHeavyAtoms (${f.maxHeavyAtoms})`,
        });
      }
    },
    { when: fieldsParsed('minHeavyAtoms', 'maxHeavyAtoms') },
  );

export const Candidates = z.strictObject({
  source: z
    .string()
    .min(1)
    .describe('Path to a SMILES (.smi), CSV (.csv) or SDF (.sdf) file, relative to the YAML file'),
  format: z
    .enum(['auto', 'smi', 'csv', 'sdf'])
    .default('auto')
    .describe('File format; auto picks by extension'),
  smilesColumn: z.string().default('smiles').describe('CSV column holding SMILES'),
  idColumn: z.string().optional().describe('CSV column (or SDF property) holding an identifier'),
  limit: z
    .int()
    .positive()
    .optional()
    .describe('Keep at most this many candidates (after filtering, in file order)'),
  filters: CandidateFilters.default({
    maxHeavyAtoms: 30,
    minHeavyAtoms: 1,
    neutralOnly: true,
    singleFragment: true,
  }),
});

/** Properties a tier can produce; the objective names one of them. */
export const Property = z.enum([
  'homoLumoGap',
  'totalEnergy',
  'dipoleMoment',
  'bandGap',
  'energyPerAtom',
  'formationEnergy',
]);

const PROPERTY_HELP =
  'molecules: homoLumoGap (eV), totalEnergy (hartree), dipoleMoment (debye); crystals: bandGap (eV, 0 for metals), energyPerAtom (eV/atom), formationEnergy (eV/atom), totalEnergy (hartree per cell); from the last tier';

/** What each built-in code reports, of the properties above. */
export const CODE_PROPERTIES: Record<string, readonly PropertyName[]> = {
  xtb: ['homoLumoGap', 'totalEnergy', 'dipoleMoment'],
  nwchem: ['homoLumoGap', 'totalEnergy', 'dipoleMoment'],
  elk: ['bandGap', 'totalEnergy', 'energyPerAtom', 'formationEnergy'],
};

/** What a class objective may name instead of a property: that a candidate's calculations succeed. */
export const SUCCEEDS = 'succeeds';

/**
 * The one objective: a property to maximise or minimise (`direction`), or a class to fill with hits (a class
 * objective): the values at or above `above` (at or below `below`), or `property: succeeds`, the candidates whose
 * calculations succeed. A bar implies the direction (a parsed config states it, so a direction that agrees is
 * accepted and one that contradicts is refused). `{property: succeeds}` is read as
 * `{property: totalEnergy, direction: minimize, succeeds: true}`: a success is a calculation that reports its
 * energy, which every code does, so the tiers, promotion and the top list keep a value to read.
 */
export const Objective = z
  .strictObject({
    property: z
      .enum([...Property.options, SUCCEEDS])
      .describe(
        `${PROPERTY_HELP}; or succeeds: a class objective, the candidates whose calculations succeed`,
      ),
    direction: z
      .enum(['maximize', 'minimize'])
      .optional()
      .describe('maximize or minimize the property; a class objective (above, below, succeeds) needs none'),
    above: z
      .number()
      .optional()
      .describe(
        "A class objective: a hit is a candidate whose value is at least this, in the property's units; the campaign finds as many as it can",
      ),
    below: z
      .number()
      .optional()
      .describe(
        "A class objective: a hit is a candidate whose value is at most this, in the property's units",
      ),
    succeeds: z
      .literal(true)
      .optional()
      .describe(
        'A class objective: a hit is a candidate whose calculations succeed and report the property (what property: succeeds is read as)',
      ),
  })
  .superRefine(objectiveShapeProblems)
  .transform(normalObjective);

/** The objective's own fields: a direction or one bar, and `succeeds` alone. */
function objectiveShapeProblems(
  o: { property: string; direction?: string; above?: number; below?: number; succeeds?: true },
  ctx: z.core.$RefinementCtx,
): void {
  const problem = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  if (o.property === SUCCEEDS) {
    for (const key of ['direction', 'above', 'below', 'succeeds'] as const)
      if (o[key] !== undefined)
        problem(
          key,
          `property: succeeds is a class objective of its own (the candidates whose calculations succeed): leave out ${key}`,
        );
    return;
  }
  const bar = o.above !== undefined ? 'above' : o.below !== undefined ? 'below' : undefined;
  if (o.above !== undefined && o.below !== undefined)
    problem(
      'below',
      'give above or below, not both: a class objective counts the candidates on one side of one bar',
    );
  else if (bar && o.succeeds) problem('succeeds', `give ${bar} or succeeds, not both`);
  else if (bar && o.direction !== undefined && o.direction !== (bar === 'above' ? 'maximize' : 'minimize'))
    problem(
      'direction',
      `${bar}: ${o[bar]} counts the candidates ${bar === 'above' ? 'at or above' : 'at or below'} it, so it has no direction to choose: leave direction out`,
    );
  else if (!bar && o.direction === undefined)
    problem(
      'direction',
      `give direction (maximize or minimize), or above/below NUMBER to find the candidates past a bar (a class objective)`,
    );
}

/** The objective as the rest of cascade reads it: always a tier's property and a direction, with its class. */
function normalObjective(o: {
  property: PropertyName | typeof SUCCEEDS;
  direction?: Direction;
  above?: number;
  below?: number;
  succeeds?: true;
}): ObjectiveSpec & { property: PropertyName; above?: number; below?: number; succeeds?: true } {
  if (o.property === SUCCEEDS) return { property: 'totalEnergy', direction: 'minimize', succeeds: true };
  const direction = o.direction ?? (o.below !== undefined ? 'minimize' : 'maximize');
  return {
    property: o.property,
    direction,
    ...(o.above !== undefined ? { above: o.above } : {}),
    ...(o.below !== undefined ? { below: o.below } : {}),
    ...(o.succeeds ? { succeeds: true as const } : {}),
  };
}

/**
 * What several objectives and constraints may name: a tier's properties, and the synthetic accessibility score
 * (Ertl & Schuffenhauer, 1 easy to 10 hard), known exactly for every molecule of the pool (lib/chem/sa-score.ts).
 */
export const SearchProperty = z.enum([...Property.options, 'saScore']);

/** One objective of a multi-objective campaign (`objectives:`). */
export const ObjectiveItem = z.strictObject({
  property: SearchProperty.describe(`${PROPERTY_HELP}; or saScore (molecules: 1 easy .. 10 hard to make)`),
  direction: z.enum(['maximize', 'minimize']),
  reference: z
    .number()
    .optional()
    .describe(
      "The worst value still worth anything, in the property's units: the hypervolume's corner (default: 10% beyond the worst observed)",
    ),
});

const CONSTRAINT_TEXT = /^\s*([A-Za-z]+)\s*(>=|<=)\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

const ConstraintMapping = z.strictObject({
  property: SearchProperty,
  op: z.enum(['>=', '<=']),
  bound: z.number(),
});

/**
 * A property bound, written `homoLumoGap >= 3` or as a mapping {property, op, bound}; a candidate that breaks it
 * is infeasible. Parsed by hand from `unknown` (not a zod union) so a wrong property gets its own message.
 */
export const Constraint = z
  .unknown()
  .describe(
    '"PROPERTY >= NUMBER" or "PROPERTY <= NUMBER" (e.g. "dipoleMoment <= 5"), or {property, op, bound}',
  )
  .transform((raw, ctx): z.output<typeof ConstraintMapping> => {
    if (typeof raw !== 'string') {
      const parsed = ConstraintMapping.safeParse(raw);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues)
        ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
      return z.NEVER;
    }
    const m = CONSTRAINT_TEXT.exec(raw);
    const property = SearchProperty.safeParse(m?.[1]);
    if (!m || !property.success) {
      ctx.addIssue({
        code: 'custom',
        message: m
          ? `unknown property "${m[1]}" (known: ${SearchProperty.options.join(', ')})`
          : `"${raw}" is not a constraint: write PROPERTY >= NUMBER or PROPERTY <= NUMBER, e.g. "dipoleMoment <= 5"`,
      });
      return z.NEVER;
    }
    return { property: property.data, op: m[2] as '>=' | '<=', bound: Number(m[3]) };
  });

export const Features = z.strictObject({
  morganRadius: z.int().min(1).max(4).default(2),
  morganBits: z.int().min(64).max(8192).default(2048),
  descriptors: z.boolean().default(true).describe('Append RDKit 2D descriptors (standardised)'),
});

export const Forest = z.strictObject({
  trees: z.int().min(1).max(5000).default(100),
  minSamplesLeaf: z.int().min(1).default(5).describe('Fewest training rows per leaf'),
  maxFeatures: z
    .number()
    .positive()
    .default(1 / 3)
    .describe('Features tried per split: a count, or a fraction in (0, 1)'),
});

export const Surrogate = z.strictObject({
  kind: z.enum(surrogateKinds).default('mlp-ensemble').describe(surrogateKindsHelp),
  forest: Forest.default({ trees: 100, minSamplesLeaf: 5, maxFeatures: 1 / 3 }).describe(
    'Settings of kind qrf',
  ),
  ensembleSize: z.int().min(1).max(32).default(5),
  hiddenLayers: z.array(z.int().min(1).max(4096)).min(1).max(8).default([256, 256]),
  epochs: z.int().min(1).max(10000).default(100),
  learningRate: z.number().positive().max(1).default(1e-3),
  features: Features.default({ morganRadius: 2, morganBits: 2048, descriptors: true }),
  fidelity: z
    .enum(['direct', 'delta'])
    .default('direct')
    .describe(
      'direct: learn the top tier (or the highest tier with enough results); delta: learn the top tier minus the tier below it, added to that tier (measured or predicted by a base surrogate); needs two or more tiers',
    ),
  policy: z
    .enum(['auto', 'always'])
    .default('auto')
    .describe(
      'auto: when training and screening cost more than they save (measured each round), switch to a cheaper surrogate, retrain less often, or run tier 1 over the rest of the pool; always: train every round, only report',
    ),
  recalibrate: z
    .boolean()
    .default(false)
    .describe(
      'At each retrain, scale the predicted std so 90% intervals cover 90% of 5-fold cross-validated predictions',
    ),
});

/**
 * The failure classifier (`classifier:`): a latent binary-encoding network (Sbailo & Ghiringhelli) trained each
 * round on which evaluated candidates had a calculation fail; its probability of success weighs acquisition.
 */
export const Classifier = z.strictObject({
  lambda: z
    .number()
    .min(0)
    .default(0.01)
    .describe('Weight of the exp(mean z^2) penalty on the linear bottleneck; 0: a plain classifier'),
  epochs: z.int().min(1).max(2000).default(150),
  hiddenLayers: z.array(z.int().min(1).max(4096)).min(1).max(4).default([64, 64]),
  latentDim: z.int().min(1).max(16).default(3).describe('Width of the linear bottleneck'),
  folds: z
    .int()
    .min(2)
    .max(10)
    .default(3)
    .describe('Cross-validation folds for its scores and the comparison without the penalty'),
  minFailures: z
    .int()
    .min(2)
    .default(3)
    .describe('Trained once this many candidates have failed (and as many succeeded)'),
});

export const Acquisition = z
  .strictObject({
    strategy: z
      .enum(strategyNames)
      .default('ucb')
      .describe(
        "How the next batch is chosen from the surrogate's predictions (docs/acquisition.md): " +
          strategyNames.map((n) => `${n}: ${strategies[n].description}`).join('; '),
      ),
    batchSize: z.int().min(1).max(10000).default(8),
    kappa: z.number().min(0).default(2).describe('ucb: exploration weight, mean + kappa * std'),
    xi: z
      .number()
      .min(0)
      .default(DEFAULT_XI)
      .describe(
        "pi, ei, nei: the improvement that counts, in the objective's units (eV, hartree, debye); 0: any improvement",
      ),
    threshold: z
      .number()
      .optional()
      .describe(
        "The objective value a candidate should reach (at least it when maximising, at most it when minimising), in the objective's units; required by strategy threshold",
      ),
    epsilon: z
      .number()
      .min(0)
      .max(1)
      .default(DEFAULT_EPSILON)
      .describe(
        'epsilon-greedy: the chance that a batch slot goes to a random candidate instead of the best mean',
      ),
    diversity: z
      .number()
      .min(0)
      .max(1)
      .default(DEFAULT_DIVERSITY)
      .describe(
        `Ranking strategies: how much score a batch trades for fingerprint (Tanimoto) diversity among the top ${DIVERSITY_OVERSAMPLE} x batchSize; 0: the plain top of the ranking, 1: as diverse as that shortlist allows`,
      ),
    costAware: z
      .boolean()
      .default(false)
      .describe(
        `Rank by acquisition value per predicted CPU-second (fitted per tier on heavy-atom count from past evaluations); strategies ${costAwareNames().join(', ')}`,
      ),
    initialBatch: z
      .int()
      .min(1)
      .optional()
      .describe('Random candidates evaluated before the first surrogate; default 2 x batchSize'),
  })
  .superRefine(
    (a, ctx) => {
      const strategy: Strategy = strategies[a.strategy];
      for (const param of strategy.requires ?? []) {
        if (a[param as keyof typeof a] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['strategy'],
            message: `strategy "${a.strategy}" needs acquisition.${param}, ${describedParam(param)}`,
          });
        }
      }
      if (a.diversity > 0 && !isRanking(strategy)) {
        ctx.addIssue({
          code: 'custom',
          path: ['diversity'],
          message: `diversity re-ranks the top of a ranking, but strategy "${a.strategy}" picks its own batch: use diversity 0 or a ranking strategy`,
        });
      }
      if (a.costAware && !costAwareNames().includes(a.strategy)) {
        ctx.addIssue({
          code: 'custom',
          path: ['costAware'],
          message: `costAware divides the acquisition value by the predicted cost, which needs a value that is never negative; strategy "${a.strategy}" has none: use ${costAwareNames().join(', ')}`,
        });
      }
    },
    { when: fieldsParsed('strategy', 'threshold', 'diversity', 'costAware') },
  );

/** What a strategy param is (its schema description up to the ';', lower case), for the message that it is missing. */
function describedParam(param: string): string {
  const field = (Acquisition.shape as Record<string, z.ZodType | undefined>)[param];
  const what = field?.description?.split(';')[0] ?? 'see docs/acquisition.md';
  return what.charAt(0).toLowerCase() + what.slice(1);
}

/**
 * Which candidates climb from the previous tier to this one: the best fraction of the batch (`top`), or those
 * whose previous-tier objective value is at least (maximize) or at most (minimize) `threshold`.
 */
export const Promotion = z.union([
  z.strictObject({ top: z.number().gt(0).max(1).describe('Fraction of the batch, best first, e.g. 0.25') }),
  z.strictObject({
    threshold: z.number().describe("The previous tier's objective value a candidate must reach"),
  }),
]);

const tierCommon = {
  name: name.optional().describe('Tier name, used in budget.callsPerTier; defaults to the code'),
  optimize: z.boolean().default(false).describe('Optimise the geometry before reading properties'),
  threads: z.int().min(1).default(1),
  recompute: z
    .boolean()
    .optional()
    .describe(
      "Compute this tier's calculations again when the store holds a failure for them (default: only circumstantial failures, such as timeouts, under smaller limits)",
    ),
  promote: Promotion.optional().describe(
    'Promotion from the previous tier (default: every candidate that succeeded)',
  ),
  slurm: SlurmSettings.optional().describe(
    "Submit this tier's calculations to Slurm (sbatch) instead of running them on the worker's host",
  ),
};

export const XtbTier = z.strictObject({
  ...tierCommon,
  code: z.literal('xtb'),
  method: z.enum(['gfn2', 'gfn1', 'gfnff']).default('gfn2'),
  solvent: z
    .string()
    .regex(/^[A-Za-z0-9,-]+$/, 'expected a solvent name such as water, ethanol or thf')
    .optional()
    .describe('ALPB implicit solvent, e.g. water, ethanol, thf'),
  settings: XtbSettings.default({}),
  timeoutSeconds: z.int().min(1).default(600),
});

/**
 * A DFT tier's basis ladder: the smallest basis runs first; the CBS model (a quantile regression forest trained on
 * the data set) predicts the converged energy with a 90% interval, and the next basis runs only while that
 * interval is wider than maxIntervalMeVPerAtom.
 */
export const CbsLadder = z
  .strictObject({
    bases: z
      .array(z.string().regex(/^cc-pV[DTQ5]Z$/i, 'expected a correlation-consistent basis such as cc-pVDZ'))
      .min(2)
      .describe("cc-pVXZ bases, smallest first; the last should be the data set's reference (cc-pVQZ)"),
    maxIntervalMeVPerAtom: z
      .number()
      .positive()
      // 20: replayed on the data set (npm run bench:cbs-escalation), two thirds of the ladders stop at cc-pVTZ
      // for a third of cc-pVQZ's CPU and 1.7 meV/atom MAE; at 5 none stops early (the TZ intervals are ~16 wide)
      .default(20)
      .describe('Stop once the 90% interval of the converged energy is at most this wide (meV/atom)'),
    data: z
      .string()
      .optional()
      .describe("The data set's molecules.jsonl the model learns from (default: cascade's data/cbs)"),
  })
  .refine(
    (l) => l.bases.every((b, i) => i === 0 || cardinalOrder(b) > cardinalOrder(l.bases[i - 1] as string)),
    { message: 'bases must grow: cc-pVDZ, cc-pVTZ, cc-pVQZ, ...', path: ['bases'] },
  );

function cardinalOrder(basis: string): number {
  return 'DTQ5'.indexOf((basis.match(/^cc-pV(.)Z$/i)?.[1] ?? '').toUpperCase());
}

/** A string check as a zod refinement: the problem it names, if any, at the value's position. */
const refuse = (problem: (v: string) => string | undefined) => (v: string, ctx: z.RefinementCtx) => {
  const message = problem(v);
  if (message) ctx.addIssue({ code: 'custom', message, input: v });
};

export const NwchemTier = z.strictObject({
  ...tierCommon,
  code: z.literal('nwchem'),
  method: z
    .string()
    .min(1)
    .superRefine(refuse(nwchemMethodProblem))
    .default('b3lyp')
    .describe('Any exchange-correlation functional NWChem knows, e.g. b3lyp, pbe0, m06-2x'),
  basis: z
    .string()
    .min(1)
    .superRefine(refuse((b) => nwchemBasisProblem(b)))
    .default('6-31G*')
    .describe("A basis set from NWChem's library, e.g. 6-31G*, cc-pVTZ, def2-SVP"),
  settings: NwchemSettings.default({}),
  timeoutSeconds: z.int().min(1).default(3600),
  cbs: CbsLadder.optional().describe(
    'Basis escalation: run cbs.bases in order, stopping once the predicted converged energy is known well enough (replaces basis)',
  ),
});

/** The rgkmax ladder and reference of cascade's data set of crystals (data/cbs/solids.jsonl). */
const SOLID_LADDER = [5, 6, 7, 8];
const SOLID_REFERENCE_RGKMAX = 9;

/**
 * An Elk tier's rgkmax ladder, as the NWChem tier's basis ladder (CbsLadder): the smallest rgkmax runs first, the
 * CBS model trained on the data set's solids predicts the converged energy with a 90% interval, and the next
 * rgkmax runs only while that interval is wider than maxIntervalMeVPerAtom.
 */
export const RgkmaxLadder = z
  .strictObject({
    rgkmax: z
      .array(z.number().min(3).max(12))
      .min(2)
      .describe(
        `rgkmax values, smallest first: with cascade's data set a start of [${SOLID_LADDER.join(', ')}], optionally followed by its reference ${SOLID_REFERENCE_RGKMAX}`,
      ),
    maxIntervalMeVPerAtom: z
      .number()
      .positive()
      // 20: replayed on the data set with held-out compounds, a third of [5, 6, 7, 8] ladders stop early, with
      // 2.1 meV/atom MAE (8.9 at most) against rgkmax 9; at 10 the MAE is 1.5 and fewer stop
      .default(20)
      .describe(
        'Stop once the 90% interval of the energy at the reference rgkmax is at most this wide (meV/atom)',
      ),
    data: z
      .string()
      .optional()
      .describe("The data set's solids.jsonl the model learns from (default: cascade's data/cbs)"),
  })
  .refine((l) => l.rgkmax.every((r, i) => i === 0 || r > (l.rgkmax[i - 1] as number)), {
    message: 'rgkmax must grow: 5, 6, 7, 8',
    path: ['rgkmax'],
  })
  .superRefine((l, ctx) => {
    if (l.data !== undefined) return; // another data set's ladder is checked against it when the tier runs
    const below = l.rgkmax.filter((r) => r < SOLID_REFERENCE_RGKMAX);
    const rest = l.rgkmax.slice(below.length);
    const prefix = below.every((r, i) => r === SOLID_LADDER[i]);
    if (prefix && (rest.length === 0 || (rest.length === 1 && rest[0] === SOLID_REFERENCE_RGKMAX))) return;
    ctx.addIssue({
      code: 'custom',
      path: ['rgkmax'],
      message: `the CBS model learned cascade's data set's ladder [${SOLID_LADDER.join(', ')}] (reference ${SOLID_REFERENCE_RGKMAX}): use a start of it, e.g. [5, 6, 7, 8] or [5, 6]; other ladders gave confident, wrong intervals when replayed`,
    });
  });

export const ElkTier = z
  .strictObject({
    ...tierCommon,
    code: z.literal('elk'),
    method: z
      .enum(Object.keys(ELK_XCTYPES) as [string, ...string[]])
      .default('pbe')
      .describe(`Exchange-correlation functional: ${Object.keys(ELK_XCTYPES).join(', ')}`),
    settings: ElkSettings.default({}).superRefine((s, ctx) => {
      try {
        elkSettings(s);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
    }),
    timeoutSeconds: z.int().min(1).default(3600),
    cbs: RgkmaxLadder.optional().describe(
      'rgkmax escalation: run cbs.rgkmax in order, stopping once the predicted converged energy is known well enough (replaces settings.rgkmax)',
    ),
  })
  .superRefine((t, ctx) => {
    if (t.optimize) {
      ctx.addIssue({
        code: 'custom',
        path: ['optimize'],
        message: 'Elk tiers compute the given cell (ground state); cascade does not relax crystals',
      });
    }
  });

export const Tier = z.discriminatedUnion('code', [XtbTier, NwchemTier, ElkTier]);

export const Budget = z.strictObject({
  rounds: z.int().min(1).default(10),
  callsPerTier: z.record(z.string(), z.int().min(0)).default({}).describe('Maximum calls per tier name'),
  cpuHours: z
    .number()
    .positive()
    .optional()
    .describe('Stop when the calculations have used this much CPU time'),
  energyKWh: z
    .number()
    .positive()
    .optional()
    .describe('Stop when the campaign (calculations, models and platform) has used this much energy, in kWh'),
  co2eKg: z
    .number()
    .positive()
    .optional()
    .describe(
      'Stop when the campaign has emitted this much CO2e, in kg (energy x accounting.carbonIntensity)',
    ),
});

export const Accounting = z.strictObject({
  carbonIntensity: z
    .number()
    .positive()
    .optional()
    .describe(
      'Grid carbon intensity in gCO2e/kWh; default: CASCADE_CARBON_INTENSITY at launch, else 475 (world average)',
    ),
  hitsTopK: z
    .int()
    .min(1)
    .default(10)
    .describe("Without stopping.target, a hit (for hits per kWh) is one of the campaign's k best candidates"),
});

export const Stopping = z.strictObject({
  patience: z
    .int()
    .min(1)
    .optional()
    .describe(
      'Stop after this many rounds without improving the best value (a class objective: without a new hit)',
    ),
  minImprovement: z
    .number()
    .min(0)
    .default(0)
    .describe('Smallest change that counts as an improvement (a class objective: more new hits than this)'),
  target: z
    .number()
    .optional()
    .describe('Stop once the best value reaches this (a class objective: once this many hits are found)'),
});

export const CampaignConfig = z
  .strictObject({
    version: z.literal(1).default(1),
    name: name.describe('Campaign name; the workflow id is derived from it'),
    description: z.string().optional(),
    seed: z.int().min(0).default(0),
    candidates: Candidates.optional().describe('A pool of molecules (or give `crystals`)'),
    crystals: Crystals.optional().describe('A pool of crystals (or give `candidates`)'),
    objective: Objective.optional().describe(
      'The one property to optimise, or the class of candidates to find (above/below a bar, or succeeds); or give `objectives`',
    ),
    objectives: z
      .array(ObjectiveItem)
      .min(1)
      .max(4)
      .optional()
      .describe(
        'Several properties to optimise at once (Pareto front, hypervolume); the first must come from a tier and is the one `best` and promotion follow',
      ),
    constraints: z
      .array(Constraint)
      .default([])
      .describe('Property bounds a useful candidate must meet, e.g. ["dipoleMoment <= 5", "saScore <= 4"]'),
    surrogate: Surrogate.default({
      kind: 'mlp-ensemble',
      forest: { trees: 100, minSamplesLeaf: 5, maxFeatures: 1 / 3 },
      ensembleSize: 5,
      hiddenLayers: [256, 256],
      epochs: 100,
      learningRate: 1e-3,
      features: { morganRadius: 2, morganBits: 2048, descriptors: true },
      fidelity: 'direct',
      policy: 'auto',
      recalibrate: false,
    }),
    acquisition: Acquisition.default({
      strategy: 'ucb',
      batchSize: 8,
      kappa: 2,
      xi: DEFAULT_XI,
      epsilon: DEFAULT_EPSILON,
      diversity: DEFAULT_DIVERSITY,
      costAware: false,
    }),
    tiers: z.array(Tier).min(1).describe('Ordered escalation ladder, cheapest first'),
    classifier: Classifier.optional().describe(
      'Learn which candidates fail (SCF, optimisation, geometry) and weigh acquisition by the chance of success',
    ),
    budget: Budget.default({ rounds: 10, callsPerTier: {} }),
    stopping: Stopping.default({ minImprovement: 0 }),
    accounting: Accounting.default({ hitsTopK: 10 }),
  })
  .superRefine(
    (c, ctx) => {
      const names = c.tiers.map(tierName);
      if (c.tiers[0]?.promote) {
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', 0, 'promote'],
          message:
            'the first tier has no previous tier to promote from: every acquired candidate starts there',
        });
      }
      names.forEach((n, i) => {
        if (names.indexOf(n) !== i)
          ctx.addIssue({ code: 'custom', path: ['tiers', i, 'name'], message: `duplicate tier name "${n}"` });
      });
      if (c.surrogate.fidelity === 'delta' && c.tiers.length < 2) {
        ctx.addIssue({
          code: 'custom',
          path: ['surrogate', 'fidelity'],
          message: `fidelity "delta" learns the top tier as the tier below it plus a correction, but this campaign has one tier (${names.join(', ')}): add a cheaper tier before it, or use fidelity: direct`,
        });
      }
      for (const key of Object.keys(c.budget.callsPerTier)) {
        if (!names.includes(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['budget', 'callsPerTier', key],
            message: `no tier named "${key}" (tiers: ${names.join(', ')})`,
          });
        }
      }
    },
    // Cross-field checks also run when unrelated fields are invalid, so all problems are reported at once.
    { when: fieldsParsed('tiers', 'budget.callsPerTier', 'surrogate.fidelity') },
  )
  .superRefine(poolProblems, {
    when: fieldsParsed('candidates', 'crystals', 'tiers', 'objective', 'objectives', 'constraints'),
  })
  .superRefine(objectivesProblems, {
    when: fieldsParsed('objective', 'objectives', 'constraints', 'acquisition.strategy', 'tiers'),
  })
  .superRefine(classProblems, {
    when: fieldsParsed(
      'objective',
      'constraints',
      'acquisition.strategy',
      'stopping.target',
      'surrogate.fidelity',
    ),
  })
  .transform(withObjectives);

/**
 * One pool, molecules or crystals, and tiers whose codes compute that kind and report the objectives' properties.
 */
function poolProblems(
  c: {
    candidates?: unknown;
    crystals?: unknown;
    tiers: TierConfig[];
    objective?: { property: string };
    objectives?: { property: string }[];
    constraints?: { property: string }[];
  },
  ctx: z.core.$RefinementCtx,
): void {
  if ((c.candidates === undefined) === (c.crystals === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['candidates'],
      message:
        c.candidates === undefined
          ? 'what should the campaign screen? give candidates (molecules) or crystals'
          : 'give candidates (molecules) or crystals, not both: a campaign screens one kind',
    });
    return;
  }
  const crystals = c.crystals !== undefined;
  c.tiers.forEach((t, i) => {
    if ((t.code === 'elk') !== crystals) {
      ctx.addIssue({
        code: 'custom',
        path: ['tiers', i, 'code'],
        message: crystals
          ? `tier "${tierName(t)}" runs ${t.code}, a code for molecules; a crystal pool needs elk`
          : `tier "${tierName(t)}" runs elk, a code for crystals; this pool holds molecules (candidates)`,
      });
    }
  });
  const last = c.tiers[c.tiers.length - 1];
  const reported = last ? CODE_PROPERTIES[last.code] : undefined;
  const wanted: { property: string; path: (string | number)[] }[] = [
    ...(c.objectives ?? (c.objective ? [c.objective] : [])).map((o, i) => ({
      property: o.property,
      path: c.objectives ? ['objectives', i, 'property'] : ['objective', 'property'],
    })),
    ...(c.constraints ?? []).map((o, i) => ({ property: o.property, path: ['constraints', i] })),
  ];
  for (const { property, path } of wanted) {
    if (!last || !reported || !(Property.options as readonly string[]).includes(property)) continue;
    if (!reported.includes(property as PropertyName)) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `the last tier (${tierName(last)}, ${last.code}) does not report ${property}; it reports ${reported.join(', ')}`,
      });
    }
  }
}

/**
 * `objective` and `objectives` are two spellings of one thing: after parsing, both are set (the list holds the
 * property and direction; a class objective's bar stays in `objective`).
 */
function withObjectives<C extends { objective?: ObjectiveConfig; objectives?: ObjectiveItemConfig[] }>(
  c: C,
): Omit<C, 'objective' | 'objectives'> & { objective: ObjectiveConfig; objectives: ObjectiveItemConfig[] } {
  const objectives =
    c.objectives ??
    (c.objective ? [{ property: c.objective.property, direction: c.objective.direction }] : []);
  const first = objectives[0] as ObjectiveItemConfig & { property: PropertyName };
  return {
    ...c,
    objective: c.objective ?? { property: first.property, direction: first.direction },
    objectives,
  };
}

/**
 * A class objective (lib/campaign/classes.ts): acquisition ranks by the classifier's probability (a strategy
 * that ranks by a known value), the target is a hit count, and the bar is the objective's, not a constraint's.
 */
function classProblems(
  c: {
    objective?: ObjectiveConfig;
    constraints: ConstraintConfig[];
    acquisition: { strategy: string };
    stopping: { target?: number };
    surrogate: { fidelity: string };
  },
  ctx: z.core.$RefinementCtx,
): void {
  const o = c.objective;
  if (!o || !isClassObjective(o)) return;
  const what = classText(o);
  if (!(CLASS_STRATEGIES as readonly string[]).includes(c.acquisition.strategy)) {
    ctx.addIssue({
      code: 'custom',
      path: ['acquisition', 'strategy'],
      message: `a class objective (${what}) ranks candidates by the classifier's probability of a hit: use strategy ${CLASS_STRATEGIES.join(', ')} (got "${c.acquisition.strategy}")`,
    });
  }
  c.constraints.forEach((b, i) => {
    if (b.property === o.property && !o.succeeds)
      ctx.addIssue({
        code: 'custom',
        path: ['constraints', i],
        message: `the objective already sets the bar on ${o.property} (${what}): move this bound into the objective's above or below`,
      });
  });
  const target = c.stopping.target;
  if (target !== undefined && !(Number.isInteger(target) && target > 0)) {
    ctx.addIssue({
      code: 'custom',
      path: ['stopping', 'target'],
      message: `with a class objective (${what}) the target is a number of hits, a whole number of at least 1 (got ${target})`,
    });
  }
  if (c.surrogate.fidelity === 'delta') {
    ctx.addIssue({
      code: 'custom',
      path: ['surrogate', 'fidelity'],
      message: `a class objective (${what}) is learned by a classifier of hits, not by Delta-learning of values: use fidelity: direct`,
    });
  }
}

function objectivesProblems(
  c: {
    objective?: unknown;
    objectives?: ObjectiveItemConfig[];
    constraints: ConstraintConfig[];
    acquisition: { strategy: string };
  },
  ctx: z.core.$RefinementCtx,
): void {
  const o = c.objective as { property?: string; direction?: string } | undefined;
  const head = c.objectives?.[0];
  // a parsed config has both, the first objective repeated: parsing it again must give the same config
  const repeated = o && head && o.property === head.property && o.direction === head.direction;
  if (o && c.objectives && !repeated) {
    ctx.addIssue({
      code: 'custom',
      path: ['objectives'],
      message: 'give either objective (one property) or objectives (several), not both',
    });
    return;
  }
  if (!c.objective && !c.objectives) {
    ctx.addIssue({
      code: 'custom',
      path: ['objective'],
      message:
        'what should the campaign optimise? give objective: {property, direction} or an objectives list',
    });
    return;
  }
  const list = c.objectives ?? [];
  const first = list[0];
  if (first && !(Property.options as readonly string[]).includes(first.property)) {
    ctx.addIssue({
      code: 'custom',
      path: ['objectives', 0, 'property'],
      message: `the first objective is the one the tiers compute and promotion follows: "${first.property}" comes from no tier (use ${Property.options.join(', ')})`,
    });
  }
  list.forEach((o, i) => {
    if (list.findIndex((p) => p.property === o.property) !== i)
      ctx.addIssue({
        code: 'custom',
        path: ['objectives', i, 'property'],
        message: `"${o.property}" is already an objective`,
      });
  });
  const several = list.length > 1;
  const multiNames = multiObjectiveNames();
  const multi = multiNames.includes(c.acquisition.strategy);
  if (several && !multi) {
    ctx.addIssue({
      code: 'custom',
      path: ['objectives'],
      message: `${list.length} objectives need a multi-objective strategy: ${multiNames.join(' or ')} (got "${c.acquisition.strategy}")`,
    });
  }
  if (!several && multi) {
    ctx.addIssue({
      code: 'custom',
      path: ['acquisition', 'strategy'],
      message: `strategy "${c.acquisition.strategy}" weighs several objectives; this campaign has one: list two or more under objectives, or use a single-objective strategy`,
    });
  }
}

/**
 * A `when` for cross-field checks: run them once the fields at the given dotted paths parsed cleanly
 * (unknown keys aside), even if other fields have problems, so every problem is reported in one pass.
 * A function declaration, so it is hoisted above the schemas that use it.
 */
function fieldsParsed(...fields: string[]): (payload: z.core.ParsePayload) => boolean {
  const guarded = fields.map((f) => f.split('.'));
  return (payload) =>
    payload.issues.every((issue) => {
      if (issue.code === 'unrecognized_keys') return true;
      const path = (issue.path ?? []).map(String);
      // an issue at, inside or above a guarded field (say, `budget` not being a mapping) blocks the check
      return !guarded.some((g) => g.slice(0, path.length).every((segment, i) => segment === path[i]));
    });
}

export type CampaignConfig = z.output<typeof CampaignConfig>;
export type CampaignInput = z.input<typeof CampaignConfig>;
export type TierConfig = z.output<typeof Tier>;
export type XtbTierConfig = z.output<typeof XtbTier>;
export type NwchemTierConfig = z.output<typeof NwchemTier>;
export type ElkTierConfig = z.output<typeof ElkTier>;
export type PromotionRule = z.output<typeof Promotion>;
export type CandidatesConfig = z.output<typeof Candidates>;
export type SurrogateConfig = z.output<typeof Surrogate>;
export type AcquisitionConfig = z.output<typeof Acquisition>;
export type PropertyName = z.output<typeof Property>;
export type SearchPropertyName = z.output<typeof SearchProperty>;
export type ClassifierConfig = z.output<typeof Classifier>;
export type ObjectiveItemConfig = z.output<typeof ObjectiveItem>;
export type ObjectiveConfig = z.output<typeof Objective>;
export type ConstraintConfig = z.output<typeof Constraint>;

export function tierName(t: TierConfig): string {
  return t.name ?? t.code;
}
