#!/usr/bin/python3
"""PyTorch parity fixtures for hopmixer.

Builds tiny float64 versions of the MLP-Mixer family of Karakida, Ota, Taki 2024
(official code: github.com/Toshihiro-Ota/paramixer, models/layers.py and models/mixers.py)
plus timm's standard MLP-Mixer, runs one forward/backward pass on a fixed input, and writes one
safetensors file per model with the parameters (official state_dict names), input, target,
logits, loss and gradients.

Plain PyTorch only (no timm): the modules below copy the semantics of the official vMlp, sMlp,
aMlp, vMixerBlock, pMixerBlock and MlpMixer, of timm's PatchEmbed / Mlp / MixerBlock, with drop
and drop_path off.

    /usr/bin/python3 scripts/parity_fixture.py --out src/test/resources/parity
"""
import argparse
import json
import math
import os
import struct
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

# ---------------------------------------------------------------------------------------------
# tiny configuration (shared by every case)
# ---------------------------------------------------------------------------------------------
BATCH = 3
IN_CHANS = 2
IMG_SIZE = 8
PATCH = 4
SEQ_LEN = (IMG_SIZE // PATCH) ** 2          # 4 tokens
DIM = 8
MLP_RATIO = (0.5, 4.0)                       # tokens hidden int(0.5*8)=4, channels hidden int(4*8)=32
NUM_BLOCKS = 2
NUM_CLASSES = 5
SMOOTHING = 0.1
LN_EPS = 1e-6
PARAM_SEED = 20240501
INPUT_SEED = 7
TARGET = [1, 4, 0]


# ---------------------------------------------------------------------------------------------
# MLPs (official models/layers.py; timm Mlp for the baseline)
# ---------------------------------------------------------------------------------------------
class vMlp(nn.Module):
    """Official vMlp: fc1 -> GELU -> fc2. bias defaults to False in the official code, and the
    vanillamixer_* entry points do not override it, so the official vanillamixer has no MLP bias.
    bias=True gives timm's Mlp (used by the timm MixerBlock baseline)."""

    def __init__(self, in_features, hidden_features, bias=False):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features, bias=bias)
        self.act = nn.GELU()                       # exact (erf) GELU
        self.fc2 = nn.Linear(hidden_features, in_features, bias=bias)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class sMlp(nn.Module):
    """Official sMlp: one weight W = fc2.weight of shape (hidden, in);
    y = GELU(x W^T) W  (i.e. F.linear(GELU(F.linear(x, W)), W.T))."""

    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.fc2 = nn.Linear(in_features, hidden_features, bias=False)
        self.act = nn.GELU()

    def forward(self, x):
        x = F.linear(x, self.fc2.weight)
        x = self.act(x)
        return F.linear(x, self.fc2.weight.T)


class aMlp(nn.Module):
    """Official aMlp: a = GELU(x W1^T); y = a W1 + a W2^T (W1 = fc1.weight (hidden, in),
    W2 = fc2.weight (in, hidden)); no biases."""

    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden_features, bias=False)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_features, in_features, bias=False)

    def forward(self, x):
        x = F.linear(x, self.fc1.weight)
        x = self.act(x)
        return F.linear(x, self.fc1.weight.T) + self.fc2(x)


# ---------------------------------------------------------------------------------------------
# blocks
# ---------------------------------------------------------------------------------------------
def _hidden(dim):
    return [int(r * dim) for r in MLP_RATIO]


class vMixerBlock(nn.Module):
    """Official serial block: LayerNorm over the joint (seq_len, dim) shape, n_iter repeats with
    shared weights."""

    def __init__(self, dim, seq_len, mlp_layer, n_iter):
        super().__init__()
        tokens_dim, channels_dim = _hidden(dim)
        self.norm1 = nn.LayerNorm((seq_len, dim), eps=LN_EPS)
        self.mlp_tokens = mlp_layer(seq_len, tokens_dim)
        self.norm2 = nn.LayerNorm((seq_len, dim), eps=LN_EPS)
        self.mlp_channels = mlp_layer(dim, channels_dim)
        self.n_iter = n_iter

    def forward(self, x):
        for _ in range(self.n_iter):
            x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
            x = x + self.mlp_channels(self.norm2(x))
        return x


class pMixerBlock(nn.Module):
    """Official parallel block: one joint LayerNorm shared by both branches."""

    def __init__(self, dim, seq_len, mlp_layer, n_iter):
        super().__init__()
        tokens_dim, channels_dim = _hidden(dim)
        self.norm = nn.LayerNorm((seq_len, dim), eps=LN_EPS)
        self.mlp_tokens = mlp_layer(seq_len, tokens_dim)
        self.mlp_channels = mlp_layer(dim, channels_dim)
        self.n_iter = n_iter

    def forward(self, x):
        for _ in range(self.n_iter):
            x = x + self.mlp_tokens(self.norm(x).transpose(1, 2)).transpose(1, 2) + self.mlp_channels(self.norm(x))
        return x


class MixerBlock(nn.Module):
    """timm MixerBlock: per-token LayerNorm(dim), Mlp with biases, serial, no iteration."""

    def __init__(self, dim, seq_len, mlp_layer, n_iter):
        super().__init__()
        assert n_iter == 1
        tokens_dim, channels_dim = _hidden(dim)
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp_tokens = vMlp(seq_len, tokens_dim, bias=True)
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp_channels = vMlp(dim, channels_dim, bias=True)

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        x = x + self.mlp_channels(self.norm2(x))
        return x


# ---------------------------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------------------------
class PatchEmbed(nn.Module):
    """timm PatchEmbed without norm: Conv2d(kernel=stride=patch), flatten(2).transpose(1, 2)."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(IN_CHANS, DIM, kernel_size=PATCH, stride=PATCH, bias=True)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class MlpMixer(nn.Module):
    def __init__(self, block_layer, mlp_layer, n_iter=1, lcoeff=0.0):
        super().__init__()
        self.lcoeff = lcoeff
        self.stem = PatchEmbed()
        self.blocks = nn.Sequential(*[block_layer(DIM, SEQ_LEN, mlp_layer, n_iter) for _ in range(NUM_BLOCKS)])
        self.norm = nn.LayerNorm(DIM, eps=LN_EPS)
        self.head = nn.Linear(DIM, NUM_CLASSES)

    def forward(self, x):
        x = self.stem(x)
        x = self.blocks(x)
        x = self.norm(x)
        x = x.mean(dim=1)
        return self.head(x)


def reg_weight2(model, lam):
    """Official util/utils.py reg_weight2: lambda * sum over blocks of the squared Frobenius norms of
    mlp_tokens.fc2.weight and mlp_channels.fc2.weight."""
    total = 0.0
    for block in model.blocks:
        total = total + torch.sum(block.mlp_tokens.fc2.weight ** 2) + torch.sum(block.mlp_channels.fc2.weight ** 2)
    return lam * total


CASES = [
    # name, block, mlp, n_iter, lcoeff
    ("vanillamixer_tiny", vMixerBlock, vMlp, 1, 0.0),
    ("paramixer_tiny", pMixerBlock, vMlp, 1, 0.0),
    ("symmixer_tiny", pMixerBlock, sMlp, 1, 0.0),
    ("asymmixer_tiny_l01", pMixerBlock, aMlp, 1, 0.1),
    ("paramixer_tiny_ni2", pMixerBlock, vMlp, 2, 0.0),
    ("symmixer_tiny_ni3", pMixerBlock, sMlp, 3, 0.0),
    ("vanillamixer_tiny_ni2", vMixerBlock, vMlp, 2, 0.0),
    ("mixer_tiny", MixerBlock, None, 1, 0.0),
]


def init_params(model, gen):
    """Every parameter random (not the official init, whose zero head gives trivial gradients):
    LayerNorm weight 1 + 0.1 randn, every bias 0.1 randn, every other weight 0.3 randn."""
    with torch.no_grad():
        for mname, module in model.named_modules():
            for pname, p in module.named_parameters(recurse=False):
                noise = torch.randn(p.shape, generator=gen)
                if isinstance(module, nn.LayerNorm) and pname == "weight":
                    p.copy_(1.0 + 0.1 * noise)
                elif pname == "bias":
                    p.copy_(0.1 * noise)
                else:
                    p.copy_(0.3 * noise)


def label_smoothing_ce(logits, target, smoothing):
    """timm LabelSmoothingCrossEntropy, written out (used to cross-check F.cross_entropy)."""
    logp = F.log_softmax(logits, dim=-1)
    nll = -logp.gather(dim=-1, index=target.unsqueeze(1)).squeeze(1)
    smooth = -logp.mean(dim=-1)
    return ((1.0 - smoothing) * nll + smoothing * smooth).mean()


def run_case(name, block, mlp, n_iter, lcoeff):
    model = MlpMixer(block, mlp, n_iter=n_iter, lcoeff=lcoeff)
    init_params(model, torch.Generator().manual_seed(PARAM_SEED))
    x = torch.randn((BATCH, IN_CHANS, IMG_SIZE, IMG_SIZE), generator=torch.Generator().manual_seed(INPUT_SEED))
    target = torch.tensor(TARGET, dtype=torch.int64)

    model.zero_grad()
    logits = model(x)
    ce = F.cross_entropy(logits, target, label_smoothing=SMOOTHING)
    ce_check = label_smoothing_ce(logits, target, SMOOTHING)
    assert torch.allclose(ce, ce_check, rtol=0, atol=1e-13), (ce.item(), ce_check.item())
    loss = ce + reg_weight2(model, lcoeff) if lcoeff != 0.0 else ce
    loss.backward()

    tensors = {}
    for pname, p in model.named_parameters():
        tensors[pname] = p.detach()
        tensors["grad." + pname] = p.grad.detach()
    assert list(model.state_dict().keys()) == [n for n, _ in model.named_parameters()]
    tensors["input"] = x
    tensors["target"] = target
    tensors["logits"] = logits.detach()
    tensors["loss"] = loss.detach().reshape(1)
    metadata = {
        "model": name,
        "lcoeff": repr(float(lcoeff)),
        "n_iter": str(n_iter),
        "smoothing": repr(SMOOTHING),
        "torch_version": torch.__version__,
        "block": block.__name__,
        "mlp": "Mlp" if mlp is None else mlp.__name__,
        "batch": str(BATCH),
        "in_chans": str(IN_CHANS),
        "img_size": str(IMG_SIZE),
        "patch_size": str(PATCH),
        "embed_dim": str(DIM),
        "num_blocks": str(NUM_BLOCKS),
        "num_classes": str(NUM_CLASSES),
        "mlp_ratio": "0.5,4.0",
        "layer_norm_eps": repr(LN_EPS),
        "cross_entropy": "mean over batch of (1-s)*nll + s*mean_k(-log p_k)",
    }
    return tensors, metadata, loss.item()


# ---------------------------------------------------------------------------------------------
# minimal safetensors writer (json + struct), per the safetensors spec
# ---------------------------------------------------------------------------------------------
_DTYPES = {torch.float64: ("F64", "d"), torch.float32: ("F32", "f"), torch.int64: ("I64", "q"),
           torch.int32: ("I32", "i"), torch.uint8: ("U8", "B")}


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": dict(metadata)}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        dtype, code = _DTYPES[t.dtype]
        values = t.reshape(-1).tolist()
        data = struct.pack("<%d%s" % (len(values), code), *values)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(hjson)))
            f.write(hjson)
            for c in chunks:
                f.write(c)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def check_official(repo_dir, cases_written):
    """Optional cross-check: rebuild each case with the official code (models/, util/ of a
    paramixer checkout; needs timm importable) and timm's own MlpMixer, load our parameters into
    it, and compare logits, loss (timm LabelSmoothingCrossEntropy + official reg_weight2) and every
    gradient. Returns the largest absolute difference."""
    import sys
    sys.path.insert(0, repo_dir)
    import models.mixers as official
    from models import layers as official_layers
    from util.utils import reg_weight2 as official_reg
    from timm.loss import LabelSmoothingCrossEntropy
    import timm.models.mlp_mixer as timm_mixer

    cfg = dict(num_classes=NUM_CLASSES, img_size=IMG_SIZE, in_chans=IN_CHANS, patch_size=PATCH,
               num_blocks=NUM_BLOCKS, embed_dim=DIM)
    worst = 0.0
    for (name, block, mlp, n_iter, lcoeff), tensors in cases_written:
        if block is MixerBlock:
            model = timm_mixer.MlpMixer(**cfg)
        else:
            model = official.MlpMixer(block_layer=getattr(official_layers, block.__name__),
                                      mlp_layer=getattr(official_layers, mlp.__name__),
                                      n_iter=n_iter, lcoeff=lcoeff, **cfg)
        names = [k for k, _ in model.named_parameters()]
        assert sorted(names) == sorted(k for k in tensors if k.startswith(("stem.", "blocks.", "norm.", "head."))), name
        model.load_state_dict({k: tensors[k] for k in names}, strict=True)
        out = model(tensors["input"])
        loss = LabelSmoothingCrossEntropy(SMOOTHING)(out, tensors["target"]) + official_reg(model, _lambda=lcoeff)
        loss.backward()
        d = max((out - tensors["logits"]).abs().max().item(), abs(loss.item() - tensors["loss"].item()))
        for k, p in model.named_parameters():
            d = max(d, (p.grad - tensors["grad." + k]).abs().max().item())
        print("  official check %-24s max|diff| = %.3g" % (name, d))
        worst = max(worst, d)
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="src/test/resources/parity", help="output directory")
    ap.add_argument("--check-official", metavar="PARAMIXER_DIR",
                    help="also compare against the official code in this paramixer checkout (needs timm)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    written = []
    for case in CASES:
        name, block, mlp, n_iter, lcoeff = case
        tensors, metadata, loss = run_case(name, block, mlp, n_iter, lcoeff)
        written.append((case, tensors))
        path = os.path.join(args.out, name + ".safetensors")
        save_safetensors(path, tensors, metadata)
        logits = tensors["logits"]
        assert torch.isfinite(logits).all() and math.isfinite(loss)
        print("%-24s loss=%.12f  params=%d  bytes=%d" % (
            name, loss, sum(1 for k in tensors if not k.startswith("grad.") and k not in
                            ("input", "target", "logits", "loss")), os.path.getsize(path)))
    if args.check_official:
        worst = check_official(args.check_official, written)
        print("official check: worst max|diff| = %.3g" % worst)
        if not worst < 1e-10:
            raise SystemExit("official check FAILED")


if __name__ == "__main__":
    main()
