/** Terminal rendering of a campaign's progress. Pure: takes data, returns text. */
import type { Counterfactual, Hits } from '../lib/campaign/counterfactual.js';
import { type FrontState, identityOf, type Progress } from '../lib/campaign/progress.js';
import { JOULES_PER_KWH } from '../lib/domain/units.js';
import { co2eGrams } from '../lib/energy/carbon.js';
import type { ModelMetrics } from '../lib/surrogate/model.js';
import type { LadderSavings, PoolRejection, PoolSummary } from '../store/store.js';

export interface TopCandidate {
  idx: number;
  label: string;
  /** Canonical SMILES for a molecule, the structure key for a crystal. */
  identity: string;
  value: number;
}

export interface ResourceLine {
  activity: string;
  calls: number;
  wallSeconds: number;
  cpuSeconds: number;
  energyJoules: number;
  /** How the energy was obtained ('model', 'rapl', ...), and on what hardware. */
  energyMethods?: string[];
  hardware?: string[];
}

export function bar(done: number, total: number, width = 24): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'-'.repeat(width - n)}]`;
}

/**
 * The failure classifier's line: what it learned from and how it scores (cross-validated), beside the same
 * network without the exp(z^2) penalty. Empty when the campaign has none or it has not trained yet.
 */
export function formatClassifier(
  m: { round: number; trainedOn: number; metrics: ModelMetrics } | undefined,
): string {
  if (!m) return '';
  const f = m.metrics;
  return [
    `failures  classifier of round ${m.round}: ${f.failures ?? '?'} of ${m.trainedOn} candidates failed; P(success) weighs acquisition`,
    ...classifierFigures(f),
  ].join('\n');
}

/**
 * A class objective's hits so far, and the class model of the latest retrain (its P(hit) ranks acquisition), with
 * its figures beside the same network's without the penalty.
 */
export function formatClassHits(
  hits: { count: number; of: string } | undefined,
  m: { round: number; trainedOn: number; labelTier?: string; metrics: ModelMetrics } | undefined,
): string {
  if (!hits) return '';
  const lines = [`hits      ${hits.count} (${hits.of})`];
  if (m) {
    const at = m.labelTier ? ` ${m.labelTier}` : '';
    lines.push(
      `          class model of round ${m.round}: ${m.metrics.inClass ?? '?'} of ${m.trainedOn}${at} results in the class; P(hit) ranks acquisition`,
      ...classifierFigures(m.metrics),
    );
  }
  return lines.join('\n');
}

/** A latent binary-encoding classifier's cross-validated scores and latent-code figures, with and without the penalty. */
function classifierFigures(f: ModelMetrics): string[] {
  const two = (a: number | undefined, b: number | undefined) => `${fmt(a)} (plain ${fmt(b)})`;
  return [
    `          cross-validated accuracy ${two(f.accuracy, f.plainAccuracy)}, Brier ${two(f.brier, f.plainBrier)}, calibration error ${two(f.ece, f.plainEce)}`,
    `          latent code: NC1 ${two(f.nc1, f.plainNc1)}, binarity ${two(f.meanBinarity, f.plainMeanBinarity)}`,
  ];
}

/** Front points listed in `cascade status`; the rest are counted (`--json` has them all). */
const FRONT_SHOWN = 8;

/** A multi-objective campaign's Pareto front: its size, hypervolume, and its points by the first objective. */
export function formatFront(front: FrontState, objectives: readonly string[] = []): string[] {
  const names = (k: number) => objectives[k] ?? `objective ${k + 1}`;
  const points = [...front.points].sort((a, b) => (b.values[0] ?? 0) - (a.values[0] ?? 0));
  const shown = points
    .slice(0, FRONT_SHOWN)
    .map((p) => `          ${p.values.map((v, k) => `${names(k)} ${v.toFixed(3)}`).join(', ')}  ${p.label}`);
  const more =
    points.length > FRONT_SHOWN ? [`          ... and ${points.length - FRONT_SHOWN} more (--json)`] : [];
  return [
    `front     ${front.points.length} feasible point(s) on the Pareto front, hypervolume ${front.hypervolume.toPrecision(4)}`,
    ...shown,
    ...more,
  ];
}

export function formatProgress(
  p: Progress,
  extra: {
    execution: string;
    uiUrl?: string;
    unit?: string;
    carbon?: { gramsPerKWh: number };
    /** The objectives' property names, first to last (for the front's columns). */
    objectives?: readonly string[];
  },
): string {
  const unit = extra.unit ? ` ${extra.unit}` : '';
  const lines = [
    `campaign  ${p.campaign}   ${extra.execution === 'RUNNING' || p.status === 'stopped' ? p.status : extra.execution.toLowerCase()}${p.phase !== 'idle' && extra.execution === 'RUNNING' ? ` (${p.phase})` : ''}`,
    `rounds    ${bar(p.round, p.limits.rounds)} ${p.round}/${p.limits.rounds}`,
  ];
  if (p.phase === 'evaluating') {
    lines.push(
      `batch     ${bar(p.batch.done, p.batch.size)} ${p.batch.done}/${p.batch.size}${p.batch.tier ? ` at ${p.batch.tier}` : ''}${p.batch.failed ? ` (${p.batch.failed} failed)` : ''}`,
    );
  }
  const calls = Object.entries(p.calls)
    .map(([t, n]) => `${t} ${n}${p.limits.calls[t] !== undefined ? `/${p.limits.calls[t]}` : ''}`)
    .join(', ');
  lines.push(
    `calls     ${calls || 'none yet'}${p.failures ? `; ${p.failures} candidate(s) failed` : ''}   pool ${p.poolSize}`,
  );
  const joules = p.energyJoules ?? 0;
  const energyLimit =
    p.limits.energyKWh !== undefined ? ` of ${formatEnergy(p.limits.energyKWh * JOULES_PER_KWH)}` : '';
  const carbon = extra.carbon
    ? `   CO2e ${formatMass(co2eGrams(joules, extra.carbon.gramsPerKWh))}${p.limits.co2eKg !== undefined ? ` of ${formatMass(p.limits.co2eKg * 1000)}` : ''}`
    : '';
  lines.push(
    `CPU       ${(p.cpuSeconds / 3600).toFixed(4)} h${p.limits.cpuHours !== undefined ? ` of ${p.limits.cpuHours} h` : ''}   energy ${formatEnergy(joules)}${energyLimit}${carbon}`,
  );
  if (p.choosing?.verdict) {
    const every = p.choosing.retrainEvery > 1 ? ` (retraining every ${p.choosing.retrainEvery} rounds)` : '';
    lines.push(`choosing  ${p.choosing.verdict}${every}`);
  }
  if (p.best)
    lines.push(`best      ${p.best.value.toFixed(4)}${unit}  ${p.best.label}  ${identityOf(p.best)}`);
  if (p.front) lines.push(...formatFront(p.front, extra.objectives));
  if (p.lastModel) {
    const m = p.lastModel.metrics;
    const delta =
      p.lastModel.fidelity === 'delta'
        ? `, as differences from ${p.lastModel.baseTier} (Delta-learning; base on ${m.baseTrainedOn ?? '?'} ${p.lastModel.baseTier} results)`
        : '';
    lines.push(
      `surrogate ${p.lastModel.id} on ${p.lastModel.backend}, trained on ${p.lastModel.trainedOn}${p.lastModel.labelTier ? ` ${p.lastModel.labelTier} results` : ''}${delta}`,
    );
    if (m.stdScale !== undefined) {
      // recalibrate: true; the factor every predicted std was multiplied by
      lines.push(
        `          spread scale ${fmt(m.stdScale)}${m.baseStdScale !== undefined ? ` (base ${fmt(m.baseStdScale)})` : ''}, from ${m.recalibrationFolds}-fold held-out predictions whose 90% intervals covered ${fmt(m.heldOutCoverage90)} before`,
      );
    }
    if (m.lastN !== undefined) {
      // the previous model on the batch it chose, before seeing it: accuracy and calibration
      lines.push(
        `          on its last batch (${m.lastN}): MAE ${fmt(m.lastMae)}, Spearman ${fmt(m.lastSpearman)}, 90% interval coverage ${fmt(m.lastCoverage90)}, miscalibration ${fmt(m.lastMiscalibrationArea)}`,
      );
    }
  }
  if (p.stopReason) lines.push(`stopped   ${p.stopReason}`);
  if (extra.uiUrl) lines.push(`Web UI    ${extra.uiUrl}`);
  return lines.join('\n');
}

export function formatTop(top: TopCandidate[], unit = ''): string {
  if (!top.length) return '';
  const rows = top.map(
    (t, i) =>
      `${String(i + 1).padStart(3)}. ${t.value.toFixed(4)}${unit ? ` ${unit}` : ''}  ${t.label.padEnd(12)} ${t.identity}`,
  );
  return ['top candidates', ...rows].join('\n');
}

export function formatResources(r: ResourceLine[], carbon?: { gramsPerKWh: number; source: string }): string {
  if (!r.length) return '';
  const methods = [...new Set(r.flatMap((x) => x.energyMethods ?? []))];
  const hardware = [...new Set(r.flatMap((x) => x.hardware ?? []))];
  const total = r.reduce((a, x) => ({ cpu: a.cpu + x.cpuSeconds, j: a.j + x.energyJoules }), {
    cpu: 0,
    j: 0,
  });
  const rows = r.map(
    (x) =>
      `  ${x.activity.padEnd(18)} ${String(x.calls).padStart(5)} calls  wall ${x.wallSeconds.toFixed(1).padStart(8)} s  CPU ${x.cpuSeconds.toFixed(1).padStart(8)} s  ${(x.energyJoules / 3600).toFixed(3).padStart(8)} Wh`,
  );
  const how = methods.length > 0 ? methods.map(methodInWords).join(' + ') : 'unknown';
  return [
    `resources (energy: ${how}${hardware.length > 0 ? `; on ${hardware.join(', ')}` : ''})`,
    ...rows,
    `  total CPU ${(total.cpu / 3600).toFixed(4)} h, energy ${formatEnergy(total.j)}${carbon ? `, CO2e ${formatMass(co2eGrams(total.j, carbon.gramsPerKWh))} at ${carbon.source}` : ''}`,
  ].join('\n');
}

/** An energy method as a reader should see it: measured or modelled, and from what. */
export function methodInWords(m: string): string {
  switch (m) {
    case 'model':
      return 'modelled from CPU time and memory (Green Algorithms style)';
    case 'rapl':
      return 'measured by RAPL counters';
    case 'rapl+nvml':
      return 'measured by RAPL and NVML';
    case 'nvml+model':
      return 'GPU measured by NVML, CPU modelled';
    case 'sacct':
      return "measured by Slurm's accounting";
    default:
      return m;
  }
}

/** Grams or kilograms of CO2e. */
export function formatMass(grams: number): string {
  return grams >= 1000 ? `${(grams / 1000).toFixed(3)} kg` : `${grams.toFixed(grams < 10 ? 2 : 1)} g`;
}

/** The basis escalation ladders' CPU time against running the largest basis alone, and the energy saved. */
export function formatLadder(s: (LadderSavings & { savedJoules: number }) | undefined): string {
  if (!s) return '';
  return [
    `basis ladder: ${s.molecules} molecules, ${s.stoppedEarly} stopped before the largest basis`,
    `  CPU ${s.cpuSeconds.toFixed(1)} s spent, ${s.largestBasisCpuSeconds.toFixed(1)} s for the largest basis alone (estimated where skipped):`,
    `  saved ${s.savedCpuSeconds.toFixed(1)} CPU-s, ${(s.savedJoules / 3600).toFixed(3)} Wh`,
  ].join('\n');
}

/**
 * What brute force would have cost against what the campaign spent, the top-tier calls it avoided, and the hits
 * per kWh of each: "brute force: every candidate at xtb 12.3 Wh, through all tiers 45.6 Wh ...".
 */
export function formatCounterfactual(c: Counterfactual | undefined, unit = ''): string {
  if (!c) return '';
  const first = c.tiers[0];
  const last = c.tiers[c.tiers.length - 1];
  if (!first || !last) return '';
  const missing = c.tiers.filter((t) => t.bruteForce === undefined).map((t) => t.tier);
  const atFirst = c.bruteForce.firstTier
    ? `every candidate at ${first.tier} ${formatEnergy(c.bruteForce.firstTier.energyJoules)}`
    : `unknown until a candidate is computed at ${first.tier}`;
  const throughAll =
    c.tiers.length < 2 || !c.bruteForce.firstTier
      ? ''
      : c.bruteForce.allTiers
        ? `, through all tiers ${formatEnergy(c.bruteForce.allTiers.energyJoules)}`
        : `, through all tiers unknown (nothing computed at ${missing.join(', ')} yet)`;
  const shares = [
    c.saved.vsFirstTier?.ratio !== undefined
      ? `${share(c.saved.vsFirstTier.ratio)} brute force at ${first.tier}`
      : '',
    c.tiers.length > 1 && c.saved.vsAllTiers?.ratio !== undefined
      ? `${share(c.saved.vsAllTiers.ratio)} brute force through all tiers`
      : '',
  ].filter(Boolean);
  return [
    `brute force (${count(c.poolSize)} candidates x the median measured per candidate${c.geometryLeftOut ? ', calculations only: 3D structures are not recorded per candidate' : ''}): ${atFirst}${throughAll}`,
    `  this campaign ${formatEnergy(c.actual.energyJoules)}${shares.length ? ` (${shares.join(', ')})` : ''}, ${count(c.topTierCallsAvoided)} ${last.tier} calls avoided`,
    `  ${formatHits(c.hits, unit)}`,
  ].join('\n');
}

function formatHits(h: Hits, unit: string): string {
  if (h.threshold === undefined) return `hits: none yet (${h.unknown ?? `no ${h.tier} result yet`})`;
  const what =
    h.definition === 'target'
      ? `reaching ${h.threshold}${unit ? ` ${unit}` : ''} at ${h.tier}`
      : `top ${h.k} at ${h.tier}`;
  const rate = h.perKWh !== undefined ? `, ${figure(h.perKWh)} per kWh` : '';
  const mine = `hits: ${count(h.found)} (${what})${rate}`;
  if (h.bruteForce === undefined) return `${mine}; brute force's unknown (${h.unknown ?? 'no estimate'})`;
  const basis =
    h.bruteForceBasis === 'surrogate'
      ? ` (${figure(h.bruteForce)} hits, estimated from the surrogate)`
      : h.bruteForceBasis === 'exact'
        ? ` (${count(h.bruteForce)} hits: every candidate has a ${h.tier} result)`
        : '';
  return h.bruteForcePerKWh !== undefined
    ? `${mine} vs ${figure(h.bruteForcePerKWh)} per kWh for brute force${basis}`
    : `${mine}; brute force ${figure(h.bruteForce)} hits${basis}, per kWh unknown`;
}

/** Joules in Wh, or in kWh from one kWh up. */
export function formatEnergy(joules: number): string {
  return joules >= JOULES_PER_KWH ? `${figure(joules / JOULES_PER_KWH)} kWh` : `${figure(joules / 3600)} Wh`;
}

/** Three figures or so: 1,880 / 45.6 / 3.2 / 0.028. */
function figure(x: number): string {
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toLocaleString('en-US');
  if (a >= 1) return x.toFixed(1);
  return a === 0 ? '0' : x.toPrecision(2);
}

const count = (n: number) => n.toLocaleString('en-US');

/** "26% of", "0.4% of", or "3.1 times" once the campaign cost more than twice as much. */
function share(ratio: number): string {
  if (ratio >= 2) return `${figure(ratio)} times`;
  const p = ratio * 100;
  return `${p >= 1 || p === 0 ? Math.round(p) : p.toPrecision(1)}% of`;
}

export const UNITS: Record<string, string> = {
  homoLumoGap: 'eV',
  totalEnergy: 'Eh',
  dipoleMoment: 'D',
  bandGap: 'eV',
  energyPerAtom: 'eV/atom',
  formationEnergy: 'eV/atom',
};

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(3));

/** How many rejected lines `cascade status` names, over all reasons (the counts cover every one). */
const REJECTED_LINES_SHOWN = 6;

/**
 * The pool: how many candidates were kept, the rejected ones by reason (most first), and the first rejected
 * lines, so a user can open the file at them.
 */
export function formatPool(pool: PoolSummary | undefined): string {
  if (!pool) return '';
  const reasons = Object.entries(pool.rejected).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const dropped = reasons.reduce((n, [, k]) => n + k, 0);
  const head = `pool      ${pool.kept} kept of ${pool.read} read from ${pool.source}`;
  if (dropped === 0) return head;
  const lines = [`${head}; ${dropped} rejected: ${reasons.map(([r, k]) => `${r} ${k}`).join(', ')}`];
  // the first lines of each reason in turn, then in file order
  const examples = reasons.map(([r]) => (pool.rejections?.[r] ?? []).map((x) => ({ ...x, reason: r })));
  const shown: (PoolRejection & { reason: string })[] = [];
  for (let i = 0; shown.length < REJECTED_LINES_SHOWN && examples.some((e) => e[i]); i++) {
    for (const e of examples) {
      const x = e[i];
      if (x && shown.length < REJECTED_LINES_SHOWN) shown.push(x);
    }
  }
  for (const x of shown.sort((a, b) => a.line - b.line))
    lines.push(`          line ${x.line} (${clip(x.label, 30)}) ${x.reason}: ${clip(x.why, 100)}`);
  if (shown.length > 0 && dropped > shown.length)
    lines.push(`          (${shown.length} of the ${dropped} rejected lines shown)`);
  return lines.join('\n');
}

/** Failed evaluations of one tier by failure class. */
export interface FailureCount {
  tier: string;
  kind: string;
  count: number;
}

/** "failures  xtb: scf-not-converged 3, timeout 1", one line per tier, most frequent class first. */
export function formatFailures(failures: readonly FailureCount[]): string {
  const tiers = [...new Set(failures.map((f) => f.tier))];
  return tiers
    .map((tier, i) => {
      const classes = failures
        .filter((f) => f.tier === tier)
        .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind))
        .map((f) => `${f.kind} ${f.count}`);
      return `${i === 0 ? 'failures  ' : '          '}${tier}: ${classes.join(', ')}`;
    })
    .join('\n');
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);
