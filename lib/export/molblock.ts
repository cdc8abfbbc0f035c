/**
 * An MDL molfile (V2000) from a molecule's atoms, 3D coordinates and bonds: what an SDF record starts with.
 * Formal charges go in `M  CHG` lines, which readers take over the atom block's charge column.
 */
import type { ExportedMolecule } from './record.js';

/** V2000 counts are three digits wide. */
const MAX_V2000 = 999;

export function toMolblock(title: string, m: ExportedMolecule): string {
  const bonds = m.bonds ?? [];
  if (m.symbols.length > MAX_V2000 || bonds.length > MAX_V2000) {
    throw new Error(
      `${title}: ${m.symbols.length} atoms, ${bonds.length} bonds: more than a V2000 molfile holds`,
    );
  }
  const lines = [
    oneLine(title).slice(0, 80),
    // program line: initials (2), program (8), date (10), then the dimension code in columns 21-22
    `  ${'cascade'.padEnd(8)}${' '.repeat(10)}3D`,
    `coordinates: ${m.source}`.slice(0, 80),
    `${int3(m.symbols.length)}${int3(bonds.length)}  0  0  0  0  0  0  0  0999 V2000`,
    ...m.symbols.map((s, i) => {
      const [x, y, z] = m.coords[i] ?? [0, 0, 0];
      return `${coord(x)}${coord(y)}${coord(z)} ${s.padEnd(3)} 0  0  0  0  0  0  0  0  0  0  0  0`;
    }),
    ...bonds.map(([a, b, order]) => `${int3(a + 1)}${int3(b + 1)}${int3(order)}  0  0  0  0`),
    ...chargeLines(m.atomCharges ?? []),
    'M  END',
  ];
  return `${lines.join('\n')}\n`;
}

/** `M  CHG` lines, at most eight atoms each. */
function chargeLines(charges: readonly number[]): string[] {
  const charged = charges.flatMap((c, i) => (c !== 0 ? [[i + 1, c] as const] : []));
  const out: string[] = [];
  for (let i = 0; i < charged.length; i += 8) {
    const part = charged.slice(i, i + 8);
    out.push(`M  CHG${int3(part.length)}${part.map(([a, c]) => ` ${int3(a)} ${int3(c)}`).join('')}`);
  }
  return out;
}

function int3(n: number): string {
  return String(n).padStart(3);
}

function coord(x: number): string {
  return x.toFixed(4).padStart(10);
}

/** A title or comment is one line. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
