/**
 * A candidate of a campaign's pool: a molecule (identity: its canonical SMILES) or a crystal (identity: a
 * canonical key of its structure). The store keeps kind + identity + payload; the 3D structure a calculation
 * needs comes from a provider per kind (activities/campaign/structures.ts).
 */
import type { Crystal } from './geometry.js';

export interface MoleculeCandidate {
  kind: 'molecule';
  /** Position in the campaign's pool. */
  idx: number;
  /** The user's name for it (an id column, SDF title), else the SMILES. */
  label: string;
  /** Canonical SMILES: the identity. */
  smiles: string;
  heavyAtoms: number;
  /** Synthetic accessibility (1 easy .. 10 very hard), kept when the pool's maxSAScore filter computed it. */
  saScore?: number;
}

export interface CrystalCandidate {
  kind: 'crystal';
  idx: number;
  label: string;
  /** A canonical key of the structure (same crystal written two ways, same key). */
  key: string;
  /** The standardised primitive cell the calculations run on. */
  structure: Crystal;
  /** International space-group number (1-230), when the pool found it. */
  spaceGroup?: number;
  /** The prototype it was generated from (rockSalt, perovskite, ...), for generated crystals. */
  prototype?: string;
}

export type Candidate = MoleculeCandidate | CrystalCandidate;
export type CandidateKind = Candidate['kind'];

/** What makes two candidates the same, whatever their kind. */
export function identity(c: Candidate): string {
  return c.kind === 'molecule' ? c.smiles : c.key;
}

/** The candidate's kind-specific content, as stored. */
export function payload(c: Candidate): Record<string, unknown> {
  if (c.kind === 'crystal') {
    return {
      structure: c.structure,
      ...(c.spaceGroup !== undefined && { spaceGroup: c.spaceGroup }),
      ...(c.prototype !== undefined && { prototype: c.prototype }),
    };
  }
  return c.saScore === undefined
    ? { heavyAtoms: c.heavyAtoms }
    : { heavyAtoms: c.heavyAtoms, saScore: c.saScore };
}

/** Rebuilds a candidate from what the store kept. */
export function fromStored(row: {
  idx: number;
  kind: CandidateKind;
  identity: string;
  label: string;
  payload: Record<string, unknown>;
}): Candidate {
  if (row.kind === 'crystal') {
    return {
      kind: 'crystal',
      idx: row.idx,
      label: row.label,
      key: row.identity,
      structure: row.payload.structure as Crystal,
      ...(typeof row.payload.spaceGroup === 'number' && { spaceGroup: row.payload.spaceGroup }),
      ...(typeof row.payload.prototype === 'string' && { prototype: row.payload.prototype }),
    };
  }
  return {
    kind: 'molecule',
    idx: row.idx,
    label: row.label,
    smiles: row.identity,
    heavyAtoms: Number(row.payload.heavyAtoms ?? 0),
    ...(typeof row.payload.saScore === 'number' && { saScore: row.payload.saScore }),
  };
}
