/**
 * SDF: one record per molecule, its molfile (3D where the store has a geometry, else the 2D depiction it was
 * given) and its properties and provenance as data fields (`> <name>`), one set per tier prefixed with the
 * tier's name (`xtb_homoLumoGap_eV`, `xtb_code_version`), then the licence and the cascade version. Crystals
 * have no place in an SDF: they are left out and listed in `skipped`.
 */
import { candidateFields, type FieldValue, fieldText, type Written } from './fields.js';
import { oneLine, toMolblock } from './molblock.js';
import type { ExportedCandidate, ExportMeta } from './record.js';

export function toSdf(candidates: readonly ExportedCandidate[], meta: ExportMeta): Written {
  const records: string[] = [];
  const skipped: Written['skipped'] = [];
  for (const c of candidates) {
    const s = c.structure;
    if (s === undefined || s.kind === 'crystal') {
      skipped.push({ idx: c.idx, why: s ? 'a crystal has no SDF record' : 'no structure' });
      continue;
    }
    const molblock = s.kind === 'molecule' ? toMolblock(c.label, s) : retitled(s.molblock, c.label);
    records.push(`${molblock}${dataFields(candidateFields(c, s.source, meta))}$$$$\n`);
  }
  return { text: records.join(''), skipped };
}

/** Data items; an absent value is left out (an empty one would read back as an empty string, not as missing). */
function dataFields(fields: Array<[string, FieldValue]>): string {
  return fields
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([name, v]) => `> <${name}>\n${oneLine(fieldText(v))}\n\n`)
    .join('');
}

/** A molblock's first line is its title. */
function retitled(molblock: string, title: string): string {
  const rest = molblock.slice(molblock.indexOf('\n') + 1);
  return `${oneLine(title).slice(0, 80)}\n${rest.endsWith('\n') ? rest : `${rest}\n`}`;
}
