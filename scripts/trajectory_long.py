#!/usr/bin/python3
"""The long trajectory check, run by hand: every family's nano model, 50 steps on CIFAR-10 JPEG, replayed in the
official code in float64 and float32.

    /usr/bin/python3 scripts/trajectory_long.py --official PARAMIXER_DIR --timm TIMM_DIR \
        [--cifar /work/data/cifar10] [--out results/parity]

Links the first 80 training images of each class (800 = 50 batches of 16) and 10 test images of each class
of an ImageFolder CIFAR-10 into a temporary folder, trains each nano model one epoch on it with hopmixer
(crop padding 4, flip, erasing 0.25, mixup 0.8 / cutmix 1.0, DropPath 0.1, smoothing 0.1, AdamW 2e-3, weight
decay 0.05, `--record-replay`), replays the record with scripts/replay.py in float64 and float32, and writes
OUT/long-cifar10.csv (per family and step: hopmixer's loss, the official code's in float32 and float64) and
OUT/long-cifar10-summary.csv (per family: the largest differences, the float32 noise and the final weights'
distances).
"""
import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from trajectory_fixture import rel_l2, replay, run_checked  # noqa: E402
from replay_data import read_safetensors  # noqa: E402

MODELS = ["paramixer_nano", "asymmixer_nano_l03", "symmixer_nano", "vanillamixer_nano", "mixer_nano"]
PER_CLASS = {"train": 80, "test": 10}
ARGS = ["--dataset", "folder", "--epochs", "1", "--batch-size", "16", "--lr", "2e-3", "--weight-decay", "0.05",
        "--smoothing", "0.1", "--crop-pad", "4", "--hflip", "0.5", "--reprob", "0.25", "--mixup", "0.8",
        "--cutmix", "1.0", "--drop-path", "0.1", "--seed", "11", "--threads", "1", "--no-progress", "--record-replay"]


def link_subset(src, dst):
    for split, n in PER_CLASS.items():
        for cls in sorted(p.name for p in Path(src, split).iterdir() if p.is_dir()):
            files = sorted(f for f in os.listdir(Path(src, split, cls)) if f.lower().endswith((".jpg", ".jpeg", ".png")))[:n]
            Path(dst, split, cls).mkdir(parents=True)
            for f in files:
                os.symlink(Path(src, split, cls, f), Path(dst, split, cls, f))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--official", type=Path, required=True)
    ap.add_argument("--timm", type=Path)
    ap.add_argument("--cifar", default="/work/data/cifar10")
    ap.add_argument("--out", type=Path, default=Path("results/parity"))
    ap.add_argument("--models", nargs="*", default=MODELS)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    steps_csv = Output(a.out / "long-cifar10.csv", ["model", "step", "loss_hopmixer", "loss_official_f32", "loss_official_f64",
                                                     "abs_hopmixer_vs_f64", "abs_f32_vs_f64"])
    summary_csv = Output(a.out / "long-cifar10-summary.csv", [
        "model", "steps", "max_abs_loss_diff_hopmixer_vs_f64", "max_rel_loss_diff", "float32_noise_max_abs", "ratio_to_noise",
        "final_weights_rel_l2_hopmixer_vs_f64", "final_weights_rel_l2_f32_vs_f64", "first_loss", "last_loss"])
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp, "cifar10-subset")
        link_subset(a.cifar, data)
        for model in a.models:
            run = Path(tmp, model)
            run_checked([str(HERE / "hopmixer"), "train", "--model", model, "--data-dir", str(data), "--output", str(run)] + ARGS)
            l64, java, w64 = replay(run, a, "float64", tmp)
            l32, _, w32 = replay(run, a, "float32", tmp)
            wj = read_safetensors(sorted(run.glob("checkpoints/step-*"))[-1] / "model.safetensors")[0]
            for s, (j, x, y) in enumerate(zip(java, l32, l64)):
                steps_csv.write([model, s + 1, "%.9f" % j, "%.9f" % x, "%.9f" % y, "%.3e" % abs(j - y), "%.3e" % abs(x - y)])
            dj = max(abs(j - y) for j, y in zip(java, l64))
            rj = max(abs(j - y) / abs(y) for j, y in zip(java, l64))
            dn = max(abs(x - y) for x, y in zip(l32, l64))
            row = [model, len(java), "%.3e" % dj, "%.3e" % rj, "%.3e" % dn, "%.1f" % (dj / dn),
                   "%.3e" % rel_l2(wj, w64), "%.3e" % rel_l2(w32, w64), "%.6f" % java[0], "%.6f" % java[-1]]
            summary_csv.write(row)
            print(" ".join(str(x) for x in row), flush=True)


class Output:
    """A CSV written row by row (flushed), so that a long run interrupted keeps the families it finished."""

    def __init__(self, path, header):
        self.f = open(path, "w", newline="")
        self.w = csv.writer(self.f)
        self.write(header)

    def write(self, row):
        self.w.writerow(row)
        self.f.flush()


if __name__ == "__main__":
    main()
