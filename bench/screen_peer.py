"""Peer for bench/screen.ts: the same MLP ensemble in PyTorch (CPU, no_grad), same weights and inputs.

Usage: screen_peer.py DIR   (DIR holds meta.json, x.f32 and model.bin, cascade's MlpEnsemble model file,
written by bench/screen.ts). Writes mean.f32 and std.f32 into DIR and prints one JSON line with the median
prediction time over meta["repeat"] runs after one warm-up.
"""

import json
import os
import struct
import sys
import time

import numpy as np
import torch


def read_model(path):
    """cascade's model file: "CSCDMLP1", u32 LE header length, JSON header, pad to 4, float32s."""
    raw = open(path, "rb").read()
    assert raw[:8] == b"CSCDMLP1", "not an mlp-ensemble model file"
    (length,) = struct.unpack("<I", raw[8:12])
    header = json.loads(raw[12 : 12 + length])
    start = (12 + length + 3) // 4 * 4
    floats = np.frombuffer(raw[start:], dtype="<f4")
    offset = 0

    def take(count):
        nonlocal offset
        part = floats[offset : offset + count]
        offset += count
        return part

    d = header["description"]["nFeatures"]
    x_mean, x_std = take(d), take(d)
    members = []
    for shapes in header["shapes"]:
        members.append([take(int(np.prod(s))).reshape(s) for s in shapes])
    return header, x_mean, x_std, members


def build(weights):
    """Dense layers (tfjs kernel [in, out], bias [out]) with ReLU between them."""
    layers = []
    for k in range(0, len(weights), 2):
        kernel, bias = weights[k], weights[k + 1]
        lin = torch.nn.Linear(kernel.shape[0], kernel.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(kernel.T.copy()))
            lin.bias.copy_(torch.from_numpy(bias.copy()))
        layers.append(lin)
        if k + 2 < len(weights):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).eval()


def predict(models, x, x_mean, x_std, y_mean, y_std, chunk):
    n = x.shape[0]
    mean = torch.empty(n)
    std = torch.empty(n)
    with torch.no_grad():
        for start in range(0, n, chunk):
            block = (x[start : start + chunk] - x_mean) / x_std
            out = torch.stack([m(block)[:, 0] for m in models])
            mu = out.mean(0)
            sd = out.std(0, unbiased=False).clamp_min(1e-6)
            mean[start : start + chunk] = mu * y_std + y_mean
            std[start : start + chunk] = sd * y_std
    return mean, std


def main():
    folder = sys.argv[1]
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    header, x_mean, x_std, weights = read_model(os.path.join(folder, "model.bin"))
    models = [build(w) for w in weights]
    x = torch.from_numpy(np.fromfile(os.path.join(folder, "x.f32"), dtype="<f4").reshape(-1, meta["d"]))
    xm, xs = torch.from_numpy(x_mean.copy()), torch.from_numpy(x_std.copy())
    args = (xm, xs, header["yMean"], header["yStd"], meta["chunk"])
    predict(models, x[: meta["chunk"]], *args)  # warm-up
    runs = []
    for _ in range(meta["repeat"]):
        t0 = time.perf_counter()
        mean, std = predict(models, x, *args)
        runs.append(time.perf_counter() - t0)
    mean.numpy().astype("<f4").tofile(os.path.join(folder, "mean.f32"))
    std.numpy().astype("<f4").tofile(os.path.join(folder, "std.f32"))
    print(
        json.dumps(
            {
                "seconds": float(np.median(runs)),
                "runs": runs,
                "threads": torch.get_num_threads(),
                "version": torch.__version__,
                "openblasEnvUnset": "OPENBLAS_CORETYPE" not in os.environ and "OPENBLAS_L2_SIZE" not in os.environ,
            }
        )
    )


if __name__ == "__main__":
    main()
