/**
 * `cascade cbs generate FILE`: the basis-set convergence data set (data/cbs/) from its YAML description.
 * `cascade cbs eval`: leave-compound-out evaluation of the CBS extrapolation model against the analytic baselines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateDataset } from '../../activities/cbs/generate.js';
import { formatProblem } from '../../lib/campaign/load.js';
import { type CbsDatasetConfig, loadCbsDatasetConfig } from '../../lib/cbs/dataset-config.js';
import { CliError } from '../client.js';
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
    .action(async (file: string, opts: { out?: string; concurrency?: number; dryRun?: boolean }) => {
      const config = readDatasetConfig(file);
      const outDir = path.resolve(opts.out ?? config.output);
      const summary = await generateDataset(
        { ...config, concurrency: opts.concurrency ?? config.concurrency },
        { outDir, dryRun: opts.dryRun, log: (line) => process.stderr.write(`${line}\n`) },
      );
      console.log(
        `${summary.calculations} calculations (${summary.failed} failed): ${summary.solids} solids, ` +
          `${summary.molecules} molecules -> ${path.relative(process.cwd(), outDir) || '.'}`,
      );
    });
}
