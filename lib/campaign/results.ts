/**
 * What the campaign's activities hand back to the workflow: small summaries, each carrying its resources
 * (Usage) and a value per property the tier reported. Plain data; the workflow imports these as types.
 */
import type { PropertyValues } from '../domain/objective.js';
import type { Usage } from '../domain/usage.js';

export interface EvaluationSummary {
  idx: number;
  label: string;
  /** The candidate's identity: canonical SMILES for a molecule, the structure key for a crystal. */
  identity: string;
  /** Index of the tier in the ladder. */
  tier: number;
  status: 'ok' | 'failed';
  /** Every property the tier reported (homoLumoGap, totalEnergy, dipoleMoment, ...); read through the Objective. */
  values?: PropertyValues;
  message?: string;
  cached: boolean;
  /** What this evaluation used now (a cache hit uses nothing). */
  usage: Usage;
  /** Summaries recorded before `values`/`usage`/`identity` (workflow histories) carry these instead. */
  value?: number;
  smiles?: string;
  cpuSeconds?: number;
  energyJoules?: number;
}

export interface ModelSummary {
  id: string;
  backend: string;
  trainedOn: number;
  /** The tier whose results it learned. */
  labelTier: string;
  /** direct: it learned labelTier's values; delta: labelTier minus baseTier, added to baseTier. */
  fidelity: 'direct' | 'delta';
  baseTier?: string;
  metrics: Record<string, number>;
  usage: Usage;
  /** Summaries recorded before `usage` carry these instead. */
  cpuSeconds?: number;
  energyJoules?: number;
}

/** A training with nothing to learn yet: no model, but what finding that out used (it is in the ledger). */
export interface NoModel {
  usage: Usage;
}

/** A summary's CPU time and energy, whether it carries a Usage or (recorded earlier) the two numbers. */
export function spent(s: { usage?: Usage; cpuSeconds?: number; energyJoules?: number }): {
  cpuSeconds: number;
  energyJoules: number;
} {
  return s.usage
    ? { cpuSeconds: s.usage.cpuSeconds, energyJoules: s.usage.energyJoules }
    : { cpuSeconds: s.cpuSeconds ?? 0, energyJoules: s.energyJoules ?? 0 };
}
