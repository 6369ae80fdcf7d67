#!/usr/bin/env python3
"""Load a hopmixer checkpoint into a PyTorch model with the official parameter names and evaluate it.

    /usr/bin/python3 scripts/load-checkpoint.py runs/paramixer_nano-fashion-mnist [--limit 2000]

`model.load_state_dict(..., strict=True)` proves the file is the official state_dict (names, shapes, dtype);
the script then classifies the Fashion-MNIST test set (Debian's dataset-fashion-mnist) with it, normalised
as hopmixer does ((x/255 − mean)/std, from the checkpoint), so its accuracy can be compared with `hopmixer eval`. Families with
parallel or serial (S, C)-LayerNorm blocks (paramixer, symmixer, asymmixer, vanillamixer).
"""
import argparse
import gzip
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
Mixer = __import__("bench-pytorch").Mixer

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    data = Path(path).read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {k: torch.from_numpy(np.frombuffer(data[base + v["data_offsets"][0]:base + v["data_offsets"][1]],
                                                 dtype=DTYPES[v["dtype"]]).reshape(v["shape"]).copy())
               for k, v in header.items()}
    return tensors, meta


def newest(path):
    p = Path(path)
    if p.is_file():
        return p
    if (p / "model.safetensors").exists():
        return p / "model.safetensors"
    return sorted((p / "checkpoints").glob("step-*/model.safetensors"))[-1]


def idx(path):
    raw = gzip.open(path).read() if str(path).endswith(".gz") else Path(path).read_bytes()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--limit", type=int, default=10000)
    a = ap.parse_args()
    file = newest(a.checkpoint)
    state, meta = read_safetensors(file)
    cfg = json.loads(meta["model_config"])
    family = cfg["family"].lower()
    model = Mixer(family, img=cfg["imageSize"], patch=cfg["patch"], dim=cfg["dim"], depth=cfg["depth"],
                  classes=cfg["numClasses"], in_chans=cfg["inChans"], n_iter=cfg["nIter"])
    model.load_state_dict(state, strict=True)
    model.eval()
    d = Path(a.data)
    images = next(f for f in sorted(d.iterdir()) if f.name.startswith("t10k-images"))
    labels = next(f for f in sorted(d.iterdir()) if f.name.startswith("t10k-labels"))
    x = torch.from_numpy(idx(images)[:a.limit].astype(np.float32)).unsqueeze(1) / 255
    y = torch.from_numpy(idx(labels)[:a.limit].astype(np.int64))
    # The checkpoint's own normalisation (checkpoints before it was stored used 0.5/0.5).
    mean, std = (torch.tensor(json.loads(meta.get(k, "0.5")), dtype=torch.float32).reshape(-1, 1, 1) for k in ("mean", "std"))
    with torch.no_grad():
        logits = torch.cat([model((xb - mean) / std) for xb in x.split(500)])
    top1 = (logits.argmax(1) == y).float().mean().item() * 100
    print(f"{file}: {cfg['name']} loaded strictly ({len(state)} tensors); top-1 on {len(y)} test images: {top1:.2f}%")


if __name__ == "__main__":
    main()
