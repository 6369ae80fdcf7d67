"""Data side of scripts/replay.py: hopmixer's training sets read independently (IDX, ImageFolder with PIL),
Java's SplittableRandom (for --train-limit subsets), a small safetensors reader/writer, and one training batch
rebuilt from a replay record's choices the way timm's pipeline makes it (RandomCrop(padding) -> flip ->
ToTensor -> Normalize -> RandomErasing, then timm Mixup in batch mode)."""
import gzip
import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np
import torch

DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
MASK64 = (1 << 64) - 1


# ----------------------------------------------------------------------------------------------------------
# safetensors (Debian bookworm has no python3-safetensors)
# ----------------------------------------------------------------------------------------------------------
_NP = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
_ST = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}


def read_safetensors(path):
    data = Path(path).read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for k, v in header.items():
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[base + a:base + b], dtype=_NP[v["dtype"]]).reshape(v["shape"]).copy())
    return out, meta


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _ST[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------------------
# java.util.SplittableRandom (JDK 17+), enough for Datasets.subset: nextInt(bound)
# ----------------------------------------------------------------------------------------------------------
class SplittableRandom:
    GAMMA = 0x9E3779B97F4A7C15

    def __init__(self, seed):
        self.seed = seed & MASK64

    def next_int(self):
        self.seed = (self.seed + self.GAMMA) & MASK64
        z = self.seed
        z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & MASK64
        z = (((z ^ (z >> 28)) * 0xCB24D0A5C9E6CFBD) & MASK64) >> 32
        return z - (1 << 32) if z >= 1 << 31 else z

    def next_bounded(self, bound):
        """RandomSupport.boundedNextInt: mask for powers of two, else rejection on the top 31 bits."""
        r = self.next_int()
        m = bound - 1
        if bound & m == 0:
            return r & m
        u = (r & 0xFFFFFFFF) >> 1
        while True:
            r = u % bound
            if u + m - r < 1 << 31:  # Java's int overflow test: u + m - r < 0
                return r
            u = (self.next_int() & 0xFFFFFFFF) >> 1


def subset_indices(count, n, seed):
    """Datasets.subset(set, n, seed): partial Fisher-Yates, the first n slots, sorted."""
    if n <= 0 or n >= count:
        return list(range(count))
    order = list(range(count))
    rnd = SplittableRandom(seed)
    for i in range(n):
        j = i + rnd.next_bounded(count - i)
        order[i], order[j] = order[j], order[i]
    return sorted(order[:n])


# ----------------------------------------------------------------------------------------------------------
# training sets: images as uint8 CHW numpy arrays, loaded on demand
# ----------------------------------------------------------------------------------------------------------
def _idx(path_stem):
    for suffix in ("", ".gz"):
        p = Path(path_stem + suffix)
        if p.is_file():
            raw = gzip.open(p).read() if suffix else p.read_bytes()
            ndim = raw[3]
            dims = list(struct.unpack(">%dI" % ndim, raw[4:4 + 4 * ndim]))
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise SystemExit("replay: no IDX file %s[.gz]" % path_stem)


class TrainingSet:
    """Image i of hopmixer's training set (after --train-limit), read without hopmixer's readers."""

    def __init__(self, meta, data_dir=None, split="train"):
        name = meta["dataset"]
        root = data_dir or meta["data_dir"] or (DEBIAN_FASHION_MNIST if name == "fashion-mnist" else None)
        if root is None:
            raise SystemExit("replay: the record names no data directory for %s; pass --data-dir" % name)
        self.files = None
        if name in ("fashion-mnist", "mnist"):
            prefix = "train" if split == "train" else "t10k"
            base = root if Path(root, prefix + "-images-idx3-ubyte").exists() or Path(root, prefix + "-images-idx3-ubyte.gz").exists() else os.path.join(root, "raw")
            self.images = _idx(os.path.join(base, prefix + "-images-idx3-ubyte"))[:, None]
            self.labels = _idx(os.path.join(base, prefix + "-labels-idx1-ubyte")).astype(np.int64)
        elif name == "folder":
            top = Path(root, split) if split == "train" or Path(root, split).is_dir() else Path(root, "val")
            classes = sorted(p.name for p in Path(root, "train").iterdir() if p.is_dir() and not p.name.startswith("."))
            files, labels = [], []
            for k, c in enumerate(classes):
                found = [p for p in Path(top, c).rglob("*") if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg", ".png")]
                found.sort(key=lambda p: (str(p.parent), p.name))
                files += found
                labels += [k] * len(found)
            self.files, self.labels = files, np.array(labels, dtype=np.int64)
            self.grey = meta["image_shape"][0] == 1
        else:
            raise SystemExit("replay: data set %s is not supported (fashion-mnist, mnist, folder)" % name)
        count = len(self.labels)
        limit = meta["train_limit"] if split == "train" else 0
        self.index = subset_indices(count, limit, meta["seed"]) if limit else list(range(count))
        if split == "train" and len(self.index) != meta["train_count"]:
            raise SystemExit("replay: %d training images here, the run had %d" % (len(self.index), meta["train_count"]))

    def __len__(self):
        return len(self.index)

    def label(self, i):
        return int(self.labels[self.index[i]])

    def image(self, i):
        j = self.index[i]
        if self.files is None:
            return self.images[j].copy()
        from PIL import Image
        with Image.open(self.files[j]) as im:
            a = np.asarray(im.convert("L" if self.grey else "RGB"))
        return a[None] if a.ndim == 2 else a.transpose(2, 0, 1).copy()


# ----------------------------------------------------------------------------------------------------------
# one batch from its recorded choices
# ----------------------------------------------------------------------------------------------------------
def build_batch(rec, meta, data, dtype, mixup_target):
    """Returns (images B×C×H×W in dtype, soft targets or None, hard labels)."""
    aug = meta["augment"]
    c, h, w = meta["image_shape"]
    mean = torch.tensor(aug["mean"] * (c if len(aug["mean"]) == 1 else 1), dtype=dtype).view(-1, 1, 1)
    std = torch.tensor(aug["std"] * (c if len(aug["std"]) == 1 else 1), dtype=dtype).view(-1, 1, 1)
    rows, labels = [], []
    for r, src in enumerate(rec["sources"]):
        label = data.label(src)
        if label != rec["labels"][r]:
            raise SystemExit("replay: step %d row %d: image %d has label %d here, %d in the record"
                             % (rec["step"], r, src, label, rec["labels"][r]))
        img = data.image(src)
        if "crop" in rec:  # torchvision RandomCrop(size, padding=p, fill=0): window at (top, left) of the original
            p = aug["crop_padding"]
            top, left = rec["crop"][r]
            padded = np.pad(img, ((0, 0), (p, p), (p, p)))
            img = padded[:, p + top:p + top + h, p + left:p + left + w]
        if rec["flip"][r] == "1":
            img = img[:, :, ::-1]
        if aug["output_size"]:
            raise SystemExit("replay: resized inputs (--img-size other than the data's) are not replayed")
        x = torch.from_numpy(np.ascontiguousarray(img)).to(dtype).div(255)  # ToTensor
        x = x.sub(mean).div(std)                                            # Normalize
        erase = rec.get("erase")
        if erase and erase[r]:                                              # RandomErasing(mode='pixel')
            t, l, eh, ew = erase[r]["box"]
            x[:, t:t + eh, l:l + ew] = torch.tensor(erase[r]["noise"], dtype=torch.float32).view(c, eh, ew).to(dtype)
        rows.append(x)
        labels.append(label)
    x = torch.stack(rows)
    y = torch.tensor(labels, dtype=torch.int64)
    mixing = aug["mixup"] > 0 or aug["cutmix"] > 0
    if rec["mix"] == "mixup":                                               # timm Mixup._mix_batch
        lam = rec["lambda"]
        x_flipped = x.flip(0).mul_(1. - lam)
        x.mul_(lam).add_(x_flipped)
    elif rec["mix"] == "cutmix":
        yl, xl, yh, xh = rec["cutmix_box"]
        x[:, :, yl:yh, xl:xh] = x.flip(0)[:, :, yl:yh, xl:xh]
    targets = mixup_target(y, meta["model_config"]["numClasses"], rec["lambda"], meta["smoothing"]) if mixing else None
    return x, targets, y
