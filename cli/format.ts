/** Terminal rendering of a campaign's progress. Pure: takes data, returns text. */
import { identityOf, type Progress } from '../lib/campaign/progress.js';
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
}

export function bar(done: number, total: number, width = 24): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'-'.repeat(width - n)}]`;
}

export function formatProgress(
  p: Progress,
  extra: { execution: string; uiUrl?: string; unit?: string },
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
  lines.push(
    `CPU       ${(p.cpuSeconds / 3600).toFixed(4)} h${p.limits.cpuHours !== undefined ? ` of ${p.limits.cpuHours} h` : ''}   energy ${((p.energyJoules ?? 0) / 3600).toFixed(3)} Wh (estimated)`,
  );
  if (p.best)
    lines.push(`best      ${p.best.value.toFixed(4)}${unit}  ${p.best.label}  ${identityOf(p.best)}`);
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

export function formatResources(r: ResourceLine[]): string {
  if (!r.length) return '';
  const total = r.reduce((a, x) => ({ cpu: a.cpu + x.cpuSeconds, j: a.j + x.energyJoules }), {
    cpu: 0,
    j: 0,
  });
  const rows = r.map(
    (x) =>
      `  ${x.activity.padEnd(18)} ${String(x.calls).padStart(5)} calls  wall ${x.wallSeconds.toFixed(1).padStart(8)} s  CPU ${x.cpuSeconds.toFixed(1).padStart(8)} s  ${(x.energyJoules / 3600).toFixed(3).padStart(8)} Wh`,
  );
  return [
    'resources (energy: estimate from CPU time)',
    ...rows,
    `  total CPU ${(total.cpu / 3600).toFixed(4)} h, energy ${(total.j / 3600).toFixed(3)} Wh`,
  ].join('\n');
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

export const UNITS: Record<string, string> = { homoLumoGap: 'eV', totalEnergy: 'Eh', dipoleMoment: 'D' };

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
