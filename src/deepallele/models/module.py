"""LightningModule wrapping any model type: loss, optimiser, cyclic schedule, validation metrics.

Loss: for DeepAllele and the direct variant the mean of the three squared-error terms
(count_ref, count_alt, ratio; equal weights); for the single-input baselines the MSE on one
ln count. Adam (coupled L2 weight decay) with a triangular CyclicLR stepped every batch.
Batches whose loss is not finite are skipped (no optimiser step).

Validation always runs on *pairs*: a baseline predicts the reference and the strain
sequence of each validation pair, so ``val_ratio_pearson`` means the same for every model.
"""
from __future__ import annotations

import lightning as L
import torch
from torch import nn

from . import PAIRED_TYPES, build_model
from .baseline import predict_pair

#: which examples each model type is trained on (see deepallele.models.data.example_index)
TRAIN_MODE = {"deepallele": "pair", "direct": "pair", "ref_only": "ref", "alt_only": "alt", "two_genome": "both"}
#: columns of the pair targets a model type's loss covers (validation loss)
LOSS_COLUMNS = {"deepallele": [0, 1, 2], "direct": [0, 1, 2], "ref_only": [0], "alt_only": [1],
                "two_genome": [0, 1]}
DEFAULT_TRAINING = {"lr": 1e-4, "weight_decay": 1e-5, "cyclic_base_lr": 5e-5, "cyclic_max_lr": 2e-4,
                    "cyclic_step_size_up": 2000, "batch_size": 32, "max_epochs": 100, "min_epochs": 1, "patience": 4,
                    "monitor": "val_loss", "num_workers": 0, "accelerator": "auto"}


def pearson(a: torch.Tensor, b: torch.Tensor) -> float:
    """Pearson correlation of two 1-D tensors (float64); 0.0 when either is constant."""
    a, b = a.double().flatten(), b.double().flatten()
    a, b = a - a.mean(), b - b.mean()
    den = torch.sqrt((a * a).sum() * (b * b).sum())
    if len(a) < 2 or not torch.isfinite(den) or den == 0:
        return 0.0
    return float((a * b).sum() / den)


def validation_metrics(model_type: str, pred: torch.Tensor, obs: torch.Tensor) -> dict[str, float]:
    """Validation metrics from pair predictions ``(N, 3)`` and observations ``(N, 3)``.

    ``val_loss`` is the model type's training loss on the validation pairs: the mean of the
    three squared-error terms (DeepAllele, direct), the ref column (``ref_only``), the alt
    column (``alt_only``) or both allele columns (``two_genome``, i.e. the MSE over the 2N
    validation sequences). ``val_{count_ref,count_alt,ratio}_pearson`` are Pearson r of the
    columns (0 for a constant prediction).
    """
    cols = LOSS_COLUMNS[model_type]
    out = {"val_loss": float(torch.mean((pred[:, cols].double() - obs[:, cols].double()) ** 2))}
    for j, name in enumerate(("count_ref", "count_alt", "ratio")):
        out[f"val_{name}_pearson"] = pearson(pred[:, j], obs[:, j])
    return out


class AlleleModule(L.LightningModule):
    """Training wrapper of one model type.

    Parameters
    ----------
    model_type : str
        ``deepallele``, ``direct``, ``ref_only``, ``alt_only`` or ``two_genome``.
    sequence_length : int
        L per allele.
    architecture : dict
        Resolved architecture (see :func:`deepallele.models.presets.resolve_architecture`).
    training : dict, optional
        Config ``models.training`` keys (defaults of :data:`DEFAULT_TRAINING`).
    """

    def __init__(self, model_type: str, sequence_length: int, architecture: dict, training: dict | None = None):
        super().__init__()
        self.save_hyperparameters()
        self.model_type = model_type
        self.training_cfg = {**DEFAULT_TRAINING, **(training or {})}
        self.model = build_model(model_type, sequence_length, architecture)
        self.paired = model_type in PAIRED_TYPES
        self.loss_fn = nn.MSELoss()
        self._val_pred: list[torch.Tensor] = []
        self._val_obs: list[torch.Tensor] = []
        self.skipped_batches = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The wrapped model's own interface: pairs -> (B, 3) or single sequences -> (B, 1)."""
        return self.model(x)

    def predict_pairs(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 2, 4, L) pairs -> (B, 3) [count_ref, count_alt, ratio] for any model type."""
        return self.model(x) if self.paired else predict_pair(self.model, x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self.model(x), y)
        if not torch.isfinite(loss):
            self.skipped_batches += 1
            self.log("skipped_batches", float(self.skipped_batches), on_step=False, on_epoch=True, reduce_fx="max")
            return None
        self.log("train_loss", loss, on_step=False, on_epoch=True, batch_size=len(y))
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self._val_pred.append(self.predict_pairs(x).detach().float().cpu())
        self._val_obs.append(y.detach().float().cpu())

    def on_validation_epoch_end(self):
        if not self._val_pred:
            return
        pred, obs = torch.cat(self._val_pred), torch.cat(self._val_obs)
        self._val_pred.clear()
        self._val_obs.clear()
        for name, value in validation_metrics(self.model_type, pred, obs).items():
            self.log(name, value, prog_bar=name in ("val_loss", "val_ratio_pearson"))

    def configure_optimizers(self):
        t = self.training_cfg
        opt = torch.optim.Adam(self.parameters(), lr=t["lr"], weight_decay=t["weight_decay"])
        sched = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=t["cyclic_base_lr"], max_lr=t["cyclic_max_lr"],
                                                  step_size_up=t["cyclic_step_size_up"], mode="triangular",
                                                  cycle_momentum=False)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step", "frequency": 1}}


def load_module(checkpoint: str, map_location: str | torch.device = "cpu") -> AlleleModule:
    """An :class:`AlleleModule` from a checkpoint, in eval mode (weights only; no RNG or loop state).

    The checkpoint is read with ``torch.load(weights_only=True)`` (this workflow's checkpoints hold
    only tensors and plain values); a truncated or foreign file is a
    :class:`~deepallele.models.modelfile.ModelFileError` naming it.
    """
    from .modelfile import load_checkpoint

    ckpt = load_checkpoint(checkpoint, map_location=map_location)
    hp = ckpt["hyper_parameters"]
    module = AlleleModule(hp["model_type"], hp["sequence_length"], hp["architecture"], hp.get("training"))
    module.load_state_dict(ckpt["state_dict"])
    return module.eval()


__all__ = ["AlleleModule", "DEFAULT_TRAINING", "LOSS_COLUMNS", "TRAIN_MODE", "load_module", "pearson",
           "validation_metrics"]
