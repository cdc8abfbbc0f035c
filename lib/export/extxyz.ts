/**
 * Extended XYZ (ASE's `key=value` comment line): one frame per candidate with a structure. Molecules are
 * non-periodic (`pbc="F F F"`), crystals carry `Lattice=` (angstrom) and `pbc="T T T"`. Each tier's properties
 * and provenance are keys prefixed with the tier's name, the unit in the key; energies are in eV, as ASE's own
 * are (a property stored in hartree is converted), and `energy=` is the highest tier's total energy, which ASE
 * reads as the frame's potential energy. A 2D depiction is no structure to compute on: such candidates are left
 * out and listed in `skipped`.
 */
import { EV_PER_HARTREE } from '../domain/units.js';
import { candidateFields, type FieldValue, type Written } from './fields.js';
import type {
  ExportedCandidate,
  ExportedCrystal,
  ExportedEvaluation,
  ExportedMolecule,
  ExportMeta,
} from './record.js';

/** The property ASE's `energy` key takes. */
const TOTAL_ENERGY = 'totalEnergy';

export function toExtxyz(candidates: readonly ExportedCandidate[], meta: ExportMeta): Written {
  const inEv = electronvolts(meta);
  const frames: string[] = [];
  const skipped: Written['skipped'] = [];
  for (const c of candidates) {
    const s = c.structure;
    if (s === undefined || s.kind === 'molblock') {
      skipped.push({ idx: c.idx, why: s ? 'no 3D structure (2D depiction only)' : 'no structure' });
      continue;
    }
    const converted = { ...c, evaluations: c.evaluations.map(inEv.evaluation) };
    const keys = candidateFields(converted, s.source, inEv.meta);
    const energy = highestTotalEnergy(converted.evaluations);
    frames.push(
      frame(s, [...(energy === undefined ? [] : [['energy', energy] as [string, number]]), ...keys]),
    );
  }
  return { text: frames.join(''), skipped };
}

function frame(s: ExportedMolecule | ExportedCrystal, keys: Array<[string, FieldValue]>): string {
  const positions = s.kind === 'crystal' ? s.positions : s.coords;
  const head =
    s.kind === 'crystal'
      ? [
          `Lattice="${s.lattice.flat().map(String).join(' ')}"`,
          'Properties=species:S:1:pos:R:3',
          'pbc="T T T"',
        ]
      : ['Properties=species:S:1:pos:R:3', 'pbc="F F F"'];
  const comment = [
    ...head,
    ...keys.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${keyValue(v)}`),
  ].join(' ');
  const atoms = s.symbols.map((sym, i) => {
    const [x, y, z] = positions[i] ?? [0, 0, 0];
    return `${sym} ${x} ${y} ${z}`;
  });
  return `${s.symbols.length}\n${comment}\n${atoms.join('\n')}\n`;
}

/** Numbers in full, booleans as T/F, text always quoted (backslash escapes) so ASE keeps it as text. */
function keyValue(v: FieldValue): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  return `"${String(v)
    .replace(/[\\"]/g, (ch) => `\\${ch}`)
    .replace(/[\r\n]+/g, ' ')}"`;
}

/** The metadata and evaluations with every property stored in hartree given in eV instead. */
function electronvolts(meta: ExportMeta): {
  meta: ExportMeta;
  evaluation: (e: ExportedEvaluation) => ExportedEvaluation;
} {
  const hartree = new Set(meta.properties.filter((p) => meta.units[p] === 'Eh'));
  const units = Object.fromEntries(
    Object.entries(meta.units).map(([p, u]) => [p, hartree.has(p) ? 'eV' : u]),
  );
  return {
    meta: { ...meta, units },
    evaluation: (e) => ({
      ...e,
      values: Object.fromEntries(
        Object.entries(e.values).map(([p, v]) => [p, hartree.has(p) ? v * EV_PER_HARTREE : v]),
      ),
    }),
  };
}

/** The total energy of the highest tier that reported one (the evaluations are lowest tier first). */
function highestTotalEnergy(evaluations: readonly ExportedEvaluation[]): number | undefined {
  let energy: number | undefined;
  for (const e of evaluations) energy = e.values[TOTAL_ENERGY] ?? energy;
  return energy;
}
