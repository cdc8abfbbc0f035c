"""Peer for bench/qrf.ts: fits quantile-forest's RandomForestQuantileRegressor on the same data.

Usage: qrf_peer.py DIR   (DIR holds meta.json, x_train.f32, y_train.f64, x_test.f32, y_test.f64,
written by bench/qrf.ts). Prints one JSON line with fit/predict seconds, pinball losses and settings.
"""

import json
import os
import sys
import time

import numpy as np
from quantile_forest import RandomForestQuantileRegressor


def pinball(y, pred, q):
    diff = y - pred
    return float(np.mean(np.maximum(q * diff, (q - 1) * diff)))


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    d = meta["d"]
    x_train = np.fromfile(os.path.join(folder, "x_train.f32"), dtype="<f4").reshape(-1, d)
    y_train = np.fromfile(os.path.join(folder, "y_train.f64"), dtype="<f8")
    x_test = np.fromfile(os.path.join(folder, "x_test.f32"), dtype="<f4").reshape(-1, d)
    y_test = np.fromfile(os.path.join(folder, "y_test.f64"), dtype="<f8")
    qs = meta["qs"]
    fits, predicts = [], []
    for _ in range(meta["repeat"]):
        model = RandomForestQuantileRegressor(
            n_estimators=meta["nEstimators"],
            min_samples_leaf=meta["minSamplesLeaf"],
            max_features=meta["maxFeatures"],
            bootstrap=meta["bootstrap"],
            max_samples_leaf=None,
            n_jobs=meta["threads"],
            random_state=meta["seed"],
        )
        t0 = time.perf_counter()
        model.fit(x_train, y_train)
        fits.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        pred = model.predict(
            x_test,
            quantiles=qs,
            interpolation=meta["interpolation"],
            weighted_quantile=True,
            weighted_leaves=True,
            aggregate_leaves_first=True,
        )
        predicts.append(time.perf_counter() - t0)
    losses = {str(q): pinball(y_test, pred[:, k], q) for k, q in enumerate(qs)}
    import quantile_forest

    print(
        json.dumps(
            {
                "fitSeconds": float(np.median(fits)),
                "predictSeconds": float(np.median(predicts)),
                "fitRuns": fits,
                "predictRuns": predicts,
                "pinball": losses,
                "version": quantile_forest.__version__,
                "openblasEnvUnset": "OPENBLAS_CORETYPE" not in os.environ and "OPENBLAS_L2_SIZE" not in os.environ,
            }
        )
    )


if __name__ == "__main__":
    main()
