#!/usr/bin/python3
"""Replay a hopmixer run (`hopmixer train --record-replay`) in the official PyTorch code and compare.

    /usr/bin/python3 scripts/replay.py RUN --official PARAMIXER_DIR --timm TIMM_DIR \
        [--dtype float32|float64] [--steps N] [--csv OUT.csv] [--save-final OUT.safetensors] [--eval]

RUN/replay/ holds the run's initial weights (official state_dict), meta.json and one line per step with the
batch's image indices and every random choice (crop, flip, erasing, mixup/cutmix, DropPath masks). This script
builds the model with the official code (Toshihiro-Ota/paramixer `models/`, timm 0.9.2's MlpMixer for the
`mixer` family), loads the initial weights strictly, rebuilds each batch from the image files with the
recorded choices (scripts/replay_data.py), feeds the recorded DropPath masks to the model's DropPath modules,
and trains as the official train.py does: timm create_optimizer_v2('adamw') (no decay on 1-D tensors and
biases), create_scheduler_v2('cosine', stepped per epoch), SoftTargetCrossEntropy on timm mixup targets when
mixup/cutmix is on (else LabelSmoothingCrossEntropy), plus util.utils.reg_weight2(model, lcoeff).

It prints and writes (--csv) per step: hopmixer's loss and lr, PyTorch's, their differences; at the end the
distance between PyTorch's final weights and hopmixer's checkpoint of the same step (RUN/checkpoints/step-N),
when there is one. --eval also evaluates at every epoch end on the test split as hopmixer does (no
augmentation) and compares with RUN/summary.csv. See scripts/README-parity.md.
"""
import argparse
import csv
import importlib.abc
import importlib.machinery
import json
import math
import sys
import time
import types
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from replay_data import TrainingSet, build_batch, read_safetensors, write_safetensors  # noqa: E402


def stub_torchvision():
    """timm 0.9.2 imports torchvision for its data transforms, which a replay never uses; Debian bookworm has
    no python3-torchvision. Any torchvision name then resolves to an inert placeholder class."""
    try:
        import torchvision  # noqa: F401
        return
    except ImportError:
        pass

    class Meta(type):
        def __getattr__(cls, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return Meta(name, (), {})

    class Module(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return Meta(name, (), {})

    class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, fullname, path, target=None):
            if fullname == "torchvision" or fullname.startswith("torchvision."):
                return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

        def create_module(self, spec):
            m = Module(spec.name)
            m.__path__ = []
            m.__version__ = "0.0+stub"
            return m

        def exec_module(self, module):
            pass

    sys.meta_path.insert(0, Finder())


class ReplayedDropPath(torch.nn.Module):
    """Stands in for timm's DropPath: takes the next recorded keep flags, scaled as timm's drop_path does
    (bernoulli(keep_prob) then div_(keep_prob)), shape (B, 1, 1)."""

    def __init__(self, queue, rate):
        super().__init__()
        self.queue, self.keep = queue, 1 - rate

    def forward(self, x):
        if not self.training:
            return x
        flags = self.queue.pop(0)
        mask = torch.tensor([f == "1" for f in flags], dtype=x.dtype).view(-1, *([1] * (x.ndim - 1)))
        return x * mask.div_(self.keep)


def official_model(meta):
    import timm.models.mlp_mixer as timm_mixer
    from models import layers, mixers
    m = meta["model_config"]
    kw = dict(num_classes=m["numClasses"], img_size=m["imageSize"], in_chans=m["inChans"], patch_size=m["patch"],
              num_blocks=m["depth"], embed_dim=m["dim"], mlp_ratio=(m["tokenHidden"] / m["dim"], m["channelHidden"] / m["dim"]),
              drop_path_rate=meta["drop_path"])
    family = m["family"]
    if family == "MIXER":
        return timm_mixer.MlpMixer(**kw)
    block = {"VANILLAMIXER": layers.vMixerBlock}.get(family, layers.pMixerBlock)
    mlp = {"VANILLAMIXER": layers.vMlp, "PARAMIXER": layers.vMlp, "SYMMIXER": layers.sMlp, "ASYMMIXER": layers.aMlp}[family]
    return mixers.MlpMixer(block_layer=block, mlp_layer=mlp, n_iter=m["nIter"], lcoeff=meta["lcoeff"], **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path, help="a run directory written with --record-replay")
    ap.add_argument("--official", type=Path, required=True, help="a Toshihiro-Ota/paramixer checkout (models/, util/)")
    ap.add_argument("--timm", type=Path, help="folder holding timm 0.9.2's timm/ package (default: the installed timm)")
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    ap.add_argument("--steps", type=int, default=0, help="replay only the first N steps (default: all recorded)")
    ap.add_argument("--data-dir", help="where the training images are (default: the record's)")
    ap.add_argument("--csv", type=Path, help="write the per-step comparison here")
    ap.add_argument("--save-final", type=Path, help="write PyTorch's final weights (safetensors)")
    ap.add_argument("--eval", action="store_true", help="evaluate at each epoch end and compare with summary.csv")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    ap.add_argument("--follow", action="store_true", help="replay a run still in progress, waiting for its steps")
    ap.add_argument("--eval-checkpoint", type=int, metavar="STEP",
                    help="only evaluate hopmixer's checkpoint of this step (RUN/checkpoints/step-N) in the official model")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()

    rdir = a.run / "replay"
    if not (rdir / "meta.json").is_file():
        raise SystemExit("replay: %s has no replay/meta.json; train with --record-replay" % a.run)
    meta = json.loads((rdir / "meta.json").read_text())
    total = a.steps or (meta["epochs"] * meta["steps_per_epoch"] if a.follow else 0)
    records = follow(rdir / "steps.jsonl", total) if a.follow else \
        [json.loads(line) for line in (rdir / "steps.jsonl").read_text().splitlines() if line.strip()][:a.steps or None]
    if a.threads:
        torch.set_num_threads(a.threads)
    dtype = getattr(torch, a.dtype)
    torch.set_default_dtype(dtype)

    stub_torchvision()
    sys.path[:0] = [str(a.official)] + ([str(a.timm)] if a.timm else [])
    import timm
    from timm.data.mixup import mixup_target
    from timm.loss import LabelSmoothingCrossEntropy, SoftTargetCrossEntropy
    from timm.optim import create_optimizer_v2
    from timm.scheduler import create_scheduler_v2
    from util.utils import reg_weight2

    model = official_model(meta)
    init, _ = read_safetensors(rdir / meta["init"])
    model.load_state_dict(init, strict=True)  # casts the float32 file to the model's dtype
    queue = []
    for name, module in list(model.named_modules()):
        if type(module).__name__ == "DropPath":
            parent = model.get_submodule(name.rsplit(".", 1)[0])
            setattr(parent, name.rsplit(".", 1)[1], ReplayedDropPath(queue, meta["drop_path"]))
    model.train()
    if a.eval_checkpoint is not None:
        return eval_checkpoint(model, meta, a, dtype)

    optimizer = create_optimizer_v2(model, opt="adamw", lr=meta["lr"], weight_decay=meta["weight_decay"])
    scheduler, _ = create_scheduler_v2(optimizer, sched="cosine", num_epochs=meta["epochs"], min_lr=meta["min_lr"],
                                       warmup_lr=meta["warmup_lr"], warmup_epochs=meta["warmup_epochs"],
                                       step_on_epochs=True, updates_per_epoch=meta["steps_per_epoch"])
    mixing = meta["augment"]["mixup"] > 0 or meta["augment"]["cutmix"] > 0
    loss_fn = SoftTargetCrossEntropy() if mixing else LabelSmoothingCrossEntropy(meta["smoothing"]) if meta["smoothing"] else torch.nn.CrossEntropyLoss()
    family = meta["model_config"]["family"]
    data = TrainingSet(meta, a.data_dir)

    rows, epoch, updates, t0 = [], 0, 0, time.time()
    table = CsvOut(a.csv)
    worst_abs = worst_rel = 0.0
    for rec in records:
        if rec["epoch"] != epoch:
            if a.eval:
                rows[-1]["eval"] = evaluate(model, meta, a, dtype)
            table.write(rows[-1])
            epoch = rec["epoch"]
            scheduler.step(epoch)  # train.py: lr_scheduler.step(epoch + 1) after each epoch
        x, targets, y = build_batch(rec, meta, data, dtype, mixup_target)
        queue[:] = rec.get("drop_path", [])
        out = model(x)
        loss = loss_fn(out, targets if mixing else y)
        if family != "MIXER":
            loss = loss + reg_weight2(model, _lambda=model.lcoeff)
        if queue:
            raise SystemExit("replay: step %d left %d DropPath masks unused" % (rec["step"], len(queue)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        updates += 1
        scheduler.step_update(num_updates=updates)
        lr = optimizer.param_groups[0]["lr"]
        lt, lj = loss.item(), rec["loss"]
        d = abs(lt - lj)
        worst_abs, worst_rel = max(worst_abs, d), max(worst_rel, d / abs(lt))
        rows.append(dict(step=rec["step"], epoch=rec["epoch"], batch=rec["batch"], lr_java=rec["lr"], lr_torch=lr,
                         loss_java=lj, loss_torch=lt, abs_diff=d, rel_diff=d / abs(lt), mix=rec["mix"]))
        if len(rows) > 1 and rows[-2]["epoch"] == rec["epoch"]:
            table.write(rows[-2])
        if not a.quiet:
            print("step %5d  epoch %d  lr %.6g/%.6g  loss hopmixer %.7f  torch %.7f  |diff| %.2e"
                  % (rec["step"], rec["epoch"], rec["lr"], lr, lj, lt, d), flush=True)
        if not math.isfinite(lt):
            raise SystemExit("replay: PyTorch's loss is %s at step %d" % (lt, rec["step"]))
    if a.eval and rows and rows[-1]["batch"] == meta["steps_per_epoch"] - 1:
        rows[-1]["eval"] = evaluate(model, meta, a, dtype)
    if rows:
        table.write(rows[-1])

    final = {k: v.detach().clone() for k, v in model.state_dict().items()}
    print("replayed %d steps of %s in %s (%s, timm %s, torch %s) in %.0f s: max |loss diff| %.3g, max rel %.3g"
          % (len(rows), meta["model"], a.dtype, family, timm.__version__, torch.__version__, time.time() - t0, worst_abs, worst_rel))
    print("max |lr diff| %.3g" % max((abs(r["lr_java"] - r["lr_torch"]) for r in rows), default=0))
    if rows:
        ck = a.run / "checkpoints" / ("step-%08d" % rows[-1]["step"]) / "model.safetensors"
        if ck.is_file():
            java, _ = read_safetensors(ck)
            dist = weight_distance(java, final)
            print("final weights vs %s: max |diff| %.3g, relative L2 %.3g (worst tensor %s: %.3g)" % (
                ck, dist["max_abs"], dist["rel_l2"], dist["worst"], dist["worst_rel"]))
    if a.save_final:
        write_safetensors(a.save_final, final, {"model": meta["model"], "dtype": a.dtype, "steps": len(rows)})


def weight_distance(java, torch_weights):
    """Largest absolute difference, and ‖w_java − w_torch‖ / ‖w_torch‖ over all tensors and per tensor."""
    num = den = 0.0
    out = dict(max_abs=0.0, worst="", worst_rel=0.0)
    for k, t in torch_weights.items():
        j = java[k].to(torch.float64)
        t = t.to(torch.float64)
        diff = (j - t).norm().item()
        out["max_abs"] = max(out["max_abs"], (j - t).abs().max().item())
        rel = diff / max(t.norm().item(), 1e-30)
        if rel > out["worst_rel"]:
            out["worst"], out["worst_rel"] = k, rel
        num += diff ** 2
        den += t.norm().item() ** 2
    out["rel_l2"] = math.sqrt(num / den)
    return out


def eval_checkpoint(model, meta, a, dtype):
    """hopmixer's weights at a step, evaluated by the official model on the test split, beside summary.csv."""
    ck = a.run / "checkpoints" / ("step-%08d" % a.eval_checkpoint) / "model.safetensors"
    if not ck.is_file():
        raise SystemExit("replay: no checkpoint %s" % ck)
    model.load_state_dict(read_safetensors(ck)[0], strict=True)
    r = evaluate(model, meta, a, dtype)
    epoch = a.eval_checkpoint // meta["steps_per_epoch"] - 1
    rows = [row for row in csv.DictReader(open(a.run / "summary.csv")) if int(row["epoch"]) == epoch]
    java = rows[0] if rows else {"eval_loss": "-", "eval_top1": "-"}
    print("checkpoint step %d (end of epoch %d): official model eval loss %.6f top-1 %.2f%% | hopmixer eval loss %s top-1 %s%%"
          % (a.eval_checkpoint, epoch, r["eval_loss"], r["eval_top1"], java["eval_loss"], java["eval_top1"]))


def evaluate(model, meta, a, dtype):
    """hopmixer's evaluation: test split, images only normalised, mean cross-entropy (no smoothing), top-1."""
    test = TrainingSet(dict(meta, train_limit=0), a.data_dir, split="test")
    mean, std = meta["augment"]["mean"][0], meta["augment"]["std"][0]
    model.eval()
    loss, correct, n = 0.0, 0, len(test)
    with torch.no_grad():
        for start in range(0, n, 500):
            idx = range(start, min(n, start + 500))
            x = torch.stack([torch.from_numpy(test.image(i).copy()).to(dtype).div(255).sub(mean).div(std) for i in idx])
            y = torch.tensor([test.label(i) for i in idx])
            out = model(x)
            loss += torch.nn.functional.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
    model.train()
    return dict(eval_loss=loss / n, eval_top1=100.0 * correct / n)


def follow(path, total, patience=900):
    """The record's steps as they are written, up to {total}; gives up after {patience} s without a new line."""
    done, waited, pending = 0, 0, ""
    with open(path) as f:
        while not total or done < total:
            chunk = f.readline()
            if chunk:
                pending += chunk
                if pending.endswith("\n"):
                    done += 1
                    waited = 0
                    yield json.loads(pending)
                    pending = ""
                continue
            if waited >= patience:
                print("replay: no new step in %s for %d s; stopping after %d steps" % (path, patience, done))
                return
            time.sleep(5)
            waited += 5


class CsvOut:
    """The per-step comparison, one row written (and flushed) as soon as it is complete."""
    COLS = ["step", "epoch", "batch", "lr_java", "lr_torch", "loss_java", "loss_torch", "abs_diff", "rel_diff", "mix",
            "eval_loss_torch", "eval_top1_torch"]

    def __init__(self, path):
        self.f = None
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.f = open(path, "w", newline="")
            self.w = csv.writer(self.f)
            self.w.writerow(self.COLS)

    def write(self, r):
        if self.f is None or r.get("written"):
            return
        r["written"] = True
        e = r.get("eval", {})
        self.w.writerow([r["step"], r["epoch"], r["batch"], "%.9g" % r["lr_java"], "%.9g" % r["lr_torch"],
                         "%.9f" % r["loss_java"], "%.9f" % r["loss_torch"], "%.3e" % r["abs_diff"], "%.3e" % r["rel_diff"],
                         r["mix"], "%.6f" % e["eval_loss"] if e else "", "%.2f" % e["eval_top1"] if e else ""])
        self.f.flush()


if __name__ == "__main__":
    main()
