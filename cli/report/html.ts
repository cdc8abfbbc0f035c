/**
 * The report as one self-contained HTML page: every chart an inline SVG rendered at build time, every style inline,
 * no script and no request at view time. Each chart sits in a `figure[data-chart]`, so a test can find them all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { JOULES_PER_KWH } from '../../lib/domain/units.js';
import { co2eGrams } from '../../lib/energy/carbon.js';
import { paretoSpec } from '../../lib/report/pareto-chart.js';
import { bestVsCostSpec } from '../../lib/report/progress-charts.js';
import { counterfactualSpec, funnelSpec, resourcesSpec } from '../../lib/report/resource-charts.js';
import { energyScale, type VegaLiteSpec } from '../../lib/report/spec.js';
import { calibrationSpec, metricsSpec, paritySpec } from '../../lib/report/surrogate-charts.js';
import { formatCounterfactual, formatEnergy, formatMass, methodInWords } from '../format.js';
import type { ReportData } from './data.js';
import { depict } from './depict.js';
import { toSvg } from './render.js';
import { STYLE } from './style.js';

export async function reportHtml(d: ReportData, generatedAt = new Date()): Promise<string> {
  const totalJoules = d.status.resources.reduce((a, r) => a + r.energyJoules, 0);
  const totalCpu = d.status.resources.reduce((a, r) => a + r.cpuSeconds, 0);
  const energy = energyScale(
    Math.max(totalJoules / JOULES_PER_KWH, d.bruteForce.kWh ?? 0, ...d.uses.map((u) => u.kWh)),
  );
  const sections = [
    summary(d, totalJoules, totalCpu),
    await progress(d, energy),
    await surrogate(d),
    await tiers(d),
    await resources(d, energy),
    await topTable(d),
    await pareto(d),
    provenance(d),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cascade report: ${esc(d.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>cascade report: <span class="name">${esc(d.name)}</span></h1>
<p class="meta">generated ${esc(generatedAt.toISOString().replace('T', ' ').slice(0, 19))} UTC by cascade ${esc(d.versions.cascade)} · self-contained: every chart is inline SVG, nothing is fetched</p>
</header>
<main>
${sections.filter(Boolean).join('\n')}
</main>
</body>
</html>
`;
}

function summary(d: ReportData, joules: number, cpuSeconds: number): string {
  const o = d.campaign.config.objective;
  const best = d.top[0];
  const bestValue = best?.values[d.topTier];
  const carbon = d.status.carbon;
  const rows: Array<[string, string]> = [
    [
      'objective',
      `${o.direction} ${d.valueTitle}${d.objectives.length > 1 ? ` (first of ${d.objectives.length})` : ''}`,
    ],
    ['tiers', d.tiers.join(' → ')],
    ['pool', `${(d.status.counterfactual?.poolSize ?? 0).toLocaleString('en-US')} candidates`],
    ['evaluations', `${d.evaluations} (${d.funnel.map((f) => `${f.evaluated} at ${f.tier}`).join(', ')})`],
    [
      'best',
      best && bestValue !== undefined
        ? `${fmt(bestValue)} ${unitOf(d)} — ${best.candidate.label} (#${best.candidate.idx})`
        : `no ${d.topTier} result yet`,
    ],
    [
      'surrogates',
      d.models.length > 0
        ? `${d.models.length} trained (${d.versions.surrogateBackends.join(', ')})`
        : 'none trained',
    ],
    [
      'compute',
      `${formatEnergy(joules)}, ${(cpuSeconds / 3600).toFixed(3)} CPU-hours${carbon ? `, ${formatMass(co2eGrams(joules, carbon.gramsPerKWh))} CO₂e at ${carbon.gramsPerKWh} g/kWh` : ''}`,
    ],
  ];
  return `<section id="summary"><h2>Summary</h2>${keyValues(rows)}</section>`;
}

async function progress(d: ReportData, energy: ReturnType<typeof energyScale>): Promise<string> {
  if (d.trace.length === 0)
    return section(
      'progress',
      'Best value against compute',
      `<p class="note">No ${esc(d.topTier)} result yet.</p>`,
    );
  const input = {
    campaign: d.trace,
    ...(d.reference ? { reference: d.reference } : {}),
    bruteForce: d.bruteForce,
    valueTitle: `best ${d.valueTitle}`,
    energy,
  };
  const ref = d.reference
    ? `The dashed line is the best that random screening through the same ${d.tiers.length}-tier ladder would find on average for the same cost, from the pool’s ${esc(d.topTier)} values (computed where known, else the latest surrogate’s predictions) and each tier’s median measured cost per candidate.`
    : `No random reference: ${esc(d.referenceNote ?? 'unknown')}.`;
  return section(
    'progress',
    'Best value against compute',
    `<div class="row">
${await figure('best-vs-calls', 'Best against QM calls', bestVsCostSpec(input, 'calls'), `The best ${esc(d.topTier)} value found after each calculation (every tier counts as a call).`)}
${await figure('best-vs-energy', `Best against energy`, bestVsCostSpec(input, 'kWh'), `The same against the energy of everything the ledger recorded by then (calculations, structures, training, acquisition).`)}
</div>
<p class="caption">${ref} The dotted rule is brute force: every candidate of the pool through every tier. Both axes of cost are logarithmic.</p>`,
  );
}

async function surrogate(d: ReportData): Promise<string> {
  if (d.models.length === 0)
    return section(
      'surrogate',
      'The surrogate, round by round',
      '<p class="note">No surrogate was trained.</p>',
    );
  const parts: string[] = [];
  if (d.rounds.length > 0) {
    const tiers = [...new Set(d.rounds.map((r) => r.tier))].join(', ');
    parts.push(
      await figure(
        'parity',
        'Predicted against computed, for the batch each model chose',
        paritySpec(d.rounds, d.valueTitle),
        `Each panel is one round’s model: its prediction (mean ± 1σ) for the candidates it chose, against the value then computed at ${esc(tiers)}. On the dashed diagonal the prediction was exact.`,
      ),
      await figure(
        'calibration',
        'Calibration of the predicted intervals',
        calibrationSpec(d.rounds.map((r) => ({ round: r.round, curve: r.calibration }))),
        'For each probability p, the fraction of computed values inside the central p-interval of the Gaussian prediction. A calibrated model lies on the diagonal; below it, the intervals were too narrow.',
      ),
    );
  } else {
    parts.push(
      '<p class="note">No model has a computed result for a batch it chose yet (a model’s batch is computed in the round after it is trained).</p>',
    );
  }
  const metrics = metricsSpec(d.models);
  if (metrics)
    parts.push(
      await figure(
        'metrics',
        'Retrain metrics over rounds',
        metrics,
        'Recorded at each retrain: how the previous model did on the batch it chose (before seeing it), the final training loss and the mean predicted σ over the pool.',
      ),
    );
  return section('surrogate', 'The surrogate, round by round', parts.join('\n'));
}

async function tiers(d: ReportData): Promise<string> {
  const funnel = await figure(
    'funnel',
    'Tier funnel',
    funnelSpec(d.funnel),
    'Candidates evaluated at each tier: computed, answered from the cache (the same calculation was stored before), failed, and promoted to the next tier.',
  );
  const ladders =
    d.ladders.length === 0
      ? '<p class="note">No basis-ladder (CBS) tier in this campaign: no ladder decisions to show.</p>'
      : `<h3>Basis ladder decisions</h3>${table(
          [
            'round',
            'candidate',
            'tier',
            'bases run',
            'skipped',
            'energy (Eh)',
            'interval',
            'CPU (s)',
            'largest basis alone (s)',
            'source',
          ],
          d.ladders.map((l) => [
            String(l.round),
            `#${l.idx}`,
            l.tier,
            l.basesRun.join(', '),
            l.basesSkipped.join(', ') || '—',
            fmt(l.energy, 6),
            `[${fmt(l.lo, 6)}, ${fmt(l.hi, 6)}]`,
            fmt(l.cpuSeconds, 1),
            fmt(l.largestBasisCpuSeconds, 1),
            l.source,
          ]),
        )}`;
  return section('tiers', 'Tiers', `${funnel}\n${ladders}`);
}

async function resources(d: ReportData, energy: ReturnType<typeof energyScale>): Promise<string> {
  const methods = d.energyMethods.length > 0 ? d.energyMethods.map(methodInWords).join(' + ') : 'unknown';
  const hw = d.hardware.length > 0 ? `, on ${d.hardware.join(', ')}` : '';
  const parts = [
    `<p class="caption"><strong>Energy method:</strong> ${esc(methods)}${esc(hw)}.</p>`,
    await figure(
      'resources',
      'Energy and CPU time by activity',
      resourcesSpec(d.uses, energy),
      'Every ledger line summed by activity, stacked by the tier its work was for (a candidate’s 3D structure and calculation name their tier; training, acquisition and the platform’s own processes work for no tier in particular).',
    ),
  ];
  const cf = d.status.counterfactual;
  if (cf) {
    const bars: Array<{ label: string; kWh: number; kind: 'campaign' | 'brute force' }> = [
      { label: 'this campaign', kWh: cf.actual.energyJoules / JOULES_PER_KWH, kind: 'campaign' },
      ...(cf.bruteForce.firstTier && d.tiers.length > 1
        ? [
            {
              label: `brute force at ${d.tiers[0]}`,
              kWh: cf.bruteForce.firstTier.energyJoules / JOULES_PER_KWH,
              kind: 'brute force' as const,
            },
          ]
        : []),
      ...(cf.bruteForce.allTiers
        ? [
            {
              label: 'brute force, every tier',
              kWh: cf.bruteForce.allTiers.energyJoules / JOULES_PER_KWH,
              kind: 'brute force' as const,
            },
          ]
        : []),
    ];
    parts.push(
      await figure(
        'counterfactual',
        'The brute-force counterfactual',
        counterfactualSpec(bars, energy),
        `What computing all ${cf.poolSize.toLocaleString('en-US')} candidates would have cost, at the median measured per candidate at each tier, against what the campaign spent.`,
      ),
      `<pre class="text">${esc(formatCounterfactual(cf, unitOf(d)))}</pre>`,
    );
  }
  return section('resources', 'Energy and compute', parts.join('\n'));
}

async function topTable(d: ReportData): Promise<string> {
  if (d.top.length === 0)
    return section('top', 'Top candidates', `<p class="note">No ${esc(d.topTier)} result yet.</p>`);
  const head = ['#', 'structure', 'label', ...d.tiers.map((t) => `${t} (${unitOf(d) || 'value'})`)];
  const rows: string[][] = [];
  for (const t of d.top) {
    const pic = await depict(t.candidate);
    const id = t.candidate.kind === 'molecule' ? t.candidate.smiles : t.candidate.key;
    rows.push([
      String(t.rank),
      'svg' in pic ? `<div class="mol" title="${esc(id)}">${pic.svg}</div>` : esc(pic.text),
      `${esc(t.candidate.label)}<br><code class="id">${esc(id)}</code>`,
      ...d.tiers.map((tier) => (t.values[tier] === undefined ? '—' : fmt(t.values[tier] as number))),
    ]);
  }
  // two tables side by side: a depiction is tall, a row is narrow
  const half = Math.ceil(rows.length / 2);
  const tables = [rows.slice(0, half), rows.slice(half)]
    .filter((r) => r.length > 0)
    .map((r) => table(head, r, { raw: true }))
    .join('');
  return section(
    'top',
    'Top candidates',
    `<p class="caption">The best ${d.top.length} by ${esc(d.valueTitle)} at ${esc(d.topTier)}, with their values at every tier.</p><div class="top-grid">${tables}</div>`,
  );
}

async function pareto(d: ReportData): Promise<string> {
  const spec = d.pareto ? paretoSpec(d.pareto) : undefined;
  if (!d.pareto || !spec) return '';
  return section(
    'pareto',
    'Pareto front',
    await figure(
      'pareto',
      `${d.pareto.titles[0]} against ${d.pareto.titles[1]}`,
      spec,
      `Every ${esc(d.topTier)} result in the plane of the first two objectives; the marked ones are not dominated in any of the ${d.objectives.length} objectives.`,
    ),
  );
}

function provenance(d: ReportData): string {
  const file = d.campaign.configFile;
  const text = file && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const versions = table(
    ['tier', 'code', 'version', 'method', 'results'],
    d.versions.codes.map((c) => [c.tier, c.code, c.version, c.method, String(c.results)]),
  );
  const rest = keyValues([
    ['cascade', d.versions.cascade],
    ['surrogates', d.versions.surrogateBackends.join(', ') || 'none trained'],
  ]);
  const recorded = `<pre class="text">${esc(stringify(d.campaign.config))}</pre>`;
  const campaignFile = text
    ? `<p class="caption">The file as it is on disk now; the configuration the store recorded at launch, with every default filled in, is below it.</p>
<pre class="text">${esc(text)}</pre>
<details><summary>The configuration recorded at launch</summary>${recorded}</details>`
    : `<p class="caption">The configuration the store recorded at launch, with every default filled in${file ? ' (the file itself is not readable from here)' : ''}.</p>${recorded}`;
  return section(
    'provenance',
    'Campaign file and versions',
    `<h3>Versions of every code used</h3>${versions}${rest}
<h3>Campaign file${file ? `: <code>${esc(file)}</code>` : ''}</h3>
${campaignFile}`,
  );
}

async function figure(id: string, title: string, spec: VegaLiteSpec, caption: string): Promise<string> {
  return `<figure class="chart" data-chart="${esc(id)}"><h3>${esc(title)}</h3>${await toSvg(spec)}<figcaption>${caption}</figcaption></figure>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}

function keyValues(rows: ReadonlyArray<[string, string]>): string {
  return `<dl class="kv">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** A table; cells are escaped unless `raw` (cells built here from escaped parts and RDKit's SVG). */
function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  o: { raw?: boolean } = {},
): string {
  const cell = (c: string) => (o.raw ? c : esc(c));
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function unitOf(d: ReportData): string {
  return d.status.unit;
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
