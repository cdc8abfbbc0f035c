/**
 * The campaign as the Temporal Web UI shows it: a short Markdown table for the workflow's current details
 * (`setCurrentDetails`), saying the round, what the campaign is doing now, the best so far, the calls per tier,
 * the energy and emissions and how it ended. Pure and deterministic, so the workflow can call it at every phase
 * change; setting current details issues no command, so replays are unaffected.
 */
import { JOULES_PER_KWH } from '../domain/units.js';
import { co2eGrams } from '../energy/carbon.js';
import { type ClassAware, classText, isClassObjective } from './class-objective.js';
import type { Best, CampaignStatus, FrontState, Limits, Phase } from './progress.js';

export interface DetailsView {
  campaign: string;
  status: CampaignStatus;
  phase: Phase;
  round: number;
  limits: Pick<Limits, 'rounds'>;
  /** The tiers' names, cheapest first. */
  tiers: string[];
  calls: Record<string, number>;
  failures: number;
  /** The objective's property and direction (the first objective when there are several), and its class if any. */
  objective: ClassAware;
  best?: Best;
  /** A class objective: the hits found so far. */
  hits?: number;
  front?: FrontState;
  energyJoules: number;
  cpuSeconds: number;
  /** gCO2e/kWh the campaign counts its emissions at. */
  carbonIntensity: number;
  /** The tier being evaluated now and how far it got. */
  batch: { tier?: string; size: number; done: number; failed: number };
  /** The surrogate being trained now. */
  surrogate?: string;
  /** Why the campaign ended (or failed). */
  reason?: string;
}

/** The current-details table: one row per aspect, values in plain words. */
export function campaignDetails(v: DetailsView): string {
  const rows: [string, string][] = [
    ['rounds', `${v.round} of ${v.limits.rounds} done`],
    ['phase', phaseText(v)],
    bestRow(v),
    ['calls', callsText(v)],
    ['energy', energyText(v)],
    ['CPU', `${(v.cpuSeconds / 3600).toFixed(3)} h`],
    ['status', statusText(v)],
  ];
  return [
    `| campaign | ${cell(v.campaign)} |`,
    '| --- | --- |',
    ...rows.map(([k, val]) => `| ${k} | ${cell(val)} |`),
  ].join('\n');
}

/** What the campaign is doing now, in words a chemist reads. */
export function phaseText(v: Pick<DetailsView, 'status' | 'phase' | 'batch' | 'surrogate'>): string {
  if (v.status === 'finished' || v.status === 'stopped' || v.status === 'failed') return v.status;
  if (v.status === 'paused') return 'paused between rounds';
  switch (v.phase) {
    case 'preparing':
      return 'preparing the pool';
    case 'training':
      return v.surrogate ? `training the surrogate (${v.surrogate})` : 'training the surrogate';
    case 'acquiring':
      return 'screening the pool, choosing a batch';
    case 'evaluating': {
      const { tier, size, done, failed } = v.batch;
      const failures = failed > 0 ? `, ${failed} failed` : '';
      return `evaluating tier ${tier ?? '?'} (${done} of ${size} done${failures})`;
    }
    default:
      return v.status === 'stopping' ? 'stopping' : 'between rounds';
  }
}

function statusText(v: Pick<DetailsView, 'status' | 'reason'>): string {
  const status = v.status === 'stopped' ? 'stopped by the user' : v.status;
  return v.reason ? `${status}: ${v.reason}` : status;
}

function bestRow(v: DetailsView): [string, string] {
  if (v.front) {
    const n = v.front.points.length;
    return ['front', `${n} point${n === 1 ? '' : 's'}, hypervolume ${significant(v.front.hypervolume)}`];
  }
  if (isClassObjective(v.objective)) return [`hits (${classText(v.objective)})`, `${v.hits ?? 0}`];
  const key = `best ${v.objective.property} (${v.objective.direction})`;
  if (!v.best) return [key, 'none yet'];
  const who = v.best.label && v.best.label !== v.best.identity ? `${v.best.label}, ` : '';
  return [key, `${significant(v.best.value)} (#${v.best.idx} ${who}${v.best.identity})`];
}

function callsText(v: DetailsView): string {
  // the config's tiers in order, then any the state counts that the config no longer names
  const names = [...v.tiers, ...Object.keys(v.calls).filter((t) => !v.tiers.includes(t))];
  const parts = names.map((t) => `${t} ${v.calls[t] ?? 0}`);
  const failures = v.failures > 0 ? ` (${v.failures} failed)` : '';
  return `${parts.join(' · ')}${failures}`;
}

function energyText(v: DetailsView): string {
  const kWh = v.energyJoules / JOULES_PER_KWH;
  const grams = co2eGrams(v.energyJoules, v.carbonIntensity);
  return `${significant(kWh)} kWh · ${significant(grams)} g CO2e at ${v.carbonIntensity} g/kWh`;
}

/** A table cell: one line, no column breaks. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

/** Four significant figures, without exponent notation for everyday magnitudes. */
function significant(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  return abs >= 1e-6 && abs < 1e7 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}
