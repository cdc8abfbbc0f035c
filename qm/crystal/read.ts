/**
 * One entry point for crystal structure files: the reader is chosen by the file's name.
 *
 * | name                                       | reader                                   | label           |
 * | ------------------------------------------ | ---------------------------------------- | --------------- |
 * | *.cif                                      | CIF (one crystal per data block)         | the block name  |
 * | POSCAR*, CONTCAR*, *.vasp, *.poscar        | VASP 5 POSCAR                            | the file stem   |
 * | *.xyz, *.extxyz                            | extended XYZ (first frame)               | the file stem   |
 * | *.json                                     | cascade's structure JSON                 | the file stem   |
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readCrystalJson, readExtendedXyz, StructureError } from '../structure.js';
import type { Crystal } from '../template.js';
import { readCifBlocks } from './cif.js';
import { readPoscar } from './poscar.js';

export interface LabelledCrystal {
  label: string;
  crystal: Crystal;
}

export type CrystalFormat = 'cif' | 'poscar' | 'extxyz' | 'json';

/** File extensions (lower case) that say a crystal format; VASP files are also known by a POSCAR/CONTCAR name. */
export const CRYSTAL_EXTENSIONS: readonly string[] = ['.cif', '.vasp', '.poscar', '.xyz', '.extxyz', '.json'];

const KNOWN = '.cif, POSCAR/CONTCAR/.vasp/.poscar, .xyz/.extxyz, .json';

/** The format a file name says, or undefined. */
export function crystalFormatOf(name: string): CrystalFormat | undefined {
  const base = path.basename(name).toLowerCase();
  const ext = path.extname(base);
  if (ext === '.cif') return 'cif';
  if (ext === '.vasp' || ext === '.poscar' || /^(poscar|contcar)/.test(base)) return 'poscar';
  if (ext === '.xyz' || ext === '.extxyz') return 'extxyz';
  if (ext === '.json') return 'json';
  return undefined;
}

/**
 * The structure files an entry of `crystals.files` names: the file itself, or a folder's files whose names say a
 * structure format, in name order. Throws StructureError for an entry that cannot be read or a folder with none.
 */
export async function crystalFiles(entry: string): Promise<string[]> {
  const s = await stat(entry).catch((e: Error) => {
    throw new StructureError(`cannot read crystals ${entry}: ${e.message}`);
  });
  if (!s.isDirectory()) return [entry];
  const names = (await readdir(entry)).filter((n) => crystalFormatOf(n) !== undefined).sort();
  if (names.length === 0) throw new StructureError(`${entry}: no structure files (${KNOWN})`);
  return names.map((n) => path.join(entry, n));
}

/** The file's name without its directory and a known extension ("POSCAR", "CONTCAR.relaxed" stay whole). */
function stem(name: string): string {
  const base = path.basename(name);
  const ext = path.extname(base);
  return CRYSTAL_EXTENSIONS.includes(ext.toLowerCase()) ? base.slice(0, -ext.length) : base;
}

/** The crystals in `text`, read as the file `name` says. Throws StructureError naming `name`. */
export function readCrystalText(text: string, name: string): LabelledCrystal[] {
  const format = crystalFormatOf(name);
  switch (format) {
    case 'cif':
      return readCifBlocks(text, name).map((b) => ({ label: b.name, crystal: b.crystal }));
    case 'poscar':
      return [{ label: stem(name), crystal: readPoscar(text, name) }];
    case 'extxyz':
      return [{ label: stem(name), crystal: readExtendedXyz(text, name) }];
    case 'json':
      return [{ label: stem(name), crystal: readCrystalJson(text, name) }];
    default:
      throw new StructureError(
        `${name}: cannot tell the structure format from the file name (known: ${KNOWN})`,
      );
  }
}

/** The crystals in the file at `file`. Throws StructureError naming the file, also when it cannot be read. */
export async function readCrystalFile(file: string): Promise<LabelledCrystal[]> {
  if (!crystalFormatOf(file)) {
    throw new StructureError(
      `${file}: cannot tell the structure format from the file name (known: ${KNOWN})`,
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StructureError(
      `${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  return readCrystalText(text, file);
}
