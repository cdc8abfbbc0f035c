/**
 * What NWChem will accept as a tier's `method` and `basis`, checked when the campaign is validated rather than
 * when the first deck is written (before: a typo made every candidate fail and the campaign end "COMPLETED").
 *
 * - method: a name of the writer's table (XC_ALIASES in input.ts, with an optional -d3/-d3bj), or NWChem `xc`
 *   keywords and prefactors, each keyword one NWChem 7.0 documents.
 * - basis: a set in the basis library NWChem reads: $NWCHEM_BASIS_LIBRARY when it names a directory, else
 *   Debian's /usr/share/nwchem/libraries/. NWChem looks a name up as a file of that directory, the name
 *   lowercased with `*` -> `s`, `(` and `)` dropped and `,` -> `_` ("6-311++G(2d,2p)" -> 6-311++g2d_2p);
 *   each file names its set in its `basis "H_<name>"` lines, which the did-you-mean offers. Where no library is
 *   installed (a machine that only validates), only the spelling is checked, as the writer does.
 *
 * The schema (lib/campaign/schema.ts) calls these; it is also bundled into workflows, where there is no file
 * system: `node:fs` is therefore reached through process.getBuiltinModule, and absent there.
 */
import { closestMatch } from '../../../lib/config/did-you-mean.js';

/**
 * Common functional names -> the lines of NWChem's `dft` block (input.ts writes them). Anything else is passed
 * to `xc` as given. Kept here, not in input.ts: the workflow bundle reaches this file through the campaign
 * schema, and input.ts needs node:crypto (through qm/molecule.ts), which a workflow may not import.
 */
export const XC_ALIASES: Record<string, string[]> = {
  hf: ['xc hfexch'],
  lda: ['xc slater vwn_5'],
  svwn5: ['xc slater vwn_5'],
  blyp: ['xc becke88 lyp'],
  bp86: ['xc becke88 perdew86'],
  pw91: ['xc xperdew91 perdew91'],
  pbe: ['xc xpbe96 cpbe96'],
  pbe0: ['xc pbe0'],
  pbe1pbe: ['xc pbe0'],
  b3lyp: ['xc b3lyp'],
  bhandhlyp: ['xc bhlyp'],
  tpss: ['xc xtpss03 ctpss03'],
  tpssh: ['xc xctpssh'],
  scan: ['xc scan'],
  m06: ['xc m06'],
  'm06-l': ['xc m06-l'],
  'm06-2x': ['xc m06-2x'],
  /** B97-D includes its own (D2) dispersion term. */
  'b97-d': ['xc becke97-d'],
  'cam-b3lyp': ['xc xcamb88 1.00 lyp 0.81 vwn_5 0.19 hfexch 1.00', 'cam 0.33 cam_alpha 0.19 cam_beta 0.46'],
};

export const DEFAULT_NWCHEM_LIBRARY = '/usr/share/nwchem/libraries/';

/** NWChem's `xc` keywords (NWChem 7.0 manual, "DFT: XC and DECOMP"): combined, exchange and correlation. */
const XC_KEYWORDS = new Set(
  (
    'acm b3lyp beckehandh bhlyp b3p86 b3pw91 becke97 becke97-1 becke97-2 becke97-3 becke97-d becke98 hcth ' +
    'hcth120 hcth147 hcth407 becke97gga1 hcth407p mpw91 mpw1k xft97 cft97 ft97 op bop pbeop m05 m05-2x m06 ' +
    'm06-hf m06-l m06-2x m08-hx m08-so m11 m11-l b1b95 bb1k mpw1b95 mpwb1k pw6b95 pwb6k b2plyp xctpssh vs98 ' +
    'pbe0 revpbe0 pbe96 revpbe rpbe pw91 scan scanl slater becke88 xperdew91 xpbe96 gill96 xrevpbe xrpbe ' +
    'xpw6b95 xpwb6k xb1b95 xbb1k xmpw1b95 xmpwb1k xmpw91 xtpss03 xm05 xm05-2x xm06 xm06-l xm06-2x xm06-hf ' +
    'xvs98 xpkzb99 xcamb88 xcamlsd xcampbe96 xwpbe xsogga xsogga11 xsogga11-x xbnl07 xscan hfexch vwn_1 ' +
    'vwn_2 vwn_3 vwn_4 vwn_5 vwn_1_rpa perdew81 perdew86 perdew91 lyp pw91lda cpbe96 cpw6b95 cpwb6k ctpss03 ' +
    'cm05 cm05-2x cm06 cm06-l cm06-2x cm06-hf cvs98 cpkzb99 cscan csogga11 csogga11-x bc95 becke95 ' +
    'local nonlocal'
  ).split(' '),
);

const DISPERSION_SUFFIX = /^(.+)-(d3|d3bj)$/;
const PREFACTOR = /^[0-9]*\.?[0-9]+(?:[eEdD][+-]?[0-9]+)?$/;

/** Why NWChem would not know `method`, with a suggestion; undefined when it would. */
export function nwchemMethodProblem(method: string): string | undefined {
  const lower = method.trim().toLowerCase();
  const base = DISPERSION_SUFFIX.exec(lower)?.[1] ?? lower;
  if (Object.hasOwn(XC_ALIASES, base)) return undefined;
  const words = base.split(/\s+/);
  const unknown = words.filter((w) => !XC_KEYWORDS.has(w) && !PREFACTOR.test(w));
  if (unknown.length === 0 && words.some((w) => XC_KEYWORDS.has(w))) return undefined;
  const names = Object.keys(XC_ALIASES);
  const suggestion =
    closestMatch(base, names) ?? (words.length === 1 ? closestMatch(base, [...XC_KEYWORDS]) : undefined);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  return words.length > 1
    ? `unknown NWChem xc keyword${unknown.length > 1 ? 's' : ''} ${unknown.map((w) => `"${w}"`).join(', ')} in "${method}"`
    : `unknown functional "${method}"${hint}; use one of ${names.join(', ')} (optionally with -d3 or -d3bj), or NWChem xc keywords`;
}

type Fs = typeof import('node:fs');
type Path = typeof import('node:path');

function builtin<T>(id: string): T | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule(id) as T | undefined) : undefined;
}

/** The basis library directory NWChem reads, or undefined when there is none here (or no file system). */
export function nwchemLibraryDir(env: Record<string, string | undefined> = globalEnv()): string | undefined {
  const fs = builtin<Fs>('node:fs');
  if (!fs) return undefined;
  for (const dir of [env.NWCHEM_BASIS_LIBRARY, DEFAULT_NWCHEM_LIBRARY]) {
    if (!dir) continue;
    try {
      if (fs.statSync(dir).isDirectory()) return dir;
    } catch {
      // not there: the next one
    }
  }
  return undefined;
}

function globalEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
}

/** The library file NWChem reads for a basis name. */
export function libraryFileName(basis: string): string {
  return basis.trim().toLowerCase().replaceAll('*', 's').replace(/[()]/g, '').replaceAll(',', '_');
}

/** The set names the library's files declare (`basis "H_6-31G*"` -> 6-31G*), read once per directory. */
const namesByDir = new Map<string, string[]>();
function libraryNames(dir: string): string[] {
  const known = namesByDir.get(dir);
  if (known) return known;
  const fs = builtin<Fs>('node:fs') as Fs;
  const path = builtin<Path>('node:path') as Path;
  const names: string[] = [];
  for (const file of fs.readdirSync(dir)) {
    const full = path.join(dir, file);
    let head = '';
    try {
      if (!fs.statSync(full).isFile()) continue;
      const fd = fs.openSync(full, 'r');
      try {
        const buf = Buffer.alloc(8192);
        head = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, buf.length, 0));
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      continue;
    }
    const name = /^basis\s+"[A-Za-z]{1,3}_(.+?)"/im.exec(head)?.[1];
    names.push(name && libraryFileName(name) === file ? name : file);
  }
  namesByDir.set(dir, names);
  return names;
}

/** Why NWChem's library has no basis `basis`, with a suggestion; undefined when it has it or cannot be read. */
export function nwchemBasisProblem(
  basis: string,
  { dir }: { dir: string | undefined } = { dir: nwchemLibraryDir() },
): string | undefined {
  // the writer's own rule (input.ts), so that nothing valid here is refused when the deck is written
  if (!/^[A-Za-z0-9][A-Za-z0-9*+(),._-]*$/.test(basis.trim())) return `invalid basis set name "${basis}"`;
  if (dir === undefined) return undefined; // no library here: the spelling check above is all there is
  const fs = builtin<Fs>('node:fs') as Fs;
  const path = builtin<Path>('node:path') as Path;
  if (fs.existsSync(path.join(dir, libraryFileName(basis)))) return undefined;
  const names = libraryNames(dir);
  const match = closestMatch(basis, names);
  const hint = match ? ` (did you mean "${match}"?)` : '';
  return `basis set "${basis}" is not in NWChem's library (${dir})${hint}`;
}
