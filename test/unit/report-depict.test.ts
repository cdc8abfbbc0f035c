/** The top table's pictures: RDKit's 2D SVG for a molecule (ready to inline in HTML), formula and cell for a crystal. */
import { describe, expect, it } from 'vitest';
import { depict } from '../../cli/report/depict.js';

describe('depict', () => {
  it('draws a molecule as inline SVG, without the XML declaration HTML forbids', async () => {
    const pic = await depict({ kind: 'molecule', idx: 0, label: 'ethanol', smiles: 'CCO', heavyAtoms: 3 });
    expect('svg' in pic).toBe(true);
    const svg = (pic as { svg: string }).svg;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).not.toContain('<?xml');
    expect(svg).toMatch(/<path/);
  });

  it('falls back to the SMILES when RDKit cannot read it', async () => {
    expect(await depict({ kind: 'molecule', idx: 0, label: 'x', smiles: 'C1CC', heavyAtoms: 3 })).toEqual({
      text: 'C1CC',
    });
  });

  it('writes a crystal as its formula, atoms per cell and volume', async () => {
    // rock salt's primitive cell: a = 5.64 Å fcc, volume a³/4 = 44.85 Å³
    const a = 5.64 / 0.529177210903;
    const pic = await depict({
      kind: 'crystal',
      idx: 0,
      label: 'NaCl',
      key: 'NaCl-fcc',
      structure: {
        kind: 'crystal',
        lattice: [
          [0, a / 2, a / 2],
          [a / 2, 0, a / 2],
          [a / 2, a / 2, 0],
        ],
        symbols: ['Na', 'Cl'],
        fractional: [
          [0, 0, 0],
          [0.5, 0.5, 0.5],
        ],
      },
    });
    expect(pic).toEqual({ text: 'ClNa, 2 atoms per cell, 44.9 Å³' });
  });
});
