/**
 * A top candidate as the table shows it: a molecule's 2D depiction (RDKit's SVG, from the loader the activities
 * use), a crystal's formula and cell.
 */
import { loadRDKit, withMol } from '../../activities/chem/rdkit.js';
import { compositionOf, formulaOf } from '../../lib/chem/composition.js';
import type { Candidate } from '../../lib/domain/candidate.js';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { cellVolume } from '../../qm/structure.js';

export type Depiction = { svg: string } | { text: string };

export async function depict(c: Candidate, size = { width: 150, height: 100 }): Promise<Depiction> {
  if (c.kind === 'crystal') return { text: crystalText(c) };
  const rdkit = await loadRDKit();
  const svg = withMol(rdkit, c.smiles, (mol) => mol.get_svg(size.width, size.height));
  // inline in HTML: the XML declaration is not allowed there
  return svg ? { svg: svg.replace(/<\?xml[^>]*\?>\s*/, '') } : { text: c.smiles };
}

/** Formula, atoms per cell and cell volume. */
function crystalText(c: Extract<Candidate, { kind: 'crystal' }>): string {
  const s = c.structure;
  const formula = formulaOf(compositionOf(s.symbols));
  const volume = Math.abs(cellVolume(s)) * ANGSTROM_PER_BOHR ** 3;
  return `${formula}, ${s.symbols.length} atoms per cell, ${volume.toFixed(1)} Å³`;
}
