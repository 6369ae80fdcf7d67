#!/usr/bin/env python3
"""Side-by-side benchmark on this machine: hopmixer's JVM device against PyTorch and against the machine's BLAS.

Runs, in one go and on the same number of threads, for each configuration (model@batch) in turn, so that the two
sides of a ratio see the same machine load:
  1. `scripts/hopmixer bench --devices jvm` (a training step; 224-px models at their image size);
  2. `scripts/bench-pytorch.py` for the same model, batch and threads;
then the channel MLP's six matrix products and the token MLP's (of the first configuration, and of the first 224-px
one) on the JVM and numpy (Debian's python3-numpy over OpenBLAS) on the same shapes: matmul, broadcast over the images
for a token product's weight on the left; for a token weight gradient (summed over the images) the faster of a
product per image then their sum, and the images copied side by side along K then one product. Each round ends its pairs with the JVM's
FMA peak (`hopmixer bench --peak`), and each step's matrix products are given as GFLOP/s and as a share of it.
Appends to results/pytorch-vs-jvm.csv and results/gemm-vs-blas.csv (machine, date, threads, batch, ..., and --note,
e.g. that the machine was loaded).

With --turns T the two sides of a pair are not run one after the other but held open, warm, in two processes that
take T turns of --turn-steps steps each (`hopmixer bench --turns` and `bench-pytorch.py --turns`), the order flipping
every turn: this machine's speed swings by 15 % over minutes, and a ratio of two sides timed minutes apart carries
the swing, one of two sides timed seconds apart does not. Each turn starts with one untimed step per side (it pays
for the other side's use of the caches). The row's ratio is the median of the per-turn ratios. The products go
in turns too: `hopmixer bench --turns --no-step` and a numpy server hold them warm, T turns of --runs calls each.

PyTorch and numpy run at their best settings here: OPENBLAS_CORETYPE=SkylakeX (Debian's OpenBLAS 0.3.21 does
not recognise this CPU and falls back to a slow kernel otherwise) and OMP_WAIT_POLICY=PASSIVE (two OpenMP
threads otherwise spin against each other on 2 cores), and glibc's malloc keeping freed memory (GLIBC_TUNABLES; see
blas_env). Pass --no-coretype to measure without the first.
"""
import argparse
import csv
import datetime
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The five: every Hopfield family's nano model at batch 128, and a 224-px model at a small batch.
DEFAULT_CONFIGS = ("vanillamixer_nano@128,paramixer_nano@128,symmixer_nano@128,asymmixer_nano_l03@128,"
                   "paramixer_s16_224@8")
ROOT = HERE.parent


def machine():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return f"{os.uname().machine}, {os.cpu_count()} cores"


def blas_env(threads, coretype, keep_freed=True):
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads))
    # glibc returns a freed block of 128 KB or more to the kernel at once, so each of PyTorch's (and numpy's) fresh
    # output tensors is faulted in page by page again; on this machine that tripled a nano step (75-111 against
    # 242-258 images/s, 2026-12-02). Keeping freed memory in the process is what jemalloc or tcmalloc, PyTorch's
    # recommended allocators for the CPU, do too.
    # scripts/peak-rss.py measures memory without it: glibc's default then gives PyTorch its smallest footprint.
    if keep_freed:
        mine = "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295"
        env["GLIBC_TUNABLES"] = ":".join(x for x in (os.environ.get("GLIBC_TUNABLES", ""), mine) if x)
    if coretype:
        env["OPENBLAS_CORETYPE"] = "SkylakeX"
    else:
        env.pop("OPENBLAS_CORETYPE", None)
    return env


NUMPY_PRODUCTS = r"""
import sys, time, numpy as np
def candidates(rng, m, n, k, ta, tb, batch, mode):
    # Random operands of one product and the numpy ways to compute it (the caller keeps the faster).
    # mode: "" (one product), "shared_a" (one a, a b and a c per image) or "sum" (c summed over images)
    assert mode in ("", "shared_a", "sum"), f"no numpy version of a {mode} product"
    per_a = (batch,) if mode == "sum" else ()
    per_b = (batch,) if mode else ()
    a = rng.random(per_a + ((k, m) if ta else (m, k)), dtype=np.float32) - 0.5
    b = rng.random(per_b + ((n, k) if tb else (k, n)), dtype=np.float32) - 0.5
    A = np.swapaxes(a, -1, -2) if ta else a
    B = np.swapaxes(b, -1, -2) if tb else b
    if mode != "sum":
        return [lambda: A @ B]  # one product, or shared_a: one a broadcast over the images' b
    # Summed over the images: numpy has no sgemm that adds into c, so the faster of two ways, each timed whole:
    # a product per image then their sum, or the operands copied side by side along K and one product.
    # Side by side along K: a's images as (m, batch·k) and b's as (batch·k, n), each copied in contiguous rows (a
    # stored transposed, or b not, needs no copy).
    a2 = lambda: a.reshape(-1, m).T if ta else np.swapaxes(a, 0, 1).reshape(m, -1)
    b2 = lambda: np.swapaxes(b, 0, 1).reshape(n, -1).T if tb else b.reshape(-1, n)
    return [lambda: (A @ B).sum(0), lambda: a2() @ b2()]
def times_ms(f, runs):
    out = []
    for _ in range(runs):
        t = time.perf_counter(); f(); out.append((time.perf_counter() - t) * 1000)
    return out
"""

NUMPY_SNIPPET = NUMPY_PRODUCTS + r"""
m, n, k, ta, tb, runs, batch = map(int, sys.argv[1:8])
fs = candidates(np.random.default_rng(1), m, n, k, ta, tb, batch, sys.argv[8])
def median_ms(f):
    for _ in range(3): f()
    return sorted(times_ms(f, runs))[runs // 2]
ms = min(median_ms(f) for f in fs)
print(f"{ms:.4f} {2 * max(batch, 1) * m * n * k / (ms * 1e6):.2f}")
"""


NUMPY_SERVER = NUMPY_PRODUCTS + r"""
# `hopmixer bench --turns --no-step`'s protocol (bench/StepTurns.java) for numpy: each argument a product
# m,n,k,ta,tb,batch,mode as in NUMPY_SNIPPET; "ready gemms <count>", then lines "I N": product I N times, their ms.
rng = np.random.default_rng(1)
fns = []
for spec in sys.argv[1:]:
    f = spec.split(",")
    fs = candidates(rng, *map(int, f[:6]), f[6])
    for g in fs: times_ms(g, 3)
    fns.append(min(fs, key=lambda g: sorted(times_ms(g, 5))[2]))  # the faster way, as NUMPY_SNIPPET takes
print(f"ready gemms {len(fns)}", flush=True)
for line in sys.stdin:
    if not line.strip():
        break
    i, n = map(int, line.split())
    print(" ".join(f"{t:.4f}" for t in times_ms(fns[i], n)), flush=True)
"""


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--configs", default=DEFAULT_CONFIGS,
                   help="model@batch,... (batch defaults to --batch); default: the issue's five")
    p.add_argument("--models", help="model,... at --batch (instead of --configs)")
    p.add_argument("--note", default="", help="a note for the CSV rows, e.g. 'loaded machine'")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=10,
                   help="untimed steps first, on both sides (the JVM compiles its kernels during them)")
    p.add_argument("--python", default="/usr/bin/python3", help="a Python with torch and numpy")
    p.add_argument("--no-coretype", action="store_true")
    p.add_argument("--results", default=str(ROOT / "results"))
    p.add_argument("--turns", type=int, default=0, metavar="T",
                   help="time each pair in T turns instead: both sides warm in two processes held open, taking turns of "
                        "--turn-steps steps, the order flipping every turn; a ratio per turn, the row's their median "
                        "(on a machine whose speed swings, both sides of a turn see the same machine)")
    p.add_argument("--turn-steps", type=int, default=3, metavar="S", help="steps per side and turn (default 3)")
    p.add_argument("--no-gemms", action="store_true", help="the steps only: skip the matrix products against BLAS")
    p.add_argument("--rounds", type=int, default=1,
                   help="repeat everything this many times and print the median ratio and share per row: on a machine "
                        "whose speed swings, a median of rounds is the number to quote (rows note their round)")
    a = p.parse_args()
    if a.turns < 0 or not 1 <= a.turn_steps <= 9999 or (a.turns and a.turns < 3):
        p.error(f"--turns {a.turns} --turn-steps {a.turn_steps}: give at least 3 turns (a median) of 1 to 9999 steps")
    results = Path(a.results)
    results.mkdir(parents=True, exist_ok=True)
    date = datetime.date.today().isoformat()
    host = machine()
    env = blas_env(a.threads, not a.no_coretype)

    configs = []
    for c in (a.models or a.configs).split(","):
        model, _, b = c.strip().partition("@")
        configs.append((model, int(b) if b else a.batch))

    ratios, shares = {}, {}
    for r in range(1, a.rounds + 1):
        how = f"{a.turns} turns of {a.turn_steps} steps" if a.turns else ""
        note = "; ".join(x for x in (a.note, how, f"round {r}/{a.rounds}" if a.rounds > 1 else "") if x)
        one_round(a, configs, host, date, env, results, note, ratios, shares)
    if a.rounds > 1:
        print(f"medians of {a.rounds} rounds:")
        for key, v in ratios.items():
            print(f"  {key}: JVM/PyTorch ×{statistics.median(v):.2f}  ({', '.join(f'{x:.2f}' for x in v)})")
        for key, v in shares.items():
            print(f"  {key}: {100 * statistics.median(v):.0f} % of BLAS  ({', '.join(f'{100 * x:.0f}' for x in v)})")


def fma_peak(threads):
    """The JVM's vector FMA rate on these threads (`hopmixer bench --peak`): the ceiling of every step's GFLOP/s."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(HERE / "hopmixer"), "bench", "--peak", "--threads", str(threads), "--results", tmp], check=True)
        with open(Path(tmp) / "fma-peak.csv") as f:
            return float(next(csv.DictReader(f))["gflops"])


def one_round(a, configs, host, date, env, results, note, ratios, shares):
    """One JVM/PyTorch pair per configuration, then the GEMMs against BLAS; appends to the CSVs and the dicts."""
    pairs = []
    for model, batch in configs:
        img = 224 if "_224" in model else 32
        if a.turns:
            jvm_ips, jvm_gf, torch_ips, torch_version, ratio, turns = in_turns(a, env, model, batch, img)
            # The per-turn ratios go into the row's note, so a median can be checked against its spread.
            pairs.append((model, batch, jvm_ips, jvm_gf, torch_ips, torch_version, ratio,
                          "turns " + " ".join(f"{r:.3f}" for r in turns)))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([str(HERE / "hopmixer"), "bench", "--devices", "jvm", "--models", model, "--threads",
                            str(a.threads), "-b", str(batch), "--img-size", str(img), "--warmup", str(a.warmup),
                            "--runs", str(a.runs), "--no-kernels", "--results", tmp], check=True)
            with open(Path(tmp) / "bench-steps.csv") as f:
                row = next(csv.DictReader(f))
                jvm_ips, jvm_gf = float(row["images_per_sec"]), float(row["gflops"])
        out = subprocess.run([a.python, str(HERE / "bench-pytorch.py"), "--model", model, "--batch", str(batch),
                              "--threads", str(a.threads), "--warmup", str(a.warmup), "--runs", str(a.runs)], env=env, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1].split(",")
        torch_ips, torch_version = float(out[3]), out[5]
        pairs.append((model, batch, jvm_ips, jvm_gf, torch_ips, torch_version, jvm_ips / torch_ips, ""))
    # The FMA peak after the pairs: seconds of full-width FMAs on both cores just before the first pair seemed to slow
    # that pair's JVM side.
    peak = fma_peak(a.threads)
    rows = []
    for model, batch, jvm_ips, jvm_gf, torch_ips, torch_version, ratio, turns in pairs:
        # Both sides do the same matrix products per image: the plan's count, scaled by each side's images/s.
        torch_gf = jvm_gf * torch_ips / jvm_ips
        rows.append([host, date, a.threads, batch, model, f"{jvm_ips:.1f}", f"{torch_ips:.1f}",
                     f"{ratio:.3f}", torch_version, "SkylakeX" if not a.no_coretype else "default",
                     "; ".join(x for x in (note, turns) if x),
                     f"{jvm_gf:.1f}", f"{torch_gf:.1f}", f"{peak:.1f}"])
        ratios.setdefault(f"{model}@{batch}", []).append(ratio)
        print(f"{model} batch {batch}: JVM {jvm_ips:.1f} images/s, PyTorch {torch_ips:.1f} images/s, "
              f"ratio {ratio:.2f}; matrix products at {jvm_gf:.0f} and {torch_gf:.0f} GFLOP/s, "
              f"{100 * jvm_gf / peak:.0f} % and {100 * torch_gf / peak:.0f} % of the FMA peak ({peak:.0f}); "
              f"x1.5 PyTorch would take {150 * torch_gf / peak:.0f} %", flush=True)
    write(results / "pytorch-vs-jvm.csv",
          ["machine", "date", "threads", "batch", "model", "jvm_images_per_sec", "pytorch_images_per_sec",
           "ratio", "torch_version", "openblas_coretype", "note", "jvm_gflops", "pytorch_gflops", "fma_peak_gflops"], rows)

    if a.no_gemms:
        return
    # The channel and token MLPs' products of the first configuration, and of the first 224-px one when there is one; a fresh
    # process each, so the first shape gets a longer warm-up (the JIT compiles the kernels during it).
    gemm_configs = [configs[0]] + [c for c in configs[1:] if "_224" in c[0]][:1]
    jvm_kernels = []
    for model, batch in [] if a.turns else gemm_configs:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([str(HERE / "hopmixer"), "bench", "--devices", "jvm", "--models", model, "--threads",
                            str(a.threads), "-b", str(batch), "--img-size", "224" if "_224" in model else "32",
                            "--warmup", str(a.warmup), "--runs", str(a.runs), "--no-step", "--results", tmp], check=True)
            with open(Path(tmp) / "bench-kernels.csv") as f:
                jvm_kernels += list(csv.DictReader(f))

    if a.turns:
        return gemms_in_turns(a, env, gemm_configs, host, date, note, results, shares)
    krows = []
    for k in jvm_kernels:
        dims = list(map(int, k["shape"].split("x")))
        batch, (m, n, kk) = (dims[0], dims[1:]) if len(dims) == 4 else (1, dims)
        flags, _, mode = k["kernel"][len("gemm_"):].partition("_")  # gemm_tn, gemm_nn_shared_a, gemm_nt_sum
        ta, tb = int(flags[0] == "t"), int(flags[1] == "t")
        ms, gflops = subprocess.run([a.python, "-c", NUMPY_SNIPPET, str(m), str(n), str(kk), str(ta), str(tb),
                                     str(a.runs), str(batch), mode], env=env, check=True, capture_output=True,
                                    text=True).stdout.split()
        jvm_gf, blas_gf = float(k["gflops"]), float(gflops)
        krows.append([host, date, a.threads, k["kernel"], k["shape"], f"{jvm_gf:.1f}", f"{blas_gf:.1f}",
                      f"{jvm_gf / blas_gf:.3f}", note])
        shares.setdefault(f"{k['kernel']} {k['shape']}", []).append(jvm_gf / blas_gf)
        print(f"{k['kernel']} {k['shape']}: JVM {jvm_gf:.1f} GFLOP/s, BLAS {blas_gf:.1f} GFLOP/s, "
              f"share {jvm_gf / blas_gf:.2f}")
    write(results / "gemm-vs-blas.csv",
          ["machine", "date", "threads", "kernel", "shape", "jvm_gflops", "blas_gflops", "share", "note"], krows)


class Turns:
    """One side held open in turns (`hopmixer bench --turns`, `bench-pytorch.py --turns`): warm once it said ready."""

    def __init__(self, name, cmd, env=None):
        self.name = name
        self.call_ms = {}
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.ready = self._line().split()
        if not self.ready or self.ready[0] != "ready":
            self.close()
            sys.exit(f"{name}: said {' '.join(self.ready)!r} instead of 'ready <batch> ...'")

    def _line(self):
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"{self.name}: ended before answering (exit code {self.proc.wait()}); its error is above")
        return line.strip()

    def steps(self, n, which=None, lead_ms=0.0):
        """n timed steps (or calls of product `which`) after untimed ones: one step, or for a product as many calls
        as fill lead_ms (sized by its last turn's calls, or by one call the first time). A turn's first work pays for what the other
        side left behind: its data in the caches, and OpenBLAS's threads, which spin for about 2^28 cycles (~75 ms
        here) after a call before they sleep and meanwhile hold the other core (the JVM's products then ran at half
        speed in whole turns)."""
        last = self.call_ms.get(which)
        if lead_ms and last is None:
            last = self._ask(which, 1)[0]  # the first turn of a product: one call to size its lead
        self._ask(which, max(1, min(9999, math.ceil(lead_ms / last))) if lead_ms else 1)
        ms = self._ask(which, n)
        self.call_ms[which] = statistics.median(ms)
        return ms

    def _ask(self, which, n):
        self.proc.stdin.write(f"{n}\n" if which is None else f"{which} {n}\n")
        self.proc.stdin.flush()
        return [float(x) for x in self._line().split()]

    def close(self):
        try:
            self.proc.stdin.write("\n")
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait()


def in_turns(a, env, model, batch, img):
    """One pair in --turns turns: both warm at once, taking turns; (JVM images/s, its GFLOP/s, PyTorch images/s, torch
    version, median of the per-turn ratios, the per-turn ratios). A side's images/s is over the median of all its steps."""
    # The JVM warms up first, alone; then PyTorch, alone: neither warm-up is timed, or disturbs the other side's.
    jvm = Turns("hopmixer bench --turns", [str(HERE / "hopmixer"), "bench", "--turns", "--devices", "jvm", "--models", model,
                                            "--threads", str(a.threads), "-b", str(batch), "--img-size", str(img),
                                            "--warmup", str(a.warmup)])
    try:
        torch = Turns("bench-pytorch.py --turns", [a.python, str(HERE / "bench-pytorch.py"), "--model", model, "--batch",
                                                    str(batch), "--threads", str(a.threads), "--warmup", str(a.warmup),
                                                    "--turns"], env=env)
    except BaseException:
        jvm.close()  # sys.exit raises SystemExit: the JVM side is ended before it propagates
        raise
    try:
        all_jvm, all_torch, ratios = [], [], []
        for t in range(a.turns):
            sides = (jvm, torch) if t % 2 == 0 else (torch, jvm)
            ms = {side.name: side.steps(a.turn_steps) for side in sides}
            j, p = ms[jvm.name], ms[torch.name]
            all_jvm += j
            all_torch += p
            ratios.append(statistics.median(p) / statistics.median(j))
    finally:
        jvm.close()
        torch.close()
    jvm_ms, torch_ms = statistics.median(all_jvm), statistics.median(all_torch)
    flops = int(jvm.ready[2])
    print(f"{model} batch {batch}: per-turn ratios {', '.join(f'{r:.2f}' for r in ratios)}", flush=True)
    return (batch * 1000 / jvm_ms, flops / (jvm_ms * 1e6), batch * 1000 / torch_ms, torch.ready[3],
            statistics.median(ratios), ratios)


# Untimed calls that open a product's turn: twice OpenBLAS's spin after the other side's last call (Turns.steps).
LEAD_MS = 150


def gemm_dims(kernel, shape):
    """(m, n, k, ta, tb, batch, mode) of a row name: gemm_nt 8192x128x512, gemm_nn_shared_a 128x64x128x64, ..."""
    dims = list(map(int, shape.split("x")))
    batch, (m, n, k) = (dims[0], dims[1:]) if len(dims) == 4 else (1, dims)
    flags, _, mode = kernel[len("gemm_"):].partition("_")
    return m, n, k, int(flags[0] == "t"), int(flags[1] == "t"), batch, mode


def gemms_in_turns(a, env, gemm_configs, host, date, note, results, shares):
    """The products against numpy in turns: per configuration the JVM (`bench --turns --no-step`) and a numpy server
    hold every product warm, and each product takes --turns turns of --runs calls a side, the order flipping every
    turn; a share per turn (numpy's median call over the JVM's), the row's their median."""
    krows = []
    for model, batch in gemm_configs:
        img = 224 if "_224" in model else 32
        jvm = Turns("hopmixer bench --turns --no-step",
                    [str(HERE / "hopmixer"), "bench", "--turns", "--no-step", "--devices", "jvm", "--models", model,
                     "--threads", str(a.threads), "-b", str(batch), "--img-size", str(img), "--warmup", str(a.warmup)])
        names = [x.split(":") for x in jvm.ready[2:]]
        specs = [",".join(map(str, gemm_dims(kernel, shape))) for kernel, shape in names]
        try:
            blas = Turns("numpy --turns", [a.python, "-c", NUMPY_SERVER] + specs, env=env)
        except BaseException:
            jvm.close()
            raise
        try:
            for i, (kernel, shape) in enumerate(names):
                m, n, k, ta, tb, b, mode = gemm_dims(kernel, shape)
                flops = 2 * max(b, 1) * m * n * k
                all_j, all_b, turn_shares = [], [], []
                for t in range(a.turns):
                    sides = (jvm, blas) if t % 2 == 0 else (blas, jvm)
                    ms = {side.name: side.steps(a.runs, i, lead_ms=LEAD_MS) for side in sides}
                    all_j += ms[jvm.name]
                    all_b += ms[blas.name]
                    turn_shares.append(statistics.median(ms[blas.name]) / statistics.median(ms[jvm.name]))
                jvm_gf = flops / (statistics.median(all_j) * 1e6)
                blas_gf = flops / (statistics.median(all_b) * 1e6)
                share = statistics.median(turn_shares)
                krows.append([host, date, a.threads, kernel, shape, f"{jvm_gf:.1f}", f"{blas_gf:.1f}", f"{share:.3f}",
                              "; ".join(x for x in (note, f"{a.runs} calls a turn", "turns " + " ".join(f"{s:.3f}" for s in turn_shares)) if x)])
                shares.setdefault(f"{kernel} {shape}", []).append(share)
                print(f"{kernel} {shape}: JVM {jvm_gf:.1f} GFLOP/s, BLAS {blas_gf:.1f} GFLOP/s, share {share:.2f} "
                      f"(turns {', '.join(f'{s:.2f}' for s in turn_shares)})", flush=True)
        finally:
            jvm.close()
            blas.close()
    write(results / "gemm-vs-blas.csv",
          ["machine", "date", "threads", "kernel", "shape", "jvm_gflops", "blas_gflops", "share", "note"], krows)


def write(path, header, rows):
    """Appends rows; a file from before a column was added gets that column, empty, on its old rows."""
    old = []
    if path.exists():
        with open(path, newline="") as f:
            old = list(csv.reader(f))
    if old and old[0] != header:
        missing = len(header) - len(old[0])
        if old[0] != header[:len(old[0])] or missing < 0:
            sys.exit(f"{path}: its columns {old[0]} are not {header}; move it aside and run again")
        old = [header] + [r + [""] * missing for r in old[1:]]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerows(old if old else [header])
        w.writerows(rows)
    print("appended", len(rows), "rows to", path)


if __name__ == "__main__":
    sys.exit(main())
