"""Peer for bench/screen.ts: the same MLP ensemble in PyTorch (CPU, no_grad), same weights and inputs, two ways:
the dense network (nn.Linear on the full 0/1 rows) and the best a peer could do for fingerprints, the first
layer as nn.EmbeddingBag(mode="sum") over the set bits (plus nn.Linear over the standardised descriptors,
if any), then the same later layers.

Usage: screen_peer.py DIR   (DIR holds meta.json, x.f32 and model.bin, cascade's MlpEnsemble model file,
written by bench/screen.ts). Writes dense_mean.f32, dense_std.f32, bag_mean.f32 and bag_std.f32 into DIR and
prints one JSON line with the median prediction time of each way over meta["repeat"] runs after one warm-up.
The set bits' indices and offsets are extracted once before timing (a peer reading RDKit's on-bits would
have them for free); cascade's timing includes its own scan of the dense rows.
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


def linear(kernel, bias):
    """nn.Linear from a tfjs kernel [in, out] and bias [out]."""
    lin = torch.nn.Linear(kernel.shape[0], kernel.shape[1])
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(kernel.T.copy()))
        lin.bias.copy_(torch.from_numpy(bias.copy()))
    return lin


def later_layers(weights):
    """Everything after the first layer's ReLU."""
    layers = []
    for k in range(2, len(weights), 2):
        layers.append(linear(weights[k], weights[k + 1]))
        if k + 2 < len(weights):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).eval()


def dense_member(weights):
    return torch.nn.Sequential(linear(weights[0], weights[1]), torch.nn.ReLU(), later_layers(weights)).eval()


class BagMember(torch.nn.Module):
    """First layer as a sum of the set bits' weight rows, plus the descriptors' dense block and the bias."""

    def __init__(self, weights, bits):
        super().__init__()
        kernel, bias = weights[0], weights[1]
        self.bag = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(kernel[:bits].copy()), mode="sum")
        self.descriptors = linear(kernel[bits:], bias) if kernel.shape[0] > bits else None
        self.bias = torch.from_numpy(bias.copy())
        self.rest = later_layers(weights)

    def forward(self, indices, offsets, descriptors):
        h = self.bag(indices, offsets)
        h = h + (self.descriptors(descriptors) if self.descriptors is not None else self.bias)
        return self.rest(torch.relu(h))[:, 0]


def summarise(out, y_mean, y_std):
    mu = out.mean(0)
    sd = out.std(0, unbiased=False).clamp_min(1e-6)
    return mu * y_std + y_mean, sd * y_std


def predict_dense(models, x, x_mean, x_std, y_mean, y_std, chunk):
    n = x.shape[0]
    mean, std = torch.empty(n), torch.empty(n)
    with torch.no_grad():
        for start in range(0, n, chunk):
            block = (x[start : start + chunk] - x_mean) / x_std
            out = torch.stack([m(block)[:, 0] for m in models])
            mean[start : start + chunk], std[start : start + chunk] = summarise(out, y_mean, y_std)
    return mean, std


def predict_bag(models, chunks, n, y_mean, y_std):
    mean, std = torch.empty(n), torch.empty(n)
    with torch.no_grad():
        for start, indices, offsets, descriptors in chunks:
            out = torch.stack([m(indices, offsets, descriptors) for m in models])
            stop = start + offsets.shape[0]
            mean[start:stop], std[start:stop] = summarise(out, y_mean, y_std)
    return mean, std


def bag_inputs(x, bits, x_mean, x_std, chunk):
    """Per chunk: the set bits (flat indices and per-row offsets) and the standardised descriptors."""
    chunks = []
    for start in range(0, x.shape[0], chunk):
        block = x[start : start + chunk]
        rows, cols = torch.nonzero(block[:, :bits], as_tuple=True)
        counts = torch.bincount(rows, minlength=block.shape[0])
        offsets = torch.cat([torch.zeros(1, dtype=torch.long), torch.cumsum(counts, 0)[:-1]])
        descriptors = ((block[:, bits:] - x_mean[bits:]) / x_std[bits:]).contiguous()
        chunks.append((start, cols.contiguous(), offsets, descriptors))
    return chunks


def timed(fn, repeat):
    fn()  # warm-up
    runs, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return float(np.median(runs)), runs, result


def save(folder, name, tensor):
    tensor.numpy().astype("<f4").tofile(os.path.join(folder, name))


def main():
    folder = sys.argv[1]
    torch.set_num_threads(os.cpu_count() or 1)
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    header, x_mean, x_std, weights = read_model(os.path.join(folder, "model.bin"))
    bits, chunk, repeat = meta["bits"], meta["chunk"], meta["repeat"]
    # the bag path is exact only where the bits are not rescaled, as cascade's scalers leave 0/1 columns
    assert np.all(x_mean[:bits] == 0) and np.all(x_std[:bits] == 1), "fingerprint columns are rescaled"
    x = torch.from_numpy(np.fromfile(os.path.join(folder, "x.f32"), dtype="<f4").reshape(-1, meta["d"]))
    n = x.shape[0]
    xm, xs = torch.from_numpy(x_mean.copy()), torch.from_numpy(x_std.copy())
    y_mean, y_std = header["yMean"], header["yStd"]

    dense = [dense_member(w) for w in weights]
    dense_s, dense_runs, (dm, ds) = timed(lambda: predict_dense(dense, x, xm, xs, y_mean, y_std, chunk), repeat)
    bags = [BagMember(w, bits).eval() for w in weights]
    chunks = bag_inputs(x, bits, xm, xs, chunk)
    bag_s, bag_runs, (bm, bs) = timed(lambda: predict_bag(bags, chunks, n, y_mean, y_std), repeat)
    for name, tensor in (("dense_mean", dm), ("dense_std", ds), ("bag_mean", bm), ("bag_std", bs)):
        save(folder, f"{name}.f32", tensor)
    slowing = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]
    print(
        json.dumps(
            {
                "denseSeconds": dense_s,
                "denseRuns": dense_runs,
                "bagSeconds": bag_s,
                "bagRuns": bag_runs,
                "threads": torch.get_num_threads(),
                "version": torch.__version__,
                "slowingEnvSet": [v for v in slowing if v in os.environ],
            }
        )
    )


if __name__ == "__main__":
    main()
