"""Peer for bench/sa-score.ts: RDKit's own SA score, Contrib/SA_Score/sascorer.py, with RDKit's Python package.

Usage: sa_score_peer.py DIR   (DIR holds meta.json and smiles.txt, written by bench/sa-score.ts). Scores every
SMILES (MolFromSmiles + calculateScore, as ours parses too), a warm-up then meta["repeat"] timed runs; then, untimed,
records each molecule's unfolded Morgan ids. Writes DIR/peer.json ({"scores": [...], "ids": [{id: count}, ...]},
null where RDKit cannot parse) and prints one JSON line with the median wall-clock and CPU times.
"""

import json
import os
import statistics
import sys
import time

import rdkit
from rdkit import Chem, RDLogger
from rdkit.Chem import rdMolDescriptors


def score_all(sascorer, smiles):
    scores = []
    for s in smiles:
        mol = Chem.MolFromSmiles(s)
        scores.append(None if mol is None else sascorer.calculateScore(mol))
    return scores


def main():
    RDLogger.DisableLog("rdApp.*")
    folder = sys.argv[1]
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    sys.path.insert(0, meta["sascorerDir"])
    import sascorer

    with open(os.path.join(folder, "smiles.txt")) as f:
        smiles = [line.strip() for line in f if line.strip()]
    t0 = time.perf_counter()
    sascorer.readFragmentScores()
    load_seconds = time.perf_counter() - t0
    score_all(sascorer, smiles[:200])  # warm-up
    runs = []
    cpu_runs = []
    for _ in range(meta["repeat"]):
        t0 = time.perf_counter()
        c0 = time.process_time()
        scores = score_all(sascorer, smiles)
        cpu_runs.append(time.process_time() - c0)
        runs.append(time.perf_counter() - t0)
    ids = []
    for s in smiles:
        mol = Chem.MolFromSmiles(s)
        if mol is None:
            ids.append(None)
            continue
        fp = rdMolDescriptors.GetMorganFingerprint(mol, 2).GetNonzeroElements()
        ids.append({str(k): v for k, v in fp.items()})
    with open(os.path.join(folder, "peer.json"), "w") as f:
        json.dump({"scores": scores, "ids": ids}, f)
    print(
        json.dumps(
            {
                "seconds": statistics.median(runs),
                "runs": runs,
                "cpuSeconds": statistics.median(cpu_runs),
                "cpuRuns": cpu_runs,
                "loadSeconds": load_seconds,
                "parsed": sum(1 for s in scores if s is not None),
                "version": rdkit.__version__,
                "sascorer": os.path.join(meta["sascorerDir"], "sascorer.py"),
            }
        )
    )


if __name__ == "__main__":
    main()
