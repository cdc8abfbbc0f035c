import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import {
  carriesStructures,
  EXPORT_FORMATS,
  type ExportFormat,
  formatOfFile,
  writeExport,
} from '../../lib/export/formats.js';
import { openStore } from '../../store/open.js';
import { CliError } from '../client.js';
import { assembleExport } from '../export/assemble.js';
import { DEFAULT_LICENCE } from '../export/meta.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'every evaluated candidate of a campaign with its properties per tier, status, failure class and provenance, as open data',
    )
    .argument('<campaign>', 'campaign name')
    .option(
      '--format <format>',
      `${EXPORT_FORMATS.join(', ')} (default: from the -o extension, else csv)`,
      exportFormat,
    )
    .option(
      '-o, --output <file>',
      'write FILE and FILE.meta.json (licence, version, units) instead of stdout',
    )
    .option('--licence <spdx>', 'the data licence, an SPDX identifier', DEFAULT_LICENCE)
    .action(async (name: string, o: { format?: ExportFormat; output?: string; licence: string }) => {
      const format = o.format ?? (o.output ? formatOfFile(o.output) : undefined) ?? 'csv';
      const data = await assembleExport(openStore(), name, {
        licence: o.licence,
        structures: carriesStructures(format),
      });
      if (data.candidates.length === 0) throw new CliError(`${name}: no evaluated candidates to export`);
      const written = writeExport(format, data.candidates, data.meta);
      const evaluations = data.candidates.reduce((n, c) => n + c.evaluations.length, 0);
      const records = data.candidates.length - written.skipped.length;
      if (!o.output) {
        process.stdout.write(written.text);
      } else {
        writeFileSync(o.output, written.text);
        const sidecar = { ...data.meta, format, file: o.output, records, skipped: written.skipped };
        writeFileSync(`${o.output}.meta.json`, `${JSON.stringify(sidecar, null, 2)}\n`);
      }
      const where = o.output ? `${o.output} (+ ${o.output}.meta.json)` : 'stdout';
      process.stderr.write(
        `${name}: ${records} candidates, ${evaluations} evaluations as ${format} to ${where}; licence ${data.meta.licence}\n`,
      );
      for (const s of written.skipped) process.stderr.write(`  left out #${s.idx}: ${s.why}\n`);
    });
}

function exportFormat(value: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x === value);
  if (!f) throw new InvalidArgumentError(`expected one of ${EXPORT_FORMATS.join(', ')}.`);
  return f;
}
