"""Reads an export of `cascade export` with the field's own tools and prints what they read, as JSON.

Usage: read_export.py FORMAT FILE, FORMAT one of csv, jsonl, sdf, extxyz. SDF through RDKit's SDMolSupplier
(hydrogens kept; a record RDKit cannot read is null), extended XYZ through ase.io.read(FILE, index=":"), CSV
through csv.DictReader, JSON Lines through json. Values are passed on as the tools give them (SDF data items as
the text RDKit holds), so the test compares the tools' reading, not ours.
"""

import csv
import json
import sys


def read_sdf(path):
    from rdkit import Chem

    out = []
    for mol in Chem.SDMolSupplier(path, removeHs=False, sanitize=True):
        if mol is None:
            out.append(None)
            continue
        conf = mol.GetConformer()
        out.append(
            {
                "title": mol.GetProp("_Name"),
                "props": {name: mol.GetProp(name) for name in mol.GetPropNames()},
                "smiles": Chem.MolToSmiles(Chem.RemoveHs(mol), isomericSmiles=False),
                "atoms": mol.GetNumAtoms(),
                "is3D": conf.Is3D(),
                "positions": conf.GetPositions().tolist(),
            }
        )
    return out


def canonical(smiles):
    """The identities, canonical as RDKit writes them without stereo (a 3D record's stereo comes from its coordinates)."""
    from rdkit import Chem

    return Chem.MolToSmiles(Chem.MolFromSmiles(smiles), isomericSmiles=False)


def plain(v):
    """numpy scalars and arrays as JSON."""
    if hasattr(v, "tolist"):
        return v.tolist()
    return v


def read_extxyz(path):
    from ase.io import read

    frames = []
    for atoms in read(path, index=":", format="extxyz"):
        calc = atoms.calc
        frames.append(
            {
                "symbols": atoms.get_chemical_symbols(),
                "positions": atoms.get_positions().tolist(),
                "pbc": [bool(x) for x in atoms.pbc],
                "cell": atoms.cell.array.tolist(),
                "energy": float(atoms.get_potential_energy()) if calc is not None and "energy" in calc.results else None,
                "info": {k: plain(v) for k, v in atoms.info.items()},
            }
        )
    return frames


def main():
    fmt, path = sys.argv[1], sys.argv[2]
    if fmt == "sdf":
        records = read_sdf(path)
        identities = [r["props"]["identity"] for r in records if r is not None]
        result = {"records": records, "canonical": {s: canonical(s) for s in identities}}
    elif fmt == "extxyz":
        result = {"frames": read_extxyz(path)}
    elif fmt == "csv":
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            result = {"header": reader.fieldnames, "rows": list(reader)}
    elif fmt == "jsonl":
        with open(path, encoding="utf-8") as f:
            result = {"lines": [json.loads(line) for line in f if line.strip()]}
    else:
        raise SystemExit(f"unknown format {fmt}")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
