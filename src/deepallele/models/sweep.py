"""Train model types x seeds under several training settings and tabulate their correlations.

The check behind docs/results.md's "Does the simulated truth carry the effect?": every run is
:func:`deepallele.models.train.train_model` on a dataset's ``pairs.h5``; runs go to a process
pool (one torch thread each), so a GPU machine with many cores trains dozens side by side.
Not a workflow stage: settings are compared on the *validation* split (``val_*`` columns);
the test split is reported next to it only to see whether the two agree. ::

    python -m deepallele.models.sweep \\
        --dataset demo_chip=results/demo_chip/data/pairs.h5:chip \\
        --dataset demo_atac=results/demo_atac/data/pairs.h5:atac \\
        --settings paper_val_loss,paper_ratio --seeds 0,1,2,3,4 --workers 12 --accelerator gpu \\
        --outdir sweep/

writes ``sweep/sweep.tsv`` (one row per run, appended as runs finish) and
``sweep/summary.tsv`` (:func:`summarize`).

``--holdout chr1,chr2,chr3`` compares settings without the test chromosomes at all: each
dataset is copied (:func:`holdout_copy`) with its test rows hidden and the named training
chromosomes as the ``test`` split, so the ``test_*`` columns are a second validation set.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

import pandas as pd

from .evaluate import prediction_metrics

#: config/config.yaml's demo training (and, with 25 epochs, config/validation.yaml's)
DEMO_TRAINING = {"lr": 3e-3, "cyclic_base_lr": 1.5e-3, "cyclic_max_lr": 6e-3, "cyclic_step_size_up": 200,
                 "max_epochs": 40, "min_epochs": 15, "patience": 8, "monitor": "val_ratio_pearson"}

#: name -> (architecture preset name or explicit architecture dict, training overrides)
SETTINGS: dict[str, tuple[str | dict, dict]] = {
    "paper_val_loss": ("paper", {"max_epochs": 60}),
    "paper_ratio": ("paper", {"max_epochs": 60, "monitor": "val_ratio_pearson"}),
    "demo40": ("demo", {"lr": 1e-3, "cyclic_base_lr": 5e-4, "cyclic_max_lr": 2e-3, "max_epochs": 40,
                        "patience": 6}),
    "demo40_ratio": ("demo", {"lr": 1e-3, "cyclic_base_lr": 5e-4, "cyclic_max_lr": 2e-3, "max_epochs": 40,
                              "patience": 6, "monitor": "val_ratio_pearson"}),
    # the demo's earlier training (10 epochs, checkpoint by validation loss)
    "demo_short": ("demo", {"lr": 1e-3, "cyclic_base_lr": 5e-4, "cyclic_max_lr": 2e-3, "max_epochs": 10,
                            "patience": 3}),
    "demo": ("demo", dict(DEMO_TRAINING)),
    # the demo's training with the checkpoint (and early stopping) on each model's own loss
    "demo_val_loss": ("demo", {**DEMO_TRAINING, "monitor": "val_loss"}),
    # the demo's training with twice the epochs (a reference-only model takes half the steps per epoch)
    "demo_long": ("demo", {**DEMO_TRAINING, "max_epochs": 80, "min_epochs": 30, "patience": 16}),
    "validation": ("demo", {**DEMO_TRAINING, "max_epochs": 25, "min_epochs": 1}),
}
MODEL_TYPES = ["deepallele", "direct", "ref_only", "two_genome"]


def holdout_copy(pairs_path: str | Path, chroms: list[str], out_path: str | Path) -> dict[str, int]:
    """Copy a ``pairs.h5`` for choosing settings: test rows hidden, ``chroms`` held out as ``test``.

    Parameters
    ----------
    pairs_path : str or pathlib.Path
        The dataset's ``pairs.h5``.
    chroms : list of str
        Training chromosomes to hold out; they become the ``test`` split of the copy.
    out_path : str or pathlib.Path
        The copy (written to ``<out_path>.tmp`` and renamed).

    Returns
    -------
    dict
        Rows per split of the copy (``train``, ``val``, ``test``, ``hidden``).
    """
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".tmp")
    shutil.copyfile(pairs_path, tmp)
    try:
        counts = _hold_out(tmp, pairs_path, chroms)
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(out_path)
    return counts


def _hold_out(tmp: Path, pairs_path, chroms: list[str]) -> dict[str, int]:
    """Relabel the splits of ``tmp`` in place (see :func:`holdout_copy`)."""
    import numpy as np

    from ..datasets.store import open_pairs, replace_split

    stored = open_pairs(tmp, ("split", "chrom"))
    split, chrom = stored["split"], stored["chrom"]
    if stored.test_is_val:
        raise ValueError(f"{pairs_path}: split 'paper' (test = validation) has no separate test rows to hide")
    held = (split == "train") & np.isin(chrom, chroms)
    if not held.any():
        raise ValueError(f"{pairs_path}: no training rows on {', '.join(chroms)}")
    new = np.where(split == "test", "hidden", np.where(held, "test", split))
    if not (new == "train").any():
        raise ValueError(f"{pairs_path}: no training rows left after holding out {', '.join(chroms)}")
    replace_split(tmp, new.tolist())
    return {k: int((new == k).sum()) for k in ("train", "val", "test", "hidden")}


def run_one(job: dict) -> dict:
    """Train one (setting, dataset, model, seed) and return its row (``error`` set on failure)."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS
    import torch

    from .presets import resolve_architecture
    from .train import train_model

    torch.set_num_threads(1)
    row = {k: job[k] for k in ("setting", "dataset", "model", "seed")}
    arch, training = job["architecture"], job["training"]
    if isinstance(arch, str):
        arch = resolve_architecture(arch, assay=job["assay"])
    out = Path(job["outdir"]) / job["setting"] / job["dataset"] / job["model"] / f"seed{job['seed']}"
    t0 = time.time()
    try:
        s = train_model(job["pairs"], job["model"], job["seed"], out, arch, training,
                        accelerator=job["accelerator"], threads=1, progress_bar=False)
        metrics = prediction_metrics(pd.read_csv(out / "predictions.tsv", sep="\t"), ["val", "test"])
        row.update(epochs=s["epochs"], best_epoch=s["best_epoch"], seconds=round(time.time() - t0, 1))
        for m in metrics.itertuples():
            if m.target in ("ratio", "count"):
                row[f"{m.split}_{m.target}"] = m.pearson
    except Exception:  # one failed run must not lose the others
        row["error"] = traceback.format_exc()[-2000:]
    return row


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Per (setting, dataset): mean ratio/count r per model, DeepAllele's gain over reference-only
    and the spread of the models' count r, for the validation and test splits."""
    ok = table[table["error"].isna()] if "error" in table else table
    rows = []
    for (setting, dataset), g in ok.groupby(["setting", "dataset"], sort=False):
        row = {"setting": setting, "dataset": dataset}
        for split in ("val", "test"):
            ratio = g.groupby("model")[f"{split}_ratio"].mean()
            count = g.groupby("model")[f"{split}_count"].mean()
            for m, v in ratio.items():
                row[f"{split}_ratio_{m}"] = round(float(v), 4)
            if {"deepallele", "ref_only"} <= set(ratio.index):
                row[f"{split}_gain_vs_ref_only"] = round(float(ratio["deepallele"] - ratio["ref_only"]), 4)
            row[f"{split}_count_spread"] = round(float(count.max() - count.min()), 4)
        row["runs"] = len(g)
        rows.append(row)
    return pd.DataFrame(rows)


def run_sweep(datasets: dict[str, tuple[str, str]], settings: dict[str, tuple[str | dict, dict]],
              models: list[str], seeds: list[int], outdir: str | Path, workers: int = 1,
              accelerator: str = "auto", log=print) -> pd.DataFrame:
    """Train every combination; return the run table (also written to ``outdir/sweep.tsv``).

    Parameters
    ----------
    datasets : dict
        name -> (pairs.h5 path, assay); the assay picks the paper preset (``paper``).
    settings : dict
        name -> (preset name or architecture dict, training overrides), see :data:`SETTINGS`.
    models, seeds : list
        Model types and seeds.
    outdir : str or pathlib.Path
        Run folders and tables.
    workers : int
        Processes; 1 trains in this process.
    accelerator : str
        ``cpu``, ``gpu`` or ``auto``.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    jobs = [{"setting": st, "dataset": ds, "model": m, "seed": int(s), "pairs": str(datasets[ds][0]),
             "assay": datasets[ds][1], "architecture": settings[st][0], "training": dict(settings[st][1]),
             "accelerator": accelerator, "outdir": str(outdir)}
            for st in settings for ds in datasets for m in models for s in seeds]
    rows, t0 = [], time.time()

    def record(row):
        rows.append(row)
        pd.DataFrame(rows).to_csv(outdir / "sweep.tsv", sep="\t", index=False, float_format="%.4f")
        state = "FAILED" if "error" in row else f"val ratio r {row['val_ratio']:.3f}"
        log(f"[{time.time() - t0:6.0f} s] {len(rows)}/{len(jobs)} {row['setting']} {row['dataset']} "
            f"{row['model']} seed {row['seed']}: {state}")

    if workers <= 1:
        for job in jobs:
            record(run_one(job))
    else:
        with mp.get_context("spawn").Pool(workers) as pool:
            for row in pool.imap_unordered(run_one, jobs):
                record(row)
    table = pd.DataFrame(rows)
    summarize(table).to_csv(outdir / "summary.tsv", sep="\t", index=False)
    return table


def _dataset_arg(text: str) -> tuple[str, tuple[str, str]]:
    try:
        name, rest = text.split("=", 1)
        path, assay = rest.rsplit(":", 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=PAIRS.h5:ASSAY, got {text!r}") from None
    if assay not in ("chip", "atac"):
        raise argparse.ArgumentTypeError(f"assay must be chip or atac, got {assay!r}")
    if not Path(path).exists():
        raise argparse.ArgumentTypeError(f"{path}: no such pairs file")
    return name, (path, assay)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deepallele.models.sweep", description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", type=_dataset_arg, action="append", required=True,
                    help="NAME=PAIRS.h5:ASSAY (chip or atac), repeatable")
    ap.add_argument("--settings", default="paper_val_loss,paper_ratio",
                    help=f"comma-separated, from {', '.join(SETTINGS)}")
    ap.add_argument("--models", default=",".join(MODEL_TYPES))
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--accelerator", choices=["auto", "cpu", "gpu"], default="auto")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--holdout", default="",
                    help="comma-separated training chromosomes to score settings on, test chromosomes hidden")
    a = ap.parse_args(argv)
    names = [s for s in a.settings.split(",") if s]
    unknown = [s for s in names if s not in SETTINGS]
    if unknown:
        ap.error(f"unknown settings {unknown}; choose from {list(SETTINGS)}")
    datasets = dict(a.dataset)
    if a.holdout:
        chroms = [c for c in a.holdout.split(",") if c]
        Path(a.outdir).mkdir(parents=True, exist_ok=True)
        for name, (path, assay) in list(datasets.items()):
            copy = Path(a.outdir) / f"{name}.holdout.h5"
            counts = holdout_copy(path, chroms, copy)
            print(f"{name}: {counts} (test = {', '.join(chroms)}; the dataset's test rows hidden)")
            datasets[name] = (str(copy), assay)
    table = run_sweep(datasets, {s: SETTINGS[s] for s in names}, a.models.split(","),
                      [int(s) for s in a.seeds.split(",")], a.outdir, a.workers, a.accelerator)
    print(summarize(table).to_string(index=False))
    return 1 if "error" in table and table["error"].notna().any() else 0


if __name__ == "__main__":
    sys.exit(main())
