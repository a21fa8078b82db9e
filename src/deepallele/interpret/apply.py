"""Trained models on any ``pairs.h5``: predictions per seed and ensemble, attributions and their export.

Used by ``deepallele predict`` and ``deepallele interpret`` (:mod:`deepallele.interpret.commands`);
models come from safe model files (:mod:`deepallele.models.modelfile`).

Attribution export for TF-MoDISco-lite (``modisco motifs -s <seqs> -a <attrs>``): per allele,
``<allele>_seqs.npz`` and ``<allele>_attrs.npz``, each one array ``arr_0`` of shape ``(N, 4, L)``
float32 (one-hot A, C, G, T with padding all zero; attributions centred over bases, the seeds'
mean), ``allele`` ``ref`` or ``alt``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .outputs import atomic_path


@torch.inference_mode()
def predict_table(models: list, x: torch.Tensor, rows, peak, obs, batch_size: int = 256,
                  device: str | torch.device = "cpu") -> pd.DataFrame:
    """Predictions of every model and their mean.

    Parameters
    ----------
    models : list of ModelFile
        Seeds of one model type.
    x : torch.Tensor
        ``(N, 2, 4, L)`` one-hot pairs.
    rows, peak, obs : array-like, shape (N,)
        Row in the file, peak name, observed ln ratio.
    batch_size : int
    device : str or torch.device

    Returns
    -------
    pandas.DataFrame
        ``row, peak, obs_ratio``, then ``pred_{ref,alt,ratio}_<label>`` per model and
        ``pred_{ref,alt,ratio}_mean``, ``pred_ratio_sd`` (ddof 1; 0 for one model).
    """
    from .score_variants import effect_labels

    labels = [lab.replace("effect_", "") for lab in effect_labels(models)]
    out = pd.DataFrame({"row": np.asarray(rows), "peak": np.asarray(peak), "obs_ratio": np.asarray(obs)})
    preds = []
    for m, label in zip(models, labels):
        m.model.to(device).eval()
        p = torch.cat([m.predict_pairs(x[i:i + batch_size].to(device)).float().cpu()
                       for i in range(0, len(x), batch_size)]).numpy() if len(x) else np.zeros((0, 3))
        preds.append(p)
        for j, name in enumerate(("ref", "alt", "ratio")):
            out[f"pred_{name}_{label}"] = p[:, j]
    stack = np.stack(preds)
    for j, name in enumerate(("ref", "alt", "ratio")):
        out[f"pred_{name}_mean"] = stack[:, :, j].mean(0)
    out["pred_ratio_sd"] = stack[:, :, 2].std(0, ddof=1) if len(models) > 1 else 0.0
    return out


def export_modisco(outdir: str | Path, x: torch.Tensor | np.ndarray, attr: torch.Tensor | np.ndarray) -> list[Path]:
    """Write TF-MoDISco-lite inputs per allele (see the module notes).

    Parameters
    ----------
    outdir : str or pathlib.Path
        Folder (created).
    x : torch.Tensor or numpy.ndarray
        ``(N, 2, 4, L)`` one-hot pairs.
    attr : torch.Tensor or numpy.ndarray
        ``(N, 2, 4, L)`` attributions.

    Returns
    -------
    list of pathlib.Path
        The four files written (atomically).
    """
    outdir = Path(outdir)
    x, attr = np.asarray(x, dtype=np.float32), np.asarray(attr, dtype=np.float32)
    if x.shape != attr.shape or x.ndim != 4 or x.shape[1:3] != (2, 4):
        raise ValueError(f"expected (N, 2, 4, L) sequences and attributions, got {x.shape} and {attr.shape}")
    written = []
    for a, allele in enumerate(("ref", "alt")):
        for name, arr in (("seqs", x[:, a]), ("attrs", attr[:, a])):
            path = outdir / f"{allele}_{name}.npz"
            with atomic_path(path) as tmp:
                with open(tmp, "wb") as fh:
                    np.savez_compressed(fh, np.ascontiguousarray(arr))
            written.append(path)
    return written
