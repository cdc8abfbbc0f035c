/** The bonds an SDF record gets for a stored geometry: the SMILES' own, used only when the atoms match. */
import { describe, expect, it } from 'vitest';
import { smilesTo3D } from '../../activities/qm/geometry.js';
import { bonded } from '../../cli/export/structures.js';

describe('bonded', () => {
  it('gives an embedded molecule the bonds and charges of its SMILES', async () => {
    const g = await smilesTo3D('C[N+](=O)[O-]');
    const m = bonded('C[N+](=O)[O-]', g, 'test');
    expect(m?.symbols).toEqual(g.symbols);
    // C-N, N=O, N-O, three C-H
    expect(m?.bonds).toHaveLength(6);
    expect(m?.bonds?.map((b) => b[2]).sort()).toEqual([1, 1, 1, 1, 1, 2]);
    expect(m?.atomCharges?.filter((c) => c !== 0).sort()).toEqual([-1, 1]);
  });

  it('refuses a geometry whose atoms are not where the SMILES puts them', async () => {
    const g = await smilesTo3D('CCO');
    expect(bonded('CCO', g, 'test')).toBeDefined();
    // the hydroxyl H swapped with a methyl H: same elements, but a bond of 2+ angstrom
    const h = g.symbols.lastIndexOf('H');
    const firstH = g.symbols.indexOf('H');
    const coords = g.coords.map((c) => [...c] as [number, number, number]);
    [coords[h], coords[firstH]] = [
      coords[firstH] as [number, number, number],
      coords[h] as [number, number, number],
    ];
    expect(bonded('CCO', { ...g, coords }, 'test')).toBeUndefined();
    // other atoms altogether
    expect(bonded('CCN', g, 'test')).toBeUndefined();
  });
});
