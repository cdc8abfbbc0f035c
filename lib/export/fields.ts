/**
 * One evaluation as named fields, the same in every format: CSV columns, SDF data fields and extxyz keys (the
 * last two prefixed with the tier). Property fields carry their unit in the name.
 */
import {
  type ExportedCandidate,
  type ExportedEvaluation,
  type ExportMeta,
  fieldName,
  propertyField,
} from './record.js';

export type FieldValue = string | number | boolean | undefined;

type Field = [name: string, get: (e: ExportedEvaluation) => FieldValue];

const STATUS: Field[] = [
  ['round', (e) => e.round],
  ['status', (e) => e.status],
  ['failure_class', (e) => e.failureClass],
  ['failure_kind', (e) => e.failureKind],
  ['cached', (e) => e.cached],
];

const PROVENANCE: Field[] = [
  ['code', (e) => e.code],
  ['code_version', (e) => e.codeVersion],
  ['method', (e) => e.method],
  ['settings', (e) => e.settings && settingsText(e.settings)],
  ['input_hash', (e) => e.inputHash],
  ['result_key', (e) => e.resultKey],
  ['cpu_seconds', (e) => e.cpuSeconds],
  ['energy_J', (e) => e.energyJoules],
  ['energy_source', (e) => e.energySource],
  ['energy_method', (e) => (e.energyMethods.length > 0 ? e.energyMethods.join(';') : undefined)],
  ['host', (e) => e.host],
  ['date', (e) => e.date],
  ['message', (e) => e.message],
];

/** The fields of an evaluation: status, one per property of `properties` (with its unit), then provenance. */
function fields(properties: readonly string[], units: Record<string, string>): Field[] {
  return [
    ...STATUS,
    ...properties.map((p): Field => [propertyField(p, units), (e) => e.values[p]]),
    ...PROVENANCE,
  ];
}

/** The names evaluationFields gives, in its order. */
export function evaluationFieldNames(properties: readonly string[], units: Record<string, string>): string[] {
  return fields(properties, units).map(([name]) => name);
}

/** The evaluation's fields, in evaluationFieldNames' order; an absent value is undefined. */
export function evaluationFields(
  e: ExportedEvaluation,
  properties: readonly string[],
  units: Record<string, string>,
): Array<[string, FieldValue]> {
  return fields(properties, units).map(([name, get]) => [name, get(e)]);
}

/** Settings as compact JSON with keys sorted at every level: the same settings, the same text. */
export function settingsText(settings: Record<string, unknown>): string {
  return JSON.stringify(settings, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A field's text: numbers as the shortest decimal that reads back as the same double, absent as empty. */
export function fieldText(v: FieldValue): string {
  return v === undefined ? '' : String(v);
}

/** What a writer of one record per candidate wrote, and the candidates it left out with why. */
export interface Written {
  text: string;
  skipped: Array<{ idx: number; why: string }>;
}

/**
 * A candidate as named fields (SDF data items, extxyz keys): who it is, then each tier's evaluation with the
 * tier's name as prefix, then the licence and the cascade version.
 */
export function candidateFields(
  c: ExportedCandidate,
  source: string,
  meta: ExportMeta,
): Array<[string, FieldValue]> {
  return [
    ['idx', c.idx],
    ['label', c.label],
    ['identity', c.identity],
    ['kind', c.kind],
    ['geometry_source', source],
    ...c.evaluations.flatMap((e) =>
      evaluationFields(e, meta.properties, meta.units).map(([name, v]): [string, FieldValue] => [
        fieldName(e.tier, name),
        v,
      ]),
    ),
    ['licence', meta.licence],
    ['cascade_version', meta.cascadeVersion],
  ];
}
