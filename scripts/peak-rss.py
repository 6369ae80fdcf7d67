#!/usr/bin/env python3
"""Peak resident memory (RSS) of the nano training-step benchmark: hopmixer's JVM against PyTorch, same run.

For each batch size, runs one after the other (never at once, so neither's pages are squeezed by the other's):
  1. `scripts/hopmixer bench --devices jvm --models MODEL --no-kernels -b B` (the JVM, the launcher's heap settings);
  2. `scripts/bench-pytorch.py --model MODEL --batch B` (Debian's PyTorch, the settings bench-compare.py uses);
and reads each process's peak RSS from the kernel (wait4's ru_maxrss: the whole process, JIT, data and heap).
Appends rows to results/peak-rss.csv (machine,date,command,batch,max_rss_mb) and, with --plot, draws
results/peak-rss.png from the CSV's rows of this date. Timings are not the point: few steps are run.
"""
import argparse
import csv
import datetime
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from importlib import import_module  # noqa: E402

compare = import_module("bench-compare")


def peak_rss_mb(cmd, env=None):
    """Runs cmd to its end; its peak RSS in MiB (Linux reports ru_maxrss in KiB)."""
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"peak-rss.py: {' '.join(map(str, cmd))} failed ({p.returncode}): {err.strip()[-500:]}")
    return usage.ru_maxrss / 1024.0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="paramixer_nano")
    p.add_argument("--batches", default="32,64,128,256")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--python", default="/usr/bin/python3", help="a Python with torch")
    p.add_argument("--results", default=str(ROOT / "results"))
    p.add_argument("--plot", action="store_true", help="draw peak-rss.png (needs matplotlib: run with /usr/bin/python3)")
    p.add_argument("--plot-only", metavar="DATE", help="only draw peak-rss.png from the CSV's rows of DATE (YYYY-MM-DD)")
    a = p.parse_args()
    results = Path(a.results)
    results.mkdir(parents=True, exist_ok=True)
    date = datetime.date.today().isoformat()
    if a.plot_only:
        return plot(results / "peak-rss.csv", results / "peak-rss.png", a.plot_only, a.model)
    host = compare.machine()
    env = compare.blas_env(a.threads, True, keep_freed=False)  # glibc's default malloc: PyTorch's smallest footprint
    # The launcher's settings (scripts/hopmixer): heap cap, young generation, one GC thread.
    heap = os.environ.get("HOPMIXER_HEAP", "8g") + " cap, young " + os.environ.get("HOPMIXER_YOUNG", "128m") + ", 1 GC thread"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for b in map(int, a.batches.split(",")):
            jvm = [str(HERE / "hopmixer"), "bench", "--devices", "jvm", "--models", a.model, "--no-kernels", "--threads",
                   str(a.threads), "-b", str(b), "--warmup", "1", "--runs", str(a.runs), "--results", tmp]
            torch = [a.python, str(HERE / "bench-pytorch.py"), "--model", a.model, "--batch", str(b), "--threads",
                     str(a.threads), "--runs", str(a.runs)]
            for name, cmd, e in (("jvm", jvm, None), ("pytorch", torch, env)):
                mb = peak_rss_mb(cmd, e)
                what = (f"scripts/hopmixer bench --devices jvm --models {a.model} --no-kernels -b B (heap: {heap})"
                        if name == "jvm" else f"python3 scripts/bench-pytorch.py --model {a.model} --batch B (PyTorch)")
                rows.append([host, date, what, b, f"{mb:.0f}"])
                print(f"{name:8s} batch {b:4d}: peak RSS {mb:7.0f} MiB", flush=True)
    compare.write(results / "peak-rss.csv", ["machine", "date", "command", "batch", "max_rss_mb"], rows)
    if a.plot:
        plot(results / "peak-rss.csv", results / "peak-rss.png", date, a.model)


def plot(csv_path, png, date, model="paramixer_nano"):
    try:
        import matplotlib
    except ImportError:
        sys.exit("peak-rss.py: --plot needs matplotlib; run it with /usr/bin/python3 (Debian's python3-matplotlib)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    series = {}
    with open(csv_path) as f:
        for r in csv.DictReader(f):
            if r["date"] == date and model in r["command"]:
                # A series' latest row per batch: a rerun on the same day replaces its point.
                series.setdefault(r["command"], {})[int(r["batch"])] = float(r["max_rss_mb"])
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, by_batch in series.items():
        pts = sorted(by_batch.items())
        label = ("hopmixer JVM " + name[name.index("(heap"):]) if "hopmixer bench" in name else "PyTorch"
        ax.plot([x for x, _ in pts], [y for _, y in pts], marker="o", label=label)
    # The buffers of the plan the JVM trains with (hopmixer bench --memory: lean+fused; older files: lean), what its
    # RSS should follow.
    plan, kind = [], None
    mem_csv = csv_path.parent / "memory.csv"
    if mem_csv.exists():
        with open(mem_csv) as f:
            rows = [r for r in csv.DictReader(f) if r["model"] == model and r["image"] == "32"]
        kind = "lean+fused" if any(r.get("plan") == "lean+fused" for r in rows) else "lean"
        plan = sorted({int(r["batch"]): float(r["total_mb"]) for r in rows if r.get("plan") == kind}.items())
    if plan:
        ax.plot([x for x, _ in plan], [y for _, y in plan], linestyle="--", color="gray", label=f"hopmixer plan buffers ({kind})")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("batch size")
    ax.set_ylabel("peak RSS (MiB)")
    ax.set_title(f"peak RSS of the {model} training-step benchmark ({date})")
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print("wrote", png)


if __name__ == "__main__":
    sys.exit(main())
