/** The export formats, their writers, and which a file name implies. */
import { toCsv } from './csv.js';
import { toExtxyz } from './extxyz.js';
import type { Written } from './fields.js';
import { toJsonl } from './jsonl.js';
import type { ExportedCandidate, ExportMeta } from './record.js';
import { toSdf } from './sdf.js';

export const EXPORT_FORMATS = ['csv', 'jsonl', 'sdf', 'extxyz'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Whether the format carries structures (the others need none read). */
export function carriesStructures(format: ExportFormat): boolean {
  return format === 'sdf' || format === 'extxyz';
}

export function writeExport(
  format: ExportFormat,
  candidates: readonly ExportedCandidate[],
  meta: ExportMeta,
): Written {
  switch (format) {
    case 'csv':
      return { text: toCsv(candidates, meta), skipped: [] };
    case 'jsonl':
      return { text: toJsonl(candidates, meta), skipped: [] };
    case 'sdf':
      return toSdf(candidates, meta);
    case 'extxyz':
      return toExtxyz(candidates, meta);
  }
}

/** The format a file's extension names (`.xyz` is taken as extended XYZ), or undefined. */
export function formatOfFile(file: string): ExportFormat | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(file)?.[1]?.toLowerCase();
  if (ext === 'xyz') return 'extxyz';
  return EXPORT_FORMATS.find((f) => f === ext);
}
