/**
 * What `cascade export` writes, whatever the format: every evaluated candidate with its evaluations (one per
 * tier), each with every property the tier reported, its status and failure, and its provenance; a structure per
 * candidate for the formats that carry one; and the metadata that states the licence and the cascade version.
 * The writers beside this file are pure string builders over these records.
 */
import type { Vec3 } from '../domain/geometry.js';

export interface ExportedEvaluation {
  tier: string;
  round: number;
  status: 'ok' | 'failed';
  /** `deterministic` (the same inputs fail again) or `circumstantial` (a time limit, a signal, a lost worker). */
  failureClass?: string;
  /** The code's or runner's name for the failure (`timeout`, `scf-not-converged`, ...). */
  failureKind?: string;
  message?: string;
  /** The result came from the store's cache: nothing ran for it in this campaign. */
  cached: boolean;
  /** Every property the tier reported, in the units of ExportMeta.units. */
  values: Record<string, number>;
  code?: string;
  codeVersion?: string;
  method?: string;
  /** The settings the code ran with (basis, solvent, convergence, ...). */
  settings?: Record<string, unknown>;
  /** The hash of the calculation's input structure. */
  inputHash?: string;
  /** The QM result's key: the hash of code, version, method, settings and input. */
  resultKey?: string;
  cpuSeconds: number;
  energyJoules?: number;
  /** `ledger` (lines that name the candidate), `tier-rate` (CPU × the tier's joules per CPU-second) or `none`. */
  energySource: string;
  energyMethods: string[];
  host?: string;
  /** When the evaluation was stored (ISO 8601). */
  date: string;
}

/** A molecule in 3D (angstrom), with its bonds when they are known (an SDF needs them). */
export interface ExportedMolecule {
  kind: 'molecule';
  symbols: string[];
  coords: Vec3[];
  charge: number;
  /** Formal charge per atom (an SDF's atom block). */
  atomCharges?: number[];
  /** [first atom, second atom, order 1..3], 0-based. */
  bonds?: Array<[number, number, number]>;
  /** Where the coordinates came from: a tier's optimised geometry, the stored embedding, a 2D depiction. */
  source: string;
}

/** A periodic crystal in Cartesian coordinates (angstrom); the lattice rows are its vectors. */
export interface ExportedCrystal {
  kind: 'crystal';
  lattice: [Vec3, Vec3, Vec3];
  symbols: string[];
  positions: Vec3[];
  source: string;
}

/** A ready-made MDL molblock (a 2D depiction where the store has no 3D geometry). */
export interface ExportedMolblock {
  kind: 'molblock';
  molblock: string;
  source: string;
}

export type ExportedStructure = ExportedMolecule | ExportedCrystal | ExportedMolblock;

export interface ExportedCandidate {
  idx: number;
  label: string;
  kind: 'molecule' | 'crystal';
  /** Canonical SMILES for a molecule, the structure key for a crystal. */
  identity: string;
  /** Absent when none could be made (a molecule RDKit cannot depict). */
  structure?: ExportedStructure;
  /** In the campaign's tier order. */
  evaluations: ExportedEvaluation[];
}

export interface ExportMeta {
  campaign: string;
  /** SPDX identifier of the data's licence (default CC-BY-4.0). */
  licence: string;
  cascadeVersion: string;
  /** ISO 8601. */
  exportedAt: string;
  /** The campaign's tiers, lowest first. */
  tiers: string[];
  /** Every property any evaluation reported. */
  properties: string[];
  /** Each property's unit as stored (`eV`, `Eh`, `D`). */
  units: Record<string, string>;
}

/** A name fit for a column, an SDF field and an extxyz key: letters, digits and underscores. */
export function fieldName(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p) => p.replace(/[^A-Za-z0-9_]+/g, '_'))
    .join('_');
}

/** A property's column name with its unit (`homoLumoGap_eV`), so a reader needs no metadata to know it. */
export function propertyField(property: string, units: Record<string, string>): string {
  return fieldName(property, units[property] ?? '');
}
