"""Peer for bench/featurize.ts: the surrogates' features (Morgan bits + descriptors) with RDKit's Python package.

Usage: featurize_peer.py DIR   (DIR holds meta.json and smiles.txt, written by bench/featurize.ts). Writes the
feature matrix (float32, one row per SMILES, bits then descriptors) to DIR/features.f32 and prints one JSON
line with the median time over meta["repeat"] runs after a warm-up.
"""

import json
import os
import sys
import time

import numpy as np
import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import rdFingerprintGenerator
from rdkit.Chem import rdMolDescriptors as rd

# RDKit-JS descriptor names (MinimalLib get_descriptors() keys) -> RDKit Python functions.
DESCRIPTOR_FUNCTIONS = {
    "exactmw": rd.CalcExactMolWt,
    "NumHeavyAtoms": rd.CalcNumHeavyAtoms,
    "NumHeteroatoms": rd.CalcNumHeteroatoms,
    "NumHBD": rd.CalcNumHBD,
    "NumHBA": rd.CalcNumHBA,
    "NumRotatableBonds": rd.CalcNumRotatableBonds,
    "NumRings": rd.CalcNumRings,
    "NumAromaticRings": rd.CalcNumAromaticRings,
    "NumAliphaticRings": rd.CalcNumAliphaticRings,
    "NumSaturatedRings": rd.CalcNumSaturatedRings,
    "NumHeterocycles": rd.CalcNumHeterocycles,
    "NumAmideBonds": rd.CalcNumAmideBonds,
    "NumAtomStereoCenters": rd.CalcNumAtomStereoCenters,
    "FractionCSP3": rd.CalcFractionCSP3,
    "tpsa": rd.CalcTPSA,
    "CrippenClogP": lambda m: rd.CalcCrippenDescriptors(m)[0],
    "CrippenMR": lambda m: rd.CalcCrippenDescriptors(m)[1],
    "labuteASA": rd.CalcLabuteASA,
    "chi1v": rd.CalcChi1v,
    "kappa2": rd.CalcKappa2,
}


def featurize(smiles, names, radius, n_bits):
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    functions = [DESCRIPTOR_FUNCTIONS[name] for name in names]
    out = np.zeros((len(smiles), n_bits + len(functions)), dtype=np.float32)
    parsed = 0
    for row, s in enumerate(smiles):
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            continue
        parsed += 1
        out[row, :n_bits] = generator.GetFingerprintAsNumPy(mol)
        out[row, n_bits:] = [f(mol) for f in functions]
    return out, parsed


def main():
    RDLogger.DisableLog("rdApp.*")
    folder = sys.argv[1]
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    with open(os.path.join(folder, "smiles.txt")) as f:
        smiles = [line.strip() for line in f if line.strip()]
    args = (meta["descriptorNames"], meta["morganRadius"], meta["morganBits"])
    featurize(smiles[:200], *args)  # warm-up
    runs = []
    for _ in range(meta["repeat"]):
        t0 = time.perf_counter()
        matrix, parsed = featurize(smiles, *args)
        runs.append(time.perf_counter() - t0)
    matrix.astype("<f4").tofile(os.path.join(folder, "features.f32"))
    print(
        json.dumps(
            {
                "seconds": float(np.median(runs)),
                "runs": runs,
                "parsed": parsed,
                "version": rdkit.__version__,
                "openblasEnvUnset": "OPENBLAS_CORETYPE" not in os.environ and "OPENBLAS_L2_SIZE" not in os.environ,
            }
        )
    )


if __name__ == "__main__":
    main()
