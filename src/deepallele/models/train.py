"""Train one (model type, seed) on a pairs.h5: checkpoints, logs, predictions for every peak, a summary.

Outputs under ``outdir``:

- ``best.ckpt`` -- copy of the best checkpoint (monitor: ``val_loss`` or ``val_ratio_pearson``);
- ``checkpoints/last.ckpt`` -- written every epoch; a rerun of a killed job resumes from it
  (weights, optimiser, schedule, early-stopping state, loop position and RNG state), so the
  result equals an uninterrupted run;
- ``logs/metrics.csv`` -- per-epoch train/val metrics (Lightning CSVLogger), and ``history.tsv``,
  the same one row per epoch (``epoch, train_loss, val_loss, val_count_ref_pearson,
  val_count_alt_pearson, val_ratio_pearson``);
- ``predictions.tsv`` -- ``peak, chrom, split, obs_ref, obs_alt, obs_ratio, pred_ref, pred_alt,
  pred_ratio`` for all peaks (baselines predict both alleles with their single model);
- ``train_summary.json`` -- epochs, best epoch and score, seconds, training pairs/s.
"""
from __future__ import annotations

import json
import logging
import random
import shutil
import sys
import time
import warnings
from pathlib import Path

import lightning as L
import numpy as np
import pandas as pd
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping, ModelCheckpoint, TQDMProgressBar
from lightning.pytorch.loggers import CSVLogger

from . import count_parameters
from .data import Pairs, load_pairs, make_loader
from .module import DEFAULT_TRAINING, TRAIN_MODE, AlleleModule, load_module

log = logging.getLogger("deepallele.models.train")

PREDICTION_COLUMNS = ["peak", "chrom", "split", "obs_ref", "obs_alt", "obs_ratio", "pred_ref", "pred_alt",
                      "pred_ratio"]
HISTORY_COLUMNS = ["epoch", "train_loss", "val_loss", "val_count_ref_pearson", "val_count_alt_pearson",
                   "val_ratio_pearson"]
MONITOR_MODE = {"val_loss": "min", "val_ratio_pearson": "max"}


class RNGState(Callback):
    """Stores the Python, NumPy and torch RNG states in checkpoints and restores them on resume."""

    def state_dict(self) -> dict:
        kind, keys, pos, has_gauss, gauss = np.random.get_state()
        # tensors and plain Python values only, so the checkpoint loads with weights_only=True
        state = {"python": random.getstate(), "torch": torch.get_rng_state(),
                 "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(gauss)]}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def load_state_dict(self, state: dict) -> None:
        random.setstate(state["python"])
        kind, keys, pos, has_gauss, gauss = state["numpy"]
        np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
        torch.set_rng_state(state["torch"])
        if "cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])


class Throughput(Callback):
    """Wall time of the training part of each epoch (first batch to the start of validation) and items seen."""

    def __init__(self):
        self.seconds, self.items, self._t0 = 0.0, 0, None

    def on_train_epoch_start(self, trainer, pl_module):
        self._t0 = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.items += len(batch[1])

    def _stop(self):
        if self._t0 is not None:
            self.seconds += time.perf_counter() - self._t0
            self._t0 = None

    def on_validation_start(self, trainer, pl_module):
        if not trainer.sanity_checking:
            self._stop()

    def on_train_epoch_end(self, trainer, pl_module):
        self._stop()


def resolve_accelerator(accelerator: str) -> str:
    """``auto`` -> ``gpu`` when CUDA is available, else ``cpu``."""
    if accelerator == "auto":
        return "gpu" if torch.cuda.is_available() else "cpu"
    return accelerator


def _validation_split(pairs: Pairs) -> str:
    labels = set(pairs.split)
    for s in ("val", "test"):
        if s in labels:
            return s
    raise ValueError(f"pairs have no 'val' or 'test' rows (splits: {sorted(labels)})")


#: training settings that may change between a run and its resumption (they only extend or shorten it)
RESUMABLE_KEYS = ("max_epochs", "min_epochs", "patience", "num_workers", "accelerator")


def run_fingerprint(h5_path, model_type: str, seed: int, architecture: dict, training: dict, sequence_length: int,
                    precision: str) -> dict:
    """What a checkpoint must have been trained with to be resumed (JSON-comparable)."""
    h5 = Path(h5_path)
    return json.loads(json.dumps({
        "model_type": model_type, "seed": int(seed), "sequence_length": int(sequence_length),
        "architecture": architecture, "precision": precision,
        "training": {k: v for k, v in sorted(training.items()) if k not in RESUMABLE_KEYS},
        "pairs": {"name": h5.name, "bytes": h5.stat().st_size}}, sort_keys=True))


class DelayedEarlyStopping(EarlyStopping):
    """Early stopping that starts watching the monitor after ``min_epochs`` epochs.

    Patience counts from there, so a ratio head that starts to learn late is not cut off by an
    early noisy best. (Lightning's ``Trainer(min_epochs=...)`` differs: a stop signalled before it
    is kept and ends the run at ``min_epochs``, however the monitor moves in between.)
    """

    def __init__(self, min_epochs: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.min_epochs = int(min_epochs)

    def _run_early_stopping_check(self, trainer: L.Trainer) -> None:
        if trainer.current_epoch + 1 >= self.min_epochs:
            super()._run_early_stopping_check(trainer)


def _finished(last: Path, max_epochs: int) -> bool:
    """Whether a last checkpoint marks a run that already ended (max epochs reached or stopped early)."""
    ckpt = torch.load(last, map_location="cpu", weights_only=True)
    if ckpt.get("epoch", -1) + 1 >= max_epochs:
        return True
    for key, state in ckpt.get("callbacks", {}).items():
        if "EarlyStopping" in key and state.get("stopped_epoch", 0) > 0:
            return True
    return False


def epoch_history(metrics_csv: str | Path) -> pd.DataFrame:
    """One row per epoch of :data:`HISTORY_COLUMNS` from a Lightning ``metrics.csv`` (train and val rows merged)."""
    m = pd.read_csv(metrics_csv)
    cols = [c for c in HISTORY_COLUMNS[1:] if c in m.columns]
    return m.groupby("epoch")[cols].first().reset_index().reindex(columns=HISTORY_COLUMNS)


@torch.no_grad()
def predict_all(module: AlleleModule, pairs: Pairs, batch_size: int = 256,
                device: str | torch.device = "cpu") -> pd.DataFrame:
    """Predictions of every pair (eval mode) as a table of :data:`PREDICTION_COLUMNS`."""
    module = module.to(device).eval()
    loader = make_loader(pairs, None, "pair", batch_size)
    pred = torch.cat([module.predict_pairs(x.to(device)).float().cpu() for x, _ in loader]).numpy()
    obs = pairs.y.numpy()
    return pd.DataFrame({"peak": pairs.peak, "chrom": pairs.chrom, "split": pairs.split,
                         "obs_ref": obs[:, 0], "obs_alt": obs[:, 1], "obs_ratio": obs[:, 2],
                         "pred_ref": pred[:, 0], "pred_alt": pred[:, 1], "pred_ratio": pred[:, 2]},
                        columns=PREDICTION_COLUMNS)


def train_model(h5_path: str | Path, model_type: str, seed: int, outdir: str | Path, architecture: dict,
                training: dict | None = None, accelerator: str | None = None, threads: int | None = None,
                precision: str = "32-true", progress_bar: bool = True) -> dict:
    """Train one model (one seed) and write its checkpoints, logs, predictions and summary.

    Parameters
    ----------
    h5_path : str or pathlib.Path
        ``pairs.h5`` of a dataset.
    model_type : str
        One of :data:`deepallele.models.MODEL_TYPES`.
    seed : int
        Seeds initialisation, dropout and batch order (``lightning.seed_everything(seed, workers=True)``).
    outdir : str or pathlib.Path
        Output folder (created).
    architecture : dict
        Resolved architecture (:func:`deepallele.models.presets.resolve_architecture`).
    training : dict, optional
        Config ``models.training``; missing keys take :data:`deepallele.models.module.DEFAULT_TRAINING`.
    accelerator : str, optional
        ``cpu``, ``gpu`` or ``auto`` (default: ``training["accelerator"]``).
    threads : int, optional
        CPU threads for torch (the job's threads).
    precision : str
        Lightning precision (``32-true``; ``bf16-mixed`` on a GPU for speed, not bit-reproducible).
    progress_bar : bool
        Show Lightning's progress bar.

    Returns
    -------
    dict
        The summary written to ``train_summary.json``.
    """
    t_start = time.time()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cfg = {**DEFAULT_TRAINING, **(training or {})}
    accel = resolve_accelerator(accelerator or cfg["accelerator"])
    if threads:
        torch.set_num_threads(int(threads))
    monitor = cfg["monitor"]
    if monitor not in MONITOR_MODE:
        raise ValueError(f"unknown monitor {monitor!r}")
    mode = MONITOR_MODE[monitor]

    pairs = load_pairs(h5_path)
    val_split = _validation_split(pairs)
    L.seed_everything(seed, workers=True, verbose=False)
    module = AlleleModule(model_type, pairs.sequence_length, architecture, cfg)
    bs, nw = int(cfg["batch_size"]), int(cfg["num_workers"])
    train_loader = make_loader(pairs, "train", TRAIN_MODE[model_type], bs, shuffle=True, seed=seed, num_workers=nw)
    val_loader = make_loader(pairs, val_split, "pair", max(bs, 128), num_workers=nw)
    n_train_pairs = int((pairs.split == "train").sum())

    ckpt_dir = outdir / "checkpoints"
    ckpt_cb = ModelCheckpoint(dirpath=ckpt_dir, filename="best-{epoch:03d}", monitor=monitor, mode=mode,
                              save_top_k=1, auto_insert_metric_name=False)
    # every epoch, overwritten: what a rerun resumes from (Lightning's save_last only follows top-k saves)
    last_cb = ModelCheckpoint(dirpath=ckpt_dir, filename="last", monitor=None, save_top_k=1, every_n_epochs=1,
                              enable_version_counter=False)
    stop_cb = DelayedEarlyStopping(int(cfg["min_epochs"]), monitor=monitor, mode=mode, patience=int(cfg["patience"]),
                                   check_finite=False)
    speed = Throughput()
    callbacks = [stop_cb, RNGState(), speed, ckpt_cb, last_cb]
    if progress_bar:  # in a log file (no terminal) about 10 updates per epoch
        callbacks.append(TQDMProgressBar(refresh_rate=1 if sys.stderr.isatty() else max(1, len(train_loader) // 10)))
    trainer = L.Trainer(accelerator=accel, devices=1, max_epochs=int(cfg["max_epochs"]), deterministic=True,
                        precision=precision, callbacks=callbacks,
                        logger=CSVLogger(outdir, name="", version="logs"), default_root_dir=outdir,
                        enable_progress_bar=progress_bar, num_sanity_val_steps=0, use_distributed_sampler=False,
                        log_every_n_steps=max(1, min(50, len(train_loader))), enable_model_summary=False)

    train_loader.sampler.epoch_fn = lambda: trainer.current_epoch
    last = ckpt_dir / "last.ckpt"
    fingerprint = run_fingerprint(h5_path, model_type, seed, architecture, cfg, pairs.sequence_length, precision)
    stamp = ckpt_dir / "run.json"
    if last.exists() and (not stamp.exists() or json.loads(stamp.read_text()) != fingerprint):
        log.warning("%s was trained with other settings or data; starting afresh", ckpt_dir)
        shutil.rmtree(ckpt_dir)
        shutil.rmtree(outdir / "logs", ignore_errors=True)
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps(fingerprint, indent=1, sort_keys=True) + "\n")
    resumed = last.exists()
    skipped = resumed and _finished(last, int(cfg["max_epochs"]))
    log.info("%s seed %d: %d parameters, %d train / %d %s pairs (L %d), %s, %d threads%s", model_type, seed,
             count_parameters(module), n_train_pairs, int((pairs.split == val_split).sum()), val_split,
             pairs.sequence_length, accel, torch.get_num_threads(),
             f", resuming from {last}" if resumed else "")
    metrics_csv = outdir / "logs" / "metrics.csv"
    earlier = pd.read_csv(metrics_csv) if resumed and metrics_csv.exists() else None
    if not skipped:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*does not have many workers.*")
            warnings.filterwarnings("ignore", message=".*Checkpoint directory.*exists and is not empty.*")
            warnings.filterwarnings("ignore", message=".*Experiment logs directory.*exists and is not empty.*")
            trainer.fit(module, train_loader, val_loader, ckpt_path=str(last) if resumed else None)
        if earlier is not None and metrics_csv.exists():  # the CSV logger starts a new file on resume
            new = pd.read_csv(metrics_csv)
            first = new["epoch"].min() if len(new) else np.inf
            pd.concat([earlier[earlier["epoch"] < first], new]).to_csv(metrics_csv, index=False)

    best = Path(ckpt_cb.best_model_path) if ckpt_cb.best_model_path else None
    if best is None or not best.exists():
        found = sorted(ckpt_dir.glob("best-*.ckpt"))
        if not found:
            raise RuntimeError(f"no best checkpoint under {ckpt_dir}")
        best = found[-1]
    shutil.copyfile(best, outdir / "best.ckpt")
    best_ckpt = torch.load(best, map_location="cpu", weights_only=True)
    best_epoch = int(best_ckpt["epoch"])
    best_score = None
    for key, state in best_ckpt.get("callbacks", {}).items():
        # the monitored checkpoint callback, not the every-epoch "last" one (monitor None)
        if key.startswith("ModelCheckpoint") and f"'monitor': '{monitor}'" in key:
            best_score = state.get("best_model_score", state.get("current_score"))
    last_ckpt = torch.load(last, map_location="cpu", weights_only=True)

    best_module = load_module(str(outdir / "best.ckpt"))
    device = "cuda" if accel == "gpu" else "cpu"
    preds = predict_all(best_module, pairs, device=device)
    preds.to_csv(outdir / "predictions.tsv", sep="\t", index=False, float_format="%.6g")

    if metrics_csv.exists():
        epoch_history(metrics_csv).to_csv(outdir / "history.tsv", sep="\t", index=False, float_format="%.6g")
    else:
        pd.DataFrame(columns=HISTORY_COLUMNS).to_csv(outdir / "history.tsv", sep="\t", index=False)
    epochs_run = int(last_ckpt["epoch"]) + 1
    summary = {
        "model_type": model_type, "seed": int(seed), "epochs": epochs_run, "best_epoch": best_epoch,
        "monitor": monitor, "best_score": None if best_score is None else float(best_score),
        "stopped_early": epochs_run < int(cfg["max_epochs"]), "resumed": bool(resumed),
        "seconds": round(time.time() - t_start, 2), "train_seconds": round(speed.seconds, 2),
        "train_examples": speed.items,
        "pairs_per_s": round(speed.items / speed.seconds / (2 if TRAIN_MODE[model_type] == "both" else 1), 1)
        if speed.seconds else None,
        "n_train_pairs": n_train_pairs, "validation_split": val_split, "parameters": count_parameters(module),
        "sequence_length": pairs.sequence_length, "accelerator": accel, "threads": torch.get_num_threads(),
        "precision": precision, "architecture": architecture, "training": cfg,
        "skipped_batches": int(module.skipped_batches),
    }
    (outdir / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    log.info("%s seed %d: %d epochs, best epoch %d (%s %.4g), %.1f s, %s pairs/s", model_type, seed, epochs_run,
             best_epoch, monitor, summary["best_score"] if best_score is not None else float("nan"),
             summary["seconds"], summary["pairs_per_s"])
    return summary
