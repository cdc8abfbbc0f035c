/**
 * CSV: one row per evaluation (a candidate at a tier), so every tier's properties and provenance sit in the same
 * columns; a candidate evaluated at two tiers is two rows with the same idx. Every row carries the licence and
 * the cascade version, so a copy of the table alone still says under which terms it may be used (the sidecar
 * FILE.meta.json says the rest). RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
 */
import { evaluationFieldNames, evaluationFields, fieldText } from './fields.js';
import type { ExportedCandidate, ExportMeta } from './record.js';

export function toCsv(candidates: readonly ExportedCandidate[], meta: ExportMeta): string {
  const header = [
    'idx',
    'label',
    'kind',
    'identity',
    'tier',
    ...evaluationFieldNames(meta.properties, meta.units),
    'licence',
    'cascade_version',
  ];
  const rows = candidates.flatMap((c) =>
    c.evaluations.map((e) => [
      String(c.idx),
      c.label,
      c.kind,
      c.identity,
      e.tier,
      ...evaluationFields(e, meta.properties, meta.units).map(([, v]) => fieldText(v)),
      meta.licence,
      meta.cascadeVersion,
    ]),
  );
  return [header, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
