"""Training on a toy dataset: outputs, bit-identical reruns, resume from last.ckpt, baselines, CLI, GPU."""
from __future__ import annotations

import json

import lightning as L
import pandas as pd
import pytest
import torch

from deepallele.models.train import PREDICTION_COLUMNS, train_model

PRED = ["pred_ref", "pred_alt", "pred_ratio"]
pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore:.*treespec.*")]


def _train(pairs, outdir, arch, model="deepallele", seed=0, epochs=2, **kw):
    return train_model(pairs, model, seed, outdir, arch, {"max_epochs": epochs, "batch_size": 32}, "cpu",
                       threads=1, progress_bar=False, **kw)


@pytest.fixture(scope="module")
def reference_run(toy_pairs, tmp_path_factory, tiny_arch_module):
    """deepallele, seed 0, 2 epochs without interruption."""
    out = tmp_path_factory.mktemp("ref_run")
    summary = _train(toy_pairs, out, tiny_arch_module, epochs=2)
    return out, summary


def test_outputs(reference_run):
    out, summary = reference_run
    for f in ("best.ckpt", "predictions.tsv", "train_summary.json", "history.tsv", "checkpoints/last.ckpt",
              "logs/metrics.csv"):
        assert (out / f).exists(), f
    pred = pd.read_csv(out / "predictions.tsv", sep="\t")
    assert list(pred.columns) == PREDICTION_COLUMNS and len(pred) == 200
    assert set(pred["split"]) == {"train", "val", "test"}
    hist = pd.read_csv(out / "history.tsv", sep="\t")
    assert hist["epoch"].tolist() == [0, 1] and hist["val_loss"].notna().all()
    s = json.loads((out / "train_summary.json").read_text())
    assert s == summary
    assert s["epochs"] == 2 and s["best_epoch"] in (0, 1) and s["pairs_per_s"] > 0 and not s["resumed"]
    assert s["validation_split"] == "val" and s["threads"] == 1
    # the best score is the monitored validation loss of the best epoch
    assert s["best_score"] == pytest.approx(hist.loc[hist["epoch"] == s["best_epoch"], "val_loss"].item(), rel=1e-4)


def test_same_seed_bit_identical(reference_run, toy_pairs, tmp_path, tiny_arch):
    _train(toy_pairs, tmp_path / "again", tiny_arch, epochs=2)
    a = pd.read_csv(reference_run[0] / "predictions.tsv", sep="\t")
    b = pd.read_csv(tmp_path / "again" / "predictions.tsv", sep="\t")
    assert a[PRED].equals(b[PRED])
    _train(toy_pairs, tmp_path / "other", tiny_arch, seed=1, epochs=2)
    c = pd.read_csv(tmp_path / "other" / "predictions.tsv", sep="\t")
    assert not a[PRED].equals(c[PRED])


def test_resume_continues_from_last_checkpoint(reference_run, toy_pairs, tmp_path, tiny_arch):
    out = tmp_path / "killed"
    first = _train(toy_pairs, out, tiny_arch, epochs=1)            # "killed" after epoch 1
    assert first["epochs"] == 1 and not first["resumed"]
    second = _train(toy_pairs, out, tiny_arch, epochs=2)           # the rerun
    assert second["resumed"] and second["epochs"] == 2
    assert pd.read_csv(out / "history.tsv", sep="\t")["epoch"].tolist() == [0, 1]
    # weights, optimiser, schedule, RNG and batch order restored: same as the uninterrupted run
    a = pd.read_csv(reference_run[0] / "predictions.tsv", sep="\t")
    b = pd.read_csv(out / "predictions.tsv", sep="\t")
    assert a[PRED].equals(b[PRED])
    third = _train(toy_pairs, out, tiny_arch, epochs=2)            # finished: nothing left to train
    assert third["epochs"] == 2


@pytest.mark.parametrize("model", ["ref_only", "two_genome"])
def test_baselines_predict_both_alleles(model, toy_pairs, tmp_path, tiny_arch):
    s = _train(toy_pairs, tmp_path, tiny_arch, model=model, epochs=1)
    pred = pd.read_csv(tmp_path / "predictions.tsv", sep="\t")
    assert (pred["pred_ratio"] - (pred["pred_ref"] - pred["pred_alt"])).abs().max() < 1e-5
    assert (pred[["pred_ref", "pred_alt"]] >= 0).all().all()
    assert s["n_train_pairs"] == int((pred["split"] == "train").sum())


def test_cli_train(toy_pairs, tmp_path):
    from deepallele.models.cli import main

    arch = '{"conv_layers": 1, "kernel_number": 4, "kernel_length": 5, "filter_number": 4, "kernel_size": 3, ' \
           '"pooling_size": 4, "h_layers": 1, "hidden_size": 8, "dropout": 0.0, "first_batch_norm": true}'
    rc = main(["train", "--pairs", str(toy_pairs), "--model", "direct", "--seed", "2", "--outdir", str(tmp_path),
               "--architecture-json", arch, "--train", "max_epochs=1", "--accelerator", "cpu", "--threads", "1",
               "--no-progress", "--log", str(tmp_path / "train.log")])
    assert rc == 0
    s = json.loads((tmp_path / "train_summary.json").read_text())
    assert s["model_type"] == "direct" and s["architecture"]["hidden_size"] == 8 and s["epochs"] == 1
    assert "summary" in (tmp_path / "train.log").read_text()


def test_cli_precision_from_training_settings(toy_pairs, tmp_path):
    """``precision`` in the training settings reaches the trainer, not the module's hyper-parameters."""
    from deepallele.models.cli import main

    arch = '{"conv_layers": 1, "kernel_number": 4, "kernel_length": 5, "filter_number": 4, "kernel_size": 3, ' \
           '"pooling_size": 4, "h_layers": 1, "hidden_size": 8, "dropout": 0.0, "first_batch_norm": true}'
    rc = main(["train", "--pairs", str(toy_pairs), "--model", "deepallele", "--seed", "0", "--outdir", str(tmp_path),
               "--architecture-json", arch, "--training-json", '{"max_epochs": 1, "precision": "bf16-mixed"}',
               "--accelerator", "cpu", "--threads", "1", "--no-progress"])
    assert rc == 0
    s = json.loads((tmp_path / "train_summary.json").read_text())
    assert s["precision"] == "bf16-mixed" and "precision" not in s["training"]
    assert (tmp_path / "predictions.tsv").exists()


@pytest.mark.gpu
def test_train_on_gpu(toy_pairs, tmp_path, tiny_arch):
    s = train_model(toy_pairs, "deepallele", 0, tmp_path, tiny_arch, {"max_epochs": 1}, "gpu", progress_bar=False)
    assert s["accelerator"] == "gpu" and (tmp_path / "predictions.tsv").exists()
    assert torch.cuda.is_available()


def test_changed_settings_start_afresh(toy_pairs, tmp_path, tiny_arch):
    _train(toy_pairs, tmp_path, tiny_arch, epochs=1)
    other = {**tiny_arch, "hidden_size": 12}
    s = _train(toy_pairs, tmp_path, other, epochs=1)
    assert not s["resumed"] and s["architecture"]["hidden_size"] == 12
    s = _train(toy_pairs, tmp_path, other, epochs=2)          # more epochs: resumable
    assert s["resumed"] and s["epochs"] == 2


class _ScriptedMetric(L.LightningModule):
    """Logs a given value of ``m`` at the end of each epoch's validation (training does nothing useful)."""

    def __init__(self, values):
        super().__init__()
        self.values = values
        self.layer = torch.nn.Linear(1, 1)

    def training_step(self, batch, _):
        return self.layer(batch[0]).sum() * 0

    def validation_step(self, batch, _):
        self.log("m", float(self.values[self.current_epoch]))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.0)


def _epochs_run(callback, values, tmp_path):
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(2, 1)), batch_size=2)
    trainer = L.Trainer(max_epochs=len(values), callbacks=[callback], logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, num_sanity_val_steps=0,
                        default_root_dir=tmp_path)
    trainer.fit(_ScriptedMetric(values), data, data)
    return trainer.current_epoch


def test_delayed_early_stopping_counts_patience_from_min_epochs(tmp_path):
    from lightning.pytorch.callbacks import EarlyStopping

    from deepallele.models.train import DelayedEarlyStopping

    # mode max: a noisy early best (epoch 0), then a late climb from epoch 3 on, flat from epoch 6
    values = [0.5, 0.1, 0.1, 0.2, 0.3, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    # plain patience 2: no gain over 0.5 at epochs 1 and 2 -> stops after epoch 2 (3 epochs)
    assert _epochs_run(EarlyStopping(monitor="m", mode="max", patience=2), values, tmp_path) == 3
    # watching from the 4th epoch: best 0.2 (epoch 3), 0.3, 0.6 (epoch 5), no gain at 6 and 7 -> 8 epochs
    delayed = DelayedEarlyStopping(4, monitor="m", mode="max", patience=2)
    assert _epochs_run(delayed, values, tmp_path) == 8
    assert delayed.stopped_epoch == 7
    # min_epochs 1 is plain early stopping
    assert _epochs_run(DelayedEarlyStopping(1, monitor="m", mode="max", patience=2), values, tmp_path) == 3

