/**
 * The figures of data/al/README.md (counts, failures, CPU by level, codes' versions, machine, date), written
 * between two markers from the pool files themselves, so that the README cannot disagree with them. The
 * prose around the markers is written by hand.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { OPENCHEMLIB_VERSION } from '../../activities/qm/geometry.js';
import { tierName } from '../../lib/campaign/schema.js';
import { codeEntry } from '../../qm/codes/registry.js';
import type { PoolDefinition } from './definitions.js';
import type { PoolRow } from './rows.js';

export const FIGURES_START =
  '<!-- figures: written by `npx tsx scripts/label-pool.ts readme`, do not edit -->';
export const FIGURES_END = '<!-- end of figures -->';

export interface LevelFigures {
  level: string;
  ok: number;
  failed: number;
  /** Molecules whose ladder ended below this tier (their cheaper tier failed). */
  notRun: number;
  cpuHours: number;
}

/** Per level (the geometry, then each tier): how many ok, failed or not run, and the CPU they took. */
export function levelFigures(def: PoolDefinition, rows: readonly PoolRow[]): LevelFigures[] {
  const hours = (s: number) => s / 3600;
  const geometry: LevelFigures = {
    level: 'geometry',
    ok: rows.filter((r) => r.geometry.error === undefined).length,
    failed: rows.filter((r) => r.geometry.error !== undefined).length,
    notRun: 0,
    cpuHours: hours(rows.reduce((a, r) => a + r.geometry.cpuSeconds, 0)),
  };
  const tiers = def.config.tiers.map((tier) => {
    const name = tierName(tier);
    const labels = rows.flatMap((r) => (r.labels[name] ? [r.labels[name]] : []));
    return {
      level: name,
      ok: labels.filter((l) => l.status === 'ok').length,
      failed: labels.filter((l) => l.status === 'failed').length,
      notRun: rows.length - labels.length,
      cpuHours: hours(labels.reduce((a, l) => a + l.cpuSeconds, 0)),
    };
  });
  return [geometry, ...tiers];
}

export async function writeFigures(
  readme: string,
  pools: readonly { def: PoolDefinition; file: string; rows: readonly PoolRow[] }[],
): Promise<void> {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(FIGURES_START);
  const end = text.indexOf(FIGURES_END);
  if (start < 0 || end < start) throw new Error(`${readme} lacks the figures markers`);
  const block = [FIGURES_START, '', ...(await figures(pools)), '', FIGURES_END].join('\n');
  writeFileSync(readme, text.slice(0, start) + block + text.slice(end + FIGURES_END.length));
}

async function figures(
  pools: readonly { def: PoolDefinition; file: string; rows: readonly PoolRow[] }[],
): Promise<string[]> {
  const codes = [...new Set(pools.flatMap((p) => p.def.config.tiers.map((t) => t.code)))];
  const versions: string[] = [];
  for (const code of codes) {
    const entry = codeEntry(code);
    versions.push(`${code} ${await entry.version(entry.profile().binary)}`);
  }
  const cpu = cpus();
  const rows: string[][] = [];
  for (const { def, file, rows: pool } of pools) {
    for (const f of levelFigures(def, pool)) {
      const counts = [pool.length, f.ok, f.failed, f.notRun].map(String);
      rows.push([`\`${file}\``, counts[0] as string, f.level, ...counts.slice(1), f.cpuHours.toFixed(3)]);
    }
  }
  const lines = [
    `Written ${new Date().toISOString().slice(0, 10)} on ${cpu[0]?.model ?? 'an unknown CPU'} (${cpu.length} ` +
      `logical CPUs), Node ${process.version}; ${versions.join(', ')}, OpenChemLib ${OPENCHEMLIB_VERSION}.`,
    '',
    ...table(['file', 'molecules', 'level', 'ok', 'failed', 'not run', 'CPU hours'], rows),
  ];
  return lines;
}

/** A Markdown table with aligned columns (as the formatter writes it, so that a rewrite leaves it clean). */
function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
