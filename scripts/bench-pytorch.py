#!/usr/bin/env python3
"""The nano Mixer models in plain PyTorch, timed on the CPU (or a GPU, --device cuda): the baseline `hopmixer bench` is compared with.

Same shapes and step as hopmixer's: 32-px RGB input, patch 4 (64 tokens), C 128, token hidden 64, channel
hidden 512, 8 blocks, 10 classes; joint (S, C) LayerNorm, exact GELU, no MLP bias (official Hopfield
variants); one step = forward, soft-target cross-entropy, backward, AdamW. Prints one CSV row:
model,batch,threads,images_per_sec,ms_per_step,torch_version
(or, with --turns, steps on request: see turns()).

Also the official 224-px sizes s16 and s32 (e.g. paramixer_s16_224: patch 16, 196 tokens, C 512, 8 blocks).

Run as `scripts/bench-compare.py` does, with the same thread count as the Java side. Works with Debian's
PyTorch 1.13 and with current releases.
"""
import argparse
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    """kind: 'untied' W2·GELU(W1·z), 'tied' Wᵀ·GELU(W·z), 'broken' W1ᵀ·GELU(W1·z) + W2·GELU(W1·z)."""

    def __init__(self, dim, hidden, kind):
        super().__init__()
        self.kind = kind
        if kind == "tied":
            self.fc2 = nn.Linear(dim, hidden, bias=False)
        else:
            self.fc1 = nn.Linear(dim, hidden, bias=False)
            self.fc2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        if self.kind == "tied":
            return F.linear(F.gelu(F.linear(x, self.fc2.weight)), self.fc2.weight.t())
        a = F.gelu(self.fc1(x))
        if self.kind == "broken":
            return F.linear(a, self.fc1.weight.t()) + self.fc2(a)
        return self.fc2(a)


class ParallelBlock(nn.Module):
    def __init__(self, dim, seq, kind):
        super().__init__()
        self.norm = nn.LayerNorm((seq, dim), eps=1e-6)
        self.mlp_tokens = Mlp(seq, dim // 2, kind)
        self.mlp_channels = Mlp(dim, dim * 4, kind)

    def forward(self, x):
        z = self.norm(x)
        return x + self.mlp_tokens(z.transpose(1, 2)).transpose(1, 2) + self.mlp_channels(z)


class SerialBlock(nn.Module):
    def __init__(self, dim, seq, kind):
        super().__init__()
        self.norm1 = nn.LayerNorm((seq, dim), eps=1e-6)
        self.mlp_tokens = Mlp(seq, dim // 2, kind)
        self.norm2 = nn.LayerNorm((seq, dim), eps=1e-6)
        self.mlp_channels = Mlp(dim, dim * 4, kind)

    def forward(self, x):
        x = x + self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.mlp_channels(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, in_chans, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(in_chans, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Mixer(nn.Module):
    """Parameter names are the official state_dict's, so hopmixer checkpoints load here (see load-checkpoint.py)."""

    def __init__(self, family, img=32, patch=4, dim=128, depth=8, classes=10, in_chans=3, n_iter=1):
        super().__init__()
        kind = {"paramixer": "untied", "vanillamixer": "untied", "symmixer": "tied", "asymmixer": "broken"}[family]
        block = SerialBlock if family == "vanillamixer" else ParallelBlock
        seq = (img // patch) ** 2
        self.n_iter = n_iter
        self.stem = PatchEmbed(in_chans, dim, patch)
        self.blocks = nn.Sequential(*[block(dim, seq, kind) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.stem(x)
        for blk in self.blocks:
            for _ in range(self.n_iter):
                x = blk(x)
        return self.head(self.norm(x).mean(1))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="paramixer_nano")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda")
    p.add_argument("--turns", action="store_true",
                   help="after the warm-up, run N steps for each line N read on standard input and print their ms "
                        "(scripts/bench-compare.py --turns)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    # image, patch, dim, depth of the model name's size, as hopmixer's Models
    sizes = {"nano": (32, 4, 128, 8), "s16": (224, 16, 512, 8), "s32": (224, 32, 512, 8)}
    size = a.model.split("_")[1]
    if size not in sizes:
        p.error(f"--model {a.model}: size {size} not here; one of {', '.join(sizes)}")
    img, patch, dim, depth = sizes[size]
    dev = torch.device(a.device)
    # on a GPU a step's time is only known once its kernels have finished
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    model = Mixer(a.model.split("_")[0], img=img, patch=patch, dim=dim, depth=depth).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
    x = torch.randn(a.batch, 3, img, img).to(dev)
    t = F.one_hot(torch.randint(0, 10, (a.batch,)), 10).float().to(dev)

    def step():
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = torch.sum(-t * F.log_softmax(model(x), dim=-1), dim=-1).mean()
        loss.backward()
        opt.step()
        sync()
        return time.perf_counter() - t0

    for _ in range(a.warmup):
        step()
    if a.turns:
        return turns(step, a.batch)
    times = [step() for _ in range(a.runs)]
    ms = statistics.median(times) * 1000
    print(f"{a.model},{a.batch},{a.threads},{a.batch * 1000 / ms:.1f},{ms:.2f},{torch.__version__}")


def turns(step, batch):
    """`hopmixer bench --turns`'s protocol (bench/StepTurns.java): ready line, then N steps per line read, their ms."""
    print(f"ready {batch} 0 {torch.__version__}", flush=True)
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            break
        if not line.strip().isdigit():  # digits only (int() would also take underscores)
            sys.exit(f"turn {number}: {line.strip()!r} is not a whole number from 1 to 10000; send that, "
                     "or an empty line to end")
        n = int(line)
        if not 1 <= n <= 10000:
            sys.exit(f"turn {number}: {line.strip()!r} is out of range; send a whole number from 1 to 10000, "
                     "or an empty line to end")
        print(" ".join(f"{step() * 1000:.3f}" for _ in range(n)), flush=True)


if __name__ == "__main__":
    main()
