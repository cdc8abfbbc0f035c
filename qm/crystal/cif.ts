/**
 * Crystals from CIF files: the cell, the atom sites in fractional coordinates and the symmetry operations that
 * generate the rest of the cell. One crystal per data block that has a cell and atom sites.
 *
 * Written by hand (the syntax in cif-syntax.ts): no maintained CIF reader exists on npm that expands symmetry
 * and checks occupancies; the one there is (crystcif-parse) depends on mathjs 7 from 2020.
 *
 * cascade computes ordered cells only, so a site with partial occupancy is refused (naming the site) rather than
 * silently filled. A block that names a space group other than P1 but lists no operations is refused too: this
 * reader carries no space-group tables, and reading only the asymmetric unit would give a wrong crystal.
 */
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { elementSymbol } from '../elements.js';
import { checkCrystal, StructureError } from '../structure.js';
import type { Crystal, Vec3 } from '../template.js';
import {
  type CifBlock,
  type CifValue,
  cifNumber,
  isNull,
  loopWith,
  parseCif,
  valuesOf,
} from './cif-syntax.js';
import { fractionalSeparation, orbit, parseSymop, type SymmetryOperation } from './symop.js';

/**
 * Images of a site closer than this (fractional, per component) are the same atom: a site on a special position.
 * ASE's CIF reader uses the same tolerance; CIF coordinates rarely carry more than 4-5 digits.
 */
export const SITE_MERGE_TOLERANCE = 1e-3;
/** Occupancies this close to 1 are full (files round 1 to 0.9999 and the like). */
const FULL_OCCUPANCY = 1 - 1e-3;

const SYMOP_TAGS = ['_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz'];
const GROUP_NAME_TAGS = [
  '_space_group_name_h-m_alt',
  '_symmetry_space_group_name_h-m',
  '_space_group_name_hall',
];
const GROUP_NUMBER_TAGS = ['_space_group_it_number', '_symmetry_int_tables_number'];

/** A data block's crystal, with the block's name. */
export interface CifCrystal {
  name: string;
  crystal: Crystal;
}

/** The crystals of a CIF, one per data block with a cell and atom sites. Throws StructureError naming `source`. */
export function readCif(text: string, source = 'structure.cif'): Crystal[] {
  return readCifBlocks(text, source).map((b) => b.crystal);
}

/** Like readCif, keeping each block's name. */
export function readCifBlocks(text: string, source = 'structure.cif'): CifCrystal[] {
  const blocks = parseCif(text, source);
  const out: CifCrystal[] = [];
  for (const block of blocks) {
    const crystal = blockCrystal(block, source);
    if (crystal) out.push({ name: block.name, crystal });
  }
  if (out.length === 0) {
    throw new StructureError(
      `${source}: no data block with a cell and atom sites ` +
        `(${blocks.length === 0 ? 'no data_ block at all' : `blocks: ${blocks.map((b) => `data_${b.name}`).join(', ')}`})`,
    );
  }
  return out;
}

/** The block's crystal; undefined for a block with neither cell nor atom sites (publication data, say). */
function blockCrystal(block: CifBlock, source: string): Crystal | undefined {
  const where = `${source} (data_${block.name})`;
  const bad = (what: string) => new StructureError(`${where}: ${what}`);
  const hasCell = block.items.has('_cell_length_a');
  const sites = loopWith(block, '_atom_site_fract_x') ?? loopWith(block, '_atom_site_label');
  if (!hasCell && !sites) return undefined;
  if (!hasCell) throw bad('atom sites but no cell (_cell_length_a ...)');
  if (!sites) throw bad('a cell but no atom sites (loop_ _atom_site_label _atom_site_fract_x ...)');
  const lattice = cellVectors(block, bad);
  const ops = operations(block, bad);
  const { symbols, fractional } = expandSites(block, ops, bad);
  const toBohr = 1 / ANGSTROM_PER_BOHR;
  const inBohr = lattice.map((v) => v.map((x) => x * toBohr)) as [Vec3, Vec3, Vec3];
  return checkCrystal({ kind: 'crystal', lattice: inBohr, symbols, fractional }, where);
}

/** A number the block must give once, e.g. a cell length. */
function requiredNumber(block: CifBlock, tag: string, bad: (w: string) => Error, fallback?: number): number {
  const v = block.items.get(tag);
  if (isNull(v)) {
    if (fallback !== undefined) return fallback;
    throw bad(`${tag} is missing`);
  }
  const x = cifNumber(v as CifValue);
  if (!Number.isFinite(x)) throw bad(`${tag} = "${(v as CifValue).text}" is not a number`);
  return x;
}

/**
 * Lattice vectors (angstrom) from a, b, c, alpha, beta, gamma, in the usual orientation: a along x, b in the xy
 * plane (ASE's cellpar_to_cell, so the two readers agree to rounding). Angles default to 90 degrees, as the CIF
 * core dictionary says.
 */
function cellVectors(block: CifBlock, bad: (w: string) => Error): [Vec3, Vec3, Vec3] {
  const [a, b, c] = ['a', 'b', 'c'].map((k) => requiredNumber(block, `_cell_length_${k}`, bad)) as Vec3;
  const [alpha, beta, gamma] = ['alpha', 'beta', 'gamma'].map((k) =>
    requiredNumber(block, `_cell_angle_${k}`, bad, 90),
  ) as Vec3;
  if (!(a > 0 && b > 0 && c > 0)) throw bad(`cell lengths must be positive, got ${a}, ${b}, ${c}`);
  // exact right angles give exact zeros, not 6e-17
  const cos = (deg: number) => (Math.abs(deg - 90) < 1e-10 ? 0 : Math.cos((deg * Math.PI) / 180));
  const sinGamma = Math.abs(gamma - 90) < 1e-10 ? 1 : Math.sin((gamma * Math.PI) / 180);
  const [ca, cb, cg] = [cos(alpha), cos(beta), cos(gamma)];
  const cy = (ca - cb * cg) / sinGamma;
  const cz2 = 1 - cb * cb - cy * cy;
  if (!(cz2 > 1e-12)) throw bad(`cell angles ${alpha}, ${beta}, ${gamma} do not make a cell`);
  return [
    [a, 0, 0],
    [b * cg, b * sinGamma, 0],
    [c * cb, c * cy, c * Math.sqrt(cz2)],
  ];
}

/** The block's symmetry operations; the identity alone for P1 or when the block names no group. */
function operations(block: CifBlock, bad: (w: string) => Error): SymmetryOperation[] {
  const tag = SYMOP_TAGS.find((t) => valuesOf(block, t).length > 0);
  if (!tag) {
    const group = spaceGroupNamed(block);
    if (group && !/^(p\s*1|1|p\s*1\s*\(1\)|)$/i.test(group.trim())) {
      throw bad(
        `space group "${group}" but no symmetry operations (_space_group_symop_operation_xyz); ` +
          'list the operations or give all atoms of the cell in P1',
      );
    }
    return [{ rotation: identity(), translation: [0, 0, 0] }];
  }
  return valuesOf(block, tag).map((v) => {
    const op = parseSymop(v.text);
    if (typeof op === 'string') throw bad(`line ${v.line}: ${tag}: ${op}`);
    return op;
  });
}

function spaceGroupNamed(block: CifBlock): string | undefined {
  for (const tag of [...GROUP_NAME_TAGS, ...GROUP_NUMBER_TAGS]) {
    const v = block.items.get(tag);
    if (!isNull(v)) return (v as CifValue).text;
  }
  return undefined;
}

function identity(): [Vec3, Vec3, Vec3] {
  return [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
}

/**
 * Every atom of the cell: each site's orbit under the operations. A site whose orbit lands on another site's atom
 * is an error naming both (the same site listed twice, or a wrong operation).
 */
function expandSites(
  block: CifBlock,
  ops: SymmetryOperation[],
  bad: (w: string) => Error,
): { symbols: string[]; fractional: Vec3[]; labels: string[] } {
  const loop = loopWith(block, '_atom_site_fract_x') ?? loopWith(block, '_atom_site_label');
  if (!loop) throw bad('no atom sites');
  const col = {
    label: loop.column('_atom_site_label'),
    type: loop.column('_atom_site_type_symbol'),
    occupancy: loop.column('_atom_site_occupancy'),
    x: loop.column('_atom_site_fract_x'),
    y: loop.column('_atom_site_fract_y'),
    z: loop.column('_atom_site_fract_z'),
  };
  if (col.x < 0 || col.y < 0 || col.z < 0) {
    throw bad('atom sites need fractional coordinates (_atom_site_fract_x, _y, _z)');
  }
  if (col.label < 0 && col.type < 0) throw bad('atom sites need _atom_site_type_symbol or _atom_site_label');
  const symbols: string[] = [];
  const fractional: Vec3[] = [];
  const labels: string[] = [];
  loop.rows.forEach((row, r) => {
    const label = col.label >= 0 ? (row[col.label] as CifValue).text : `site ${r + 1}`;
    const site = `site ${label} (line ${(row[0] as CifValue).line})`;
    const symbol = siteElement(row[col.type], row[col.label]);
    if (!symbol) throw bad(`${site}: no element in type symbol or label`);
    const occ = row[col.occupancy];
    if (col.occupancy >= 0 && !isNull(occ)) {
      const o = cifNumber(occ as CifValue);
      if (!Number.isFinite(o)) throw bad(`${site}: occupancy "${(occ as CifValue).text}" is not a number`);
      if (o < FULL_OCCUPANCY) {
        throw bad(
          `${site} has occupancy ${o}: partially occupied (disordered) sites are not supported, ` +
            'cascade computes ordered cells; give an ordered supercell instead',
        );
      }
    }
    const f = [col.x, col.y, col.z].map((c) => cifNumber(row[c] as CifValue)) as Vec3;
    if (!f.every(Number.isFinite)) {
      throw bad(
        `${site}: coordinates ${[col.x, col.y, col.z].map((c) => (row[c] as CifValue).text).join(' ')}`,
      );
    }
    for (const p of orbit(f, ops, SITE_MERGE_TOLERANCE)) {
      const clash = fractional.findIndex((q) => fractionalSeparation(p, q) < SITE_MERGE_TOLERANCE);
      if (clash >= 0) {
        throw bad(`${site} has an image on an atom of site ${labels[clash]}: is a site listed twice?`);
      }
      symbols.push(symbol);
      fractional.push(p);
      labels.push(label);
    }
  });
  return { symbols, fractional, labels };
}

/**
 * The element of a site: from its type symbol ("Mg", "O2-", "Fe3+") or else its label ("Mg1", "O2a"), by the
 * leading letters: two when they spell an element ("Ca1" is calcium), else one ("C12" is carbon, "OW1" oxygen).
 */
export function siteElement(type: CifValue | undefined, label: CifValue | undefined): string | undefined {
  for (const v of [type, label]) {
    if (isNull(v)) continue;
    const letters = /^[A-Za-z]+/.exec((v as CifValue).text)?.[0];
    if (!letters) continue;
    const two = letters.length >= 2 ? elementSymbol(letters.slice(0, 2)) : undefined;
    const sym = two ?? elementSymbol(letters.slice(0, 1));
    if (sym) return sym;
  }
  return undefined;
}
