import type { ChoosingState } from './choosing.js';

/** What a running campaign reports through its `progress` query and returns when it ends. Small on purpose. */

/**
 * Where a campaign is. It ends `finished` (its budget, target or patience ended it), `stopped` (a user stopped
 * it: `cascade stop`) or `failed` (the workflow failed; the reason is in stopReason). `stopping`: a stop was
 * asked for and the round in flight is finishing.
 */
export type CampaignStatus =
  | 'starting'
  | 'running'
  | 'paused'
  | 'stopping'
  | 'finished'
  | 'stopped'
  | 'failed';
export type Phase = 'preparing' | 'training' | 'acquiring' | 'evaluating' | 'idle';

export interface Best {
  idx: number;
  label: string;
  /** The candidate's identity: canonical SMILES for a molecule, the structure key for a crystal. */
  identity: string;
  value: number;
}

/** `best` as states and results recorded before `identity` hold it (continue-as-new inputs, finished runs). */
export interface RecordedBest {
  idx: number;
  label: string;
  smiles: string;
  value: number;
}

/** The identity of a best candidate, whichever way it was recorded. */
export function identityOf(best: Best | RecordedBest): string {
  return 'identity' in best ? best.identity : best.smiles;
}

/** A best candidate in today's form. */
export function currentBest(best: Best | RecordedBest): Best {
  if ('identity' in best) return best;
  const { smiles, ...rest } = best;
  return { ...rest, identity: smiles };
}

export interface Limits {
  rounds: number;
  /** Maximum calls per tier name; a tier absent here is limited only by rounds and batch size. */
  calls: Record<string, number>;
  cpuHours?: number;
  /** Energy of everything the campaign ran (calculations, models, platform), kWh. */
  energyKWh?: number;
  /** Emissions: the energy times the campaign's carbon intensity, kg CO2e. */
  co2eKg?: number;
}

/** State carried across rounds and continue-as-new. */
export interface CampaignState {
  round: number;
  calls: Record<string, number>;
  failures: number;
  /** CPU time of every activity (calculations and ML), and its energy in joules, as in the ledger. */
  cpuSeconds: number;
  energyJoules: number;
  best?: Best;
  /**
   * A class objective (`objective: {property, above}`, `{property: succeeds}`): the candidates found in the class
   * at the last tier (that meet the constraints). Its growth is the campaign's improvement, and `stopping.target`
   * a number of them.
   */
  hits?: number;
  /** Several objectives: the feasible Pareto front found so far and its hypervolume (patience follows it). */
  front?: FrontState;
  roundsWithoutImprovement: number;
  /** Whether choosing (training and screening) pays for itself, and what `surrogate.policy` did about it. */
  choosing?: ChoosingState;
  poolSize: number;
  lastModel?: {
    id: string;
    backend: string;
    trainedOn: number;
    labelTier?: string;
    /** delta: it learned labelTier minus baseTier (Delta-learning); direct (or absent): labelTier itself. */
    fidelity?: 'direct' | 'delta';
    baseTier?: string;
    metrics: Record<string, number>;
  };
}

/**
 * A multi-objective campaign's front: its points (one value per objective, in their units, at the last tier),
 * the hypervolume they dominate and the corner it is measured from (score space), fixed when the first results
 * came in so the figure only grows.
 */
export interface FrontState {
  points: Array<{ idx: number; label: string; values: number[] }>;
  hypervolume: number;
  reference: number[];
}

export interface Progress extends CampaignState {
  campaign: string;
  status: CampaignStatus;
  phase: Phase;
  limits: Limits;
  /** The calculations of the current tier in this round. */
  batch: { tier?: string; size: number; done: number; failed: number };
  stopReason?: string;
}

export type CampaignResult = Progress;

/** The state of a campaign that has not run a round yet. */
export function freshState(overrides: Partial<CampaignState> = {}): CampaignState {
  return {
    round: 0,
    calls: {},
    failures: 0,
    cpuSeconds: 0,
    energyJoules: 0,
    roundsWithoutImprovement: 0,
    poolSize: 0,
    ...overrides,
  };
}
