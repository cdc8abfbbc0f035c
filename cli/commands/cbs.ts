/**
 * `cascade cbs generate FILE`: the basis-set convergence data set (data/cbs/) from its YAML description.
 * `cascade cbs eval`: leave-compound-out evaluation of the CBS extrapolation model against the analytic baselines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { crossValidate } from '../../activities/cbs/cross-validate.js';
import { generateDataset } from '../../activities/cbs/generate.js';
import { readDataset } from '../../activities/cbs/read-dataset.js';
import { formatProblem } from '../../lib/campaign/load.js';
import { type CbsDatasetConfig, loadCbsDatasetConfig } from '../../lib/cbs/dataset-config.js';
import { type ExampleSet, moleculeExamples, referenceChecks, solidExamples } from '../../lib/cbs/examples.js';
import type { ErrorSummary } from '../../lib/cbs/metrics.js';
import { rowStats, settingsVariants } from '../../lib/cbs/rows.js';
import { MEV_PER_HARTREE as HARTREE_MEV } from '../../lib/domain/units.js';
import { openStore } from '../../store/open.js';
import { CliError } from '../client.js';
import { bar } from '../format.js';
import { positiveInt } from '../options.js';

function readDatasetConfig(file: string): CbsDatasetConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`, 2);
  }
  const { data, problems } = loadCbsDatasetConfig(text, file);
  if (!data || problems.length > 0) {
    throw new CliError(problems.map(formatProblem).join('\n') || `${file}: invalid data-set file`, 2);
  }
  return data;
}

export function registerCbs(program: Command): void {
  const cbs = program
    .command('cbs')
    .description('basis-set (CBS) extrapolation: generate the open data set, evaluate the model');
  cbs
    .command('generate')
    .description('run every calculation of a data-set file through the cache and write JSONL files')
    .argument('<file>', 'data-set YAML, e.g. configs/cbs/dataset.yaml')
    .option(
      '--out <dir>',
      "output directory (default: the file's `output`, relative to the current directory)",
    )
    .option('--concurrency <n>', "calculations at once (default: the file's `concurrency`)", positiveInt)
    .option('--dry-run', 'list the calculations without running them')
    .option('--only <part>', 'solids or molecules: run one part (e.g. one process per part, side by side)')
    .action(
      async (file: string, opts: { out?: string; concurrency?: number; dryRun?: boolean; only?: string }) => {
        const all = readDatasetConfig(file);
        if (opts.only !== undefined && opts.only !== 'solids' && opts.only !== 'molecules') {
          throw new CliError(`--only must be solids or molecules, got "${opts.only}"`, 2);
        }
        const config = {
          ...all,
          solids: opts.only === 'molecules' ? undefined : all.solids,
          molecules: opts.only === 'solids' ? undefined : all.molecules,
        };
        const outDir = path.resolve(opts.out ?? config.output);
        // Ctrl-C or a kill: write what finished, then stop (the store keeps every result for the next run)
        const stop = new AbortController();
        const onSignal = (sig: NodeJS.Signals) => {
          stop.abort();
          process.stderr.write(`${sig}: wrote the finished calculations to ${outDir}\n`);
          process.exit(130);
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const summary = await generateDataset(
          { ...config, concurrency: opts.concurrency ?? config.concurrency },
          {
            outDir,
            dryRun: opts.dryRun,
            signal: stop.signal,
            store: openStore(),
            log: progressLog(process.stderr),
          },
        );
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        if (process.stderr.isTTY) process.stderr.write(CLEAR_LINE);
        console.log(
          `${summary.calculations} calculations (${summary.failed} failed): ${summary.solids} solids, ` +
            `${summary.molecules} molecules -> ${path.relative(process.cwd(), outDir) || '.'}`,
        );
      },
    );
  registerCbsEval(cbs);
}

/** How generateDataset logs a finished calculation: `[done/total, elapsed s] label: what happened`. */
const DONE_LINE = /^\[(\d+)\/(\d+), (\d+) s\] /;
const CLEAR_LINE = '\r\x1b[2K';

/**
 * The generator's lines on stderr. On a terminal a bar with the time left stays under them (redrawn after each
 * finished calculation); piped to a file or a test, the lines alone, as before.
 */
export function progressLog(out: NodeJS.WriteStream): (line: string) => void {
  return (line) => {
    if (!out.isTTY) {
      out.write(`${line}\n`);
      return;
    }
    const m = line.match(DONE_LINE);
    out.write(`${CLEAR_LINE}${line}\n`);
    if (m) out.write(progressBar(Number(m[1]), Number(m[2]), Number(m[3])));
  };
}

/** `[######------] 12/40 calculations, ~3 min left`: the time left from the pace so far. */
export function progressBar(done: number, total: number, elapsedSeconds: number): string {
  const left = done > 0 ? (elapsedSeconds / done) * (total - done) : undefined;
  const eta =
    left === undefined || done >= total
      ? ''
      : left < 90
        ? `, ~${Math.max(1, Math.round(left))} s left`
        : left < 5400
          ? `, ~${Math.round(left / 60)} min left`
          : `, ~${(left / 3600).toFixed(1)} h left`;
  return `${bar(done, total)} ${done}/${total} calculations${eta}`;
}

function row(name: string, s: ErrorSummary): string {
  const cov = s.coverage === undefined ? '     -' : s.coverage.toFixed(3).padStart(6);
  const width = s.medianWidthMeV === undefined ? '      -' : s.medianWidthMeV.toFixed(2).padStart(7);
  return `  ${name.padEnd(44)} ${String(s.n).padStart(4)} ${s.smape.toFixed(1).padStart(7)} ${s.smapeHalf.toFixed(1).padStart(7)} ${s.maeMeV.toFixed(2).padStart(8)} ${cov} ${width}`;
}

const HEADER = `  ${'model'.padEnd(44)} ${'n'.padStart(4)} ${'sMAPE%'.padStart(7)} ${'sMAPE½%'.padStart(7)} ${'MAE'.padStart(8)} ${'cov90'.padStart(6)} ${'width'.padStart(7)}`;

export function registerCbsEval(cbs: Command): void {
  cbs
    .command('eval')
    .description(
      'leave-compound-out cross-validation of the QRF model against the analytic baselines; ends with a JSON line',
    )
    .option('--data <dir>', 'data-set directory', 'data/cbs')
    .option('--folds <n>', 'cross-validation folds (compounds are split, not rows)', positiveInt, 10)
    .option('--seed <n>', 'seed for folds and forest', positiveInt, 1)
    .option('--trees <n>', 'trees in the forest', positiveInt, 300)
    .action(async (opts: { data: string; folds: number; seed: number; trees: number }) => {
      const data = readDataset(path.resolve(opts.data));
      for (const [file, rows] of [
        ['solids.jsonl', data.solids],
        ['molecules.jsonl', data.molecules],
      ] as const) {
        if (!rows) continue;
        const st = rowStats(rows);
        console.log(
          `${file}: ${st.calculations} calculations (${st.failed} failed) on ${st.compounds} compounds, ` +
            `${st.cpuHours.toFixed(2)} CPU-h`,
        );
        const variants = settingsVariants(rows);
        if (variants.length > 1) {
          console.warn(
            `warning: ${file} mixes ${variants.length} sets of settings, so its basis-set errors are not comparable ` +
              `(finish the regeneration that changed them):\n${variants.map((v) => `  ${v.rows} rows: ${v.settings}`).join('\n')}`,
          );
        }
      }
      const sets: [string, ExampleSet][] = [];
      if (data.solids) sets.push(['elk', solidExamples(data.solids)]);
      if (data.molecules) sets.push(['nwchem', moleculeExamples(data.molecules)]);
      const result: Record<string, unknown> = {};
      for (const [code, set] of sets) {
        const cv = await crossValidate(set, { folds: opts.folds, seed: opts.seed, trees: opts.trees });
        console.log(
          `\n${code}: ${cv.compounds} compounds, ${cv.examples} examples, ${cv.folds}-fold leave-compound-out` +
            (set.dropped.length > 0 ? `; ${set.dropped.length} compounds left out` : ''),
        );
        for (const d of set.dropped) console.log(`  left out ${d.group}: ${d.reason}`);
        console.log(`${HEADER}   (MAE and width in meV/atom)`);
        for (const [name, s] of Object.entries(cv.scores)) console.log(row(name, s));
        for (const [size, models] of Object.entries(cv.byBasis)) {
          for (const [name, s] of Object.entries(models))
            if (s.n > 0) console.log(row(`${name} at basis ${size}`, s));
        }
        result[code] = {
          compounds: cv.compounds,
          examples: cv.examples,
          folds: cv.folds,
          dropped: set.dropped.length,
          scores: cv.scores,
          byBasis: cv.byBasis,
        };
      }
      // how far each code's reference is from converged, where a larger basis was run for a few compounds
      const checks = {
        elk: data.solids
          ? referenceChecks(
              data.solids.filter((r) => r.kind === 'binary'),
              (r) => r.compound,
              (r) => `rgkmax ${r.rgkmax}`,
            )
          : [],
        nwchem: data.molecules
          ? referenceChecks(
              data.molecules,
              (r) => r.smiles,
              (r) => r.basis,
            )
          : [],
      };
      const referenceCheck: Record<string, unknown> = {};
      for (const [code, list] of Object.entries(checks)) {
        if (list.length === 0) continue;
        const mev = list.map((c) => c.error * HARTREE_MEV).sort((a, b) => a - b);
        const median = mev[Math.floor(mev.length / 2)] as number;
        const maxAbs = Math.max(...mev.map(Math.abs));
        console.log(
          `\n${code}'s reference itself: ${list[0]?.basis} - reference = ${median.toFixed(3)} meV/atom (median; ` +
            `range ${(mev[0] as number).toFixed(3)} to ${(mev[mev.length - 1] as number).toFixed(3)}, ${mev.length} compounds)`,
        );
        referenceCheck[code] = {
          basis: list[0]?.basis,
          n: mev.length,
          medianMeVPerAtom: median,
          maxAbsMeVPerAtom: maxAbs,
        };
      }
      if (Object.keys(referenceCheck).length > 0) result.referenceCheck = referenceCheck;
      console.log(JSON.stringify(result));
    });
}
