/**
 * Crystal structure files: CIF, POSCAR/CONTCAR, extended XYZ and JSON through qm/crystal/read.ts. Every fixture
 * in test/fixtures/crystals is also read by ASE (the test-only virtualenv that `make test` sets up), and the two
 * readings must agree: the same lattice and the same atoms, to 1e-6 angstrom.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANGSTROM_PER_BOHR } from '../../lib/domain/units.js';
import { readCif } from '../../qm/crystal/cif.js';
import { AXES } from '../../qm/crystal/matrix.js';
import { readPoscar } from '../../qm/crystal/poscar.js';
import {
  CRYSTAL_EXTENSIONS,
  crystalFormatOf,
  readCrystalFile,
  readCrystalText,
} from '../../qm/crystal/read.js';
import { parseSymop } from '../../qm/crystal/symop.js';
import { canonicalCrystal, StructureError } from '../../qm/structure.js';
import type { Crystal, Vec3 } from '../../qm/template.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = path.join(root, 'test/fixtures/crystals');
const python = path.join(root, '.tools/test-venv/bin/python');
const fixture = (name: string) => path.join(dir, name);

/** Each fixture, the ASE format that reads it, and the labels cascade gives its crystals. */
const FIXTURES: { file: string; ase: string; labels: string[]; atoms: number[] }[] = [
  { file: 'mgo-fm3m.cif', ase: 'cif', labels: ['MgO_Fm-3m'], atoms: [8] },
  { file: 'mgo-p1.cif', ase: 'cif', labels: ['MgO_P1'], atoms: [8] },
  { file: 'zno-p63mc.cif', ase: 'cif', labels: ['ZnO_wurtzite'], atoms: [4] },
  { file: 'srtio3-pm3m.cif', ase: 'cif', labels: ['SrTiO3'], atoms: [5] },
  { file: 'two-blocks.cif', ase: 'cif', labels: ['MgO_primitive', 'NaCl'], atoms: [2, 2] },
  { file: 'mgo.vasp', ase: 'vasp', labels: ['mgo'], atoms: [2] },
  { file: 'POSCAR-mgo-cartesian', ase: 'vasp', labels: ['POSCAR-mgo-cartesian'], atoms: [8] },
  { file: 'mgo.extxyz', ase: 'extxyz', labels: ['mgo'], atoms: [8] },
];

interface AseFrame {
  cell: [Vec3, Vec3, Vec3];
  symbols: string[];
  scaled: Vec3[];
}

/** Every fixture as ASE reads it (ase.io.read(..., index=':')), in one Python process. */
async function readWithAse(): Promise<AseFrame[][]> {
  if (!existsSync(python)) {
    throw new Error(
      `${python} is missing: \`make test\` (scripts/setup.sh) sets up the test virtualenv with ASE`,
    );
  }
  const script = [
    'import json, sys',
    'from ase.io import read',
    'out = []',
    'for path, fmt in zip(sys.argv[1::2], sys.argv[2::2]):',
    "    frames = read(path, index=':', format=fmt)",
    "    out.append([{'cell': a.cell.array.tolist(), 'symbols': a.get_chemical_symbols(),",
    "                 'scaled': a.get_scaled_positions(wrap=True).tolist()} for a in frames])",
    'print(json.dumps(out))',
  ].join('\n');
  const args = FIXTURES.flatMap((f) => [fixture(f.file), f.ase]);
  const r = await execa(python, ['-c', script, ...args], { maxBuffer: 16 << 20 });
  return JSON.parse(r.stdout) as AseFrame[][];
}

/** Atoms as (symbol, Cartesian angstrom) from a lattice in angstrom and fractional positions, in a fixed order. */
function sortedAtoms(latticeA: readonly Vec3[], symbols: readonly string[], fractional: readonly Vec3[]) {
  const wrap = (x: number) => {
    const w = x - Math.floor(x);
    return w > 1 - 1e-9 ? 0 : w;
  };
  const atoms = symbols.map((s, i) => {
    const f = (fractional[i] as Vec3).map(wrap) as Vec3;
    return { s, f, key: `${s} ${f.map((x) => x.toFixed(5)).join(' ')}` };
  });
  atoms.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return atoms.map((a) => ({ symbol: a.s, f: a.f, r: cartesian(latticeA, a.f) }));
}

function cartesian(l: readonly Vec3[], f: Vec3): Vec3 {
  const [a, b, c] = l as [Vec3, Vec3, Vec3];
  return AXES.map((k) => f[0] * a[k] + f[1] * b[k] + f[2] * c[k]) as Vec3;
}

const inAngstrom = (c: Crystal) => c.lattice.map((v) => v.map((x) => x * ANGSTROM_PER_BOHR) as Vec3);

describe('crystal files agree with ASE', () => {
  let ase: AseFrame[][];
  beforeAll(async () => {
    ase = await readWithAse();
  }, 60_000);

  FIXTURES.forEach((fx, n) => {
    it(`${fx.file}: lattice and atoms to 1e-6 angstrom`, async () => {
      const ours = await readCrystalFile(fixture(fx.file));
      const theirs = ase[n] as AseFrame[];
      expect(ours.map((o) => o.label)).toEqual(fx.labels);
      expect(ours.map((o) => o.crystal.symbols.length)).toEqual(fx.atoms);
      expect(theirs.length).toBe(ours.length);
      ours.forEach(({ crystal }, k) => {
        const frame = theirs[k] as AseFrame;
        const lattice = inAngstrom(crystal);
        lattice.forEach((v, i) => {
          v.forEach((x, j) => {
            expect(Math.abs(x - ((frame.cell[i] as Vec3)[j] as number))).toBeLessThan(1e-6);
          });
        });
        const a = sortedAtoms(lattice, crystal.symbols, crystal.fractional);
        const b = sortedAtoms(frame.cell, frame.symbols, frame.scaled);
        expect(a.map((x) => x.symbol)).toEqual(b.map((x) => x.symbol));
        a.forEach((atom, i) => {
          const other = b[i] as (typeof b)[number];
          // the same point of the crystal: compare across the cell boundary
          const df = atom.f.map((x, j) => {
            const d = x - (other.f[j] as number);
            return d - Math.round(d);
          }) as Vec3;
          expect(Math.hypot(...cartesian(lattice, df))).toBeLessThan(1e-6);
        });
      });
    });
  });
});

describe('CIF', () => {
  it('expands Fm-3m to the conventional cell that the P1 file lists', async () => {
    const [fm3m] = await readCrystalFile(fixture('mgo-fm3m.cif'));
    const [p1] = await readCrystalFile(fixture('mgo-p1.cif'));
    expect(fm3m?.crystal.symbols.filter((s) => s === 'Mg')).toHaveLength(4);
    expect(canonicalCrystal(fm3m?.crystal as Crystal).text).toBe(
      canonicalCrystal(p1?.crystal as Crystal).text,
    );
  });

  it('reads DDLm names, Cartesian-free loops, comments and an uncertain angle', () => {
    const text = `data_x
_cell.length_a 4.0(1)  # DDLm spelling
_cell.length_b 4.0
_cell.length_c 5.0
_cell.angle_gamma 90.00(2)
loop_
_space_group_symop.operation_xyz
'x, y, z' '-x, -y, z+1/2'
loop_
_atom_site.label _atom_site.fract_x _atom_site.fract_y _atom_site.fract_z
Cu1 0.25 0.25 0.1
`;
    const [c] = readCif(text, 'x.cif');
    expect(c?.symbols).toEqual(['Cu', 'Cu']);
    expect(c?.fractional).toEqual([
      [0.25, 0.25, 0.1],
      [0.75, 0.75, 0.6],
    ]);
    expect((c?.lattice[2][2] ?? 0) * ANGSTROM_PER_BOHR).toBeCloseTo(5, 12);
  });

  it('merges images of a site on a special position', () => {
    // (0, 0, 0) under -x, -y, -z is itself: one atom, not two
    const text = `data_y\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3
loop_\n_symmetry_equiv_pos_as_xyz\nx,y,z\n-x,-y,-z
loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z
Fe1 0 0 0\nO1 0.2 0.3 0.4\n`;
    const [c] = readCif(text, 'y.cif');
    expect(c?.symbols).toEqual(['Fe', 'O', 'O']);
    expect(c?.fractional[2]?.map((x) => Number(x.toFixed(12)))).toEqual([0.8, 0.7, 0.6]);
  });

  it('takes the element from the type symbol or the label', async () => {
    const [, nacl] = await readCrystalFile(fixture('two-blocks.cif'));
    expect(nacl?.crystal.symbols).toEqual(['Na', 'Cl']); // labels Na1, Cl1
    const [zno] = await readCrystalFile(fixture('zno-p63mc.cif'));
    expect(zno?.crystal.symbols).toEqual(['Zn', 'Zn', 'O', 'O']);
  });

  const cell = '_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n';
  const sites = 'loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n';
  const refusals: [string, string, RegExp][] = [
    [
      'partial occupancy',
      `data_d\n${cell}loop_\n_atom_site_label\n_atom_site_occupancy\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\nFe1 1.0 0 0 0\nNi2 0.50(2) 0.5 0.5 0.5\n`,
      /d\.cif \(data_d\): site Ni2 \(line \d+\) has occupancy 0\.5: partially occupied/,
    ],
    [
      'a space group without operations',
      `data_s\n${cell}_symmetry_space_group_name_H-M 'F m -3 m'\n${sites}Mg1 0 0 0\n`,
      /space group "F m -3 m" but no symmetry operations/,
    ],
    [
      'a site listed twice',
      `data_t\n${cell}${sites}Mg1 0 0 0\nMg2 1.0 0 0\n`,
      /site Mg2 .* on an atom of site Mg1/,
    ],
    ['atoms without a cell', `data_u\n${sites}Mg1 0 0 0\n`, /\(data_u\): atom sites but no cell/],
    ['no element', `data_v\n${cell}${sites}X1 0 0 0\n`, /site X1 .*no element/],
    [
      'a bad operation',
      `data_w\n${cell}loop_\n_symmetry_equiv_pos_as_xyz\n'x,y'\n${sites}Mg1 0 0 0\n`,
      /not three/,
    ],
    [
      'a loop with a missing value',
      `data_l\n${cell}${sites}Mg1 0 0\n`,
      /l\.cif:5: loop of 4 tags .* 3 values/,
    ],
    ['an unclosed text field', `data_f\n_publ_section_title\n;\nnever closed\n`, /f\.cif:3: text field/],
    ['no crystal at all', 'data_pub\n_journal_name_full x\n', /no data block with a cell and atom sites/],
  ];
  for (const [what, text, message] of refusals) {
    it(`refuses ${what}`, () => {
      const name = `${/^data_(\w)/.exec(text)?.[1] ?? 'x'}.cif`;
      expect(() => readCif(text, name)).toThrow(StructureError);
      expect(() => readCif(text, name)).toThrow(message);
    });
  }
});

describe('symmetry operations', () => {
  it('reads signs, fractions, decimals and reordered terms', () => {
    expect(parseSymop('-x+1/2, x-y, 0.25+z')).toEqual({
      rotation: [
        [-1, 0, 0],
        [1, -1, 0],
        [0, 0, 1],
      ],
      translation: [0.5, 0, 0.25],
    });
    expect(parseSymop('X,Y,Z')).toMatchObject({ translation: [0, 0, 0] });
    expect(parseSymop('x,x,z')).toMatch(/not a symmetry operation/);
    expect(parseSymop('x,y,q')).toMatch(/cannot read "q"/);
  });
});

describe('POSCAR', () => {
  const lattice = '4.0 0 0\n0 4.0 0\n0 0 4.0\n';
  it('reads the scale, Cartesian positions and VASP 5.4 POTCAR names', () => {
    const c = readPoscar(`t\n0.5\n${lattice}Cs_sv/a1b2c3 Cl\n1 1\nCartesian\n0 0 0\n2 2 2\n`, 'POSCAR');
    expect(c.symbols).toEqual(['Cs', 'Cl']);
    expect(c.lattice[0][0] * ANGSTROM_PER_BOHR).toBeCloseTo(2, 12);
    expect(c.fractional[1]?.map((x) => Number(x.toFixed(12)))).toEqual([0.5, 0.5, 0.5]);
  });

  it('reads a negative scale as the cell volume, and three scale factors per axis', () => {
    const byVolume = readPoscar(`t\n-8\n${lattice}Al\n1\nDirect\n0 0 0\n`, 'POSCAR');
    expect(byVolume.lattice[1][1] * ANGSTROM_PER_BOHR).toBeCloseTo(2, 12);
    const perAxis = readPoscar(`t\n1 2 3\n${lattice}Al\n1\nd\n0 0 0\n`, 'POSCAR');
    expect(perAxis.lattice.map((v, i) => (v[i] as number) * ANGSTROM_PER_BOHR)).toEqual(
      [4, 8, 12].map((x) => expect.closeTo(x, 12)),
    );
  });

  it('refuses VASP 4 files, saying to add the species line', () => {
    const vasp4 = `MgO\n4.2\n${lattice}1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n`;
    expect(() => readPoscar(vasp4, 'POSCAR')).toThrow(StructureError);
    expect(() => readPoscar(vasp4, 'POSCAR')).toThrow(
      /POSCAR:6: .*VASP 4.*add a line with the element symbols/,
    );
  });

  it('says which line is wrong', () => {
    expect(() => readPoscar(`t\n1\n${lattice}Mg O\n1 1\nDirect\n0 0 0\n`, 'CONTCAR')).toThrow(
      /CONTCAR:10: expected the position of atom 2 \(O\)/,
    );
    expect(() => readPoscar(`t\n1\n${lattice}Mg O\n1\nDirect\n0 0 0\n`, 'CONTCAR')).toThrow(
      /CONTCAR:7: expected 2 atom counts/,
    );
  });
});

describe('readCrystalText / readCrystalFile', () => {
  it('chooses the reader by the name', () => {
    expect(
      ['a.CIF', 'POSCAR', 'CONTCAR_relaxed', 'x.vasp', 'y.poscar', 'z.xyz', 'w.extxyz', 'v.json'].map(
        crystalFormatOf,
      ),
    ).toEqual(['cif', 'poscar', 'poscar', 'poscar', 'poscar', 'extxyz', 'extxyz', 'json']);
    expect(CRYSTAL_EXTENSIONS).toContain('.cif');
    const json =
      '{"units":"bohr","lattice":[[5,0,0],[0,5,0],[0,0,5]],"species":["Po"],"fractional":[[0,0,0]]}';
    const poscar = 'Po\n1\n3 0 0\n0 3 0\n0 0 3\nPo\n1\nDirect\n0 0 0\n';
    expect(readCrystalText(poscar, 'runs/CONTCAR.relaxed').map((c) => c.label)).toEqual(['CONTCAR.relaxed']);
    expect(readCrystalText(poscar, 'runs/po.VASP').map((c) => c.label)).toEqual(['po']);
    expect(readCrystalText(json, 'dir/polonium.json')).toEqual([
      { label: 'polonium', crystal: expect.objectContaining({ symbols: ['Po'] }) },
    ]);
  });

  it('names the file in every error', async () => {
    expect(() => readCrystalText('', 'notes.txt')).toThrow(/notes\.txt: cannot tell the structure format/);
    await expect(readCrystalFile(fixture('absent.cif'))).rejects.toThrow(
      /absent\.cif: cannot read the file \(ENOENT\)/,
    );
    await expect(readCrystalFile(fixture('absent.cif'))).rejects.toBeInstanceOf(StructureError);
    expect(() => readCrystalText('{"units":"bohr"}', 'broken.json')).toThrow(/^broken\.json: /);
  });
});
