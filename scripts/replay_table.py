#!/usr/bin/python3
"""Merge replay.py's per-step CSVs of one run (float32, optionally float64) into one comparison CSV and print a
Markdown table: loss agreement by step range, epoch mean train losses and the epoch-end evaluations.

    /usr/bin/python3 scripts/replay_table.py RUN F32.csv [--f64 F64.csv] --out results/parity/NAME.csv
"""
import argparse
import csv
from pathlib import Path


def read(path):
    with open(path) as f:
        return {int(r["step"]): r for r in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("f32", type=Path)
    ap.add_argument("--f64", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--ranges", default="1,10,50,100,200,390,780")
    a = ap.parse_args()
    r32 = read(a.f32)
    r64 = read(a.f64) if a.f64 else {}
    steps = sorted(r32)
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "epoch", "lr", "loss_hopmixer", "loss_official_f32", "loss_official_f64",
                    "abs_hopmixer_vs_official_f32", "abs_official_f32_vs_f64", "eval_loss_official_f32", "eval_top1_official_f32"])
        for s in steps:
            r, q = r32[s], r64.get(s)
            w.writerow([s, r["epoch"], r["lr_torch"], r["loss_java"], r["loss_torch"], q["loss_torch"] if q else "",
                        r["abs_diff"], "%.3e" % abs(float(r["loss_torch"]) - float(q["loss_torch"])) if q else "",
                        r["eval_loss_torch"], r["eval_top1_torch"]])
    bounds = [int(x) for x in a.ranges.split(",")]
    print("| steps | max abs loss diff, hopmixer vs official f32 | max rel | official f32 vs f64 |")
    print("|---|---|---|---|")
    for lo, hi in zip(bounds, bounds[1:] + [10 ** 9]):
        seg = [s for s in steps if lo <= s < hi] if lo > 1 else [s for s in steps if s < hi]
        if not seg:
            continue
        d = max(float(r32[s]["abs_diff"]) for s in seg)
        rel = max(float(r32[s]["rel_diff"]) for s in seg)
        n = [abs(float(r32[s]["loss_torch"]) - float(r64[s]["loss_torch"])) for s in seg if s in r64]
        print("| %d–%d | %.2e | %.2e | %s |" % (seg[0], seg[-1], d, rel, "%.2e" % max(n) if n else "–"))
    summary = list(csv.DictReader(open(a.run / "summary.csv")))
    print()
    print("| epoch | steps replayed | mean train loss hopmixer | official (replay) | eval loss hopmixer | official | top-1 hopmixer | official |")
    print("|---|---|---|---|---|---|---|---|")
    for e in sorted({int(r32[s]["epoch"]) for s in steps}):
        seg = [s for s in steps if int(r32[s]["epoch"]) == e]
        mj = sum(float(r32[s]["loss_java"]) for s in seg) / len(seg)
        mt = sum(float(r32[s]["loss_torch"]) for s in seg) / len(seg)
        last = r32[seg[-1]]
        sj = next((r for r in summary if int(r["epoch"]) == e), None)
        print("| %d | %d | %.4f | %.4f | %s | %s | %s | %s |" % (
            e, len(seg), mj, mt, sj["eval_loss"] if sj else "–", last["eval_loss_torch"] or "–",
            sj["eval_top1"] if sj else "–", last["eval_top1_torch"] or "–"))


if __name__ == "__main__":
    main()
