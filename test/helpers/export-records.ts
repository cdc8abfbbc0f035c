/** Export records by hand for the writers' unit tests: a molecule at two tiers, a failure, a crystal, a 2D depiction. */
import type { ExportedCandidate, ExportedEvaluation, ExportMeta } from '../../lib/export/record.js';

export const META: ExportMeta = {
  campaign: 'demo',
  licence: 'CC-BY-4.0',
  cascadeVersion: '0.1.0',
  exportedAt: '2026-12-04T12:00:00.000Z',
  tiers: ['gfn1', 'gfn2'],
  properties: ['dipoleMoment', 'homoLumoGap', 'totalEnergy'],
  units: { dipoleMoment: 'D', homoLumoGap: 'eV', totalEnergy: 'Eh' },
};

export function evaluation(over: Partial<ExportedEvaluation> = {}): ExportedEvaluation {
  return {
    tier: 'gfn1',
    round: 0,
    status: 'ok',
    cached: false,
    values: { homoLumoGap: 7.123456789012345, totalEnergy: -5.070544440612, dipoleMoment: 1.8 },
    code: 'xtb',
    codeVersion: '6.7.1',
    method: 'gfn1',
    settings: { solvent: 'water', accuracy: 1 },
    inputHash: 'ab12cd',
    resultKey: 'ef34',
    cpuSeconds: 0.25,
    energyJoules: 3.5,
    energySource: 'ledger',
    energyMethods: ['rapl'],
    host: 'node-1',
    date: '2026-12-04T11:00:00.000Z',
    ...over,
  };
}

/** Water in 3D (angstrom), bonds O-H twice. */
export const WATER: ExportedCandidate = {
  idx: 3,
  label: 'water, "wet"',
  kind: 'molecule',
  identity: 'O',
  structure: {
    kind: 'molecule',
    symbols: ['O', 'H', 'H'],
    coords: [
      [0, 0, 0.1173],
      [0, 0.7572, -0.4692],
      [0, -0.7572, -0.4692],
    ],
    charge: 0,
    atomCharges: [0, 0, 0],
    bonds: [
      [0, 1, 1],
      [0, 2, 1],
    ],
    source: 'optimised at tier gfn2',
  },
  evaluations: [
    evaluation(),
    evaluation({
      tier: 'gfn2',
      round: 1,
      method: 'gfn2',
      values: { homoLumoGap: 6.5, totalEnergy: -5.1 },
      cached: true,
      energySource: 'tier-rate',
      energyMethods: [],
    }),
  ],
};

/** Acetate: a charged atom for `M  CHG`; failed at the second tier. */
export const ACETATE: ExportedCandidate = {
  idx: 5,
  label: 'acetate',
  kind: 'molecule',
  identity: 'CC(=O)[O-]',
  structure: {
    kind: 'molecule',
    symbols: ['C', 'C', 'O', 'O'],
    coords: [
      [0, 0, 0],
      [1.5, 0, 0],
      [2.1, 1.1, 0],
      [2.1, -1.1, 0],
    ],
    charge: -1,
    atomCharges: [0, 0, 0, -1],
    bonds: [
      [0, 1, 1],
      [1, 2, 2],
      [1, 3, 1],
    ],
    source: 'embedding test',
  },
  evaluations: [
    evaluation({ values: { homoLumoGap: 2.5 } }),
    evaluation({
      tier: 'gfn2',
      status: 'failed',
      values: {},
      failureClass: 'circumstantial',
      failureKind: 'timeout',
      message: 'xtb ran past 120 s\nkilled',
    }),
  ],
};

/** Rock salt's primitive cell (lattice in angstrom). */
export const SALT: ExportedCandidate = {
  idx: 7,
  label: 'NaCl',
  kind: 'crystal',
  identity: 'NaCl-rocksalt',
  structure: {
    kind: 'crystal',
    lattice: [
      [0, 2.82, 2.82],
      [2.82, 0, 2.82],
      [2.82, 2.82, 0],
    ],
    symbols: ['Na', 'Cl'],
    positions: [
      [0, 0, 0],
      [2.82, 2.82, 2.82],
    ],
    source: 'candidate structure',
  },
  evaluations: [evaluation({ code: 'elk', values: { totalEnergy: -621.5 } })],
};

/** A molecule with only RDKit's 2D depiction. */
export const DEPICTED: ExportedCandidate = {
  idx: 9,
  label: 'methane',
  kind: 'molecule',
  identity: 'C',
  structure: {
    kind: 'molblock',
    molblock:
      '\n     RDKit          2D\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\nM  END\n',
    source: 'RDKit 2D depiction (no stored 3D geometry)',
  },
  evaluations: [evaluation({ values: { homoLumoGap: 12 } })],
};
