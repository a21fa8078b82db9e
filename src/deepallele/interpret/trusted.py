"""The trusted ("well-predicted") set of sequences (reference-spec §3.1, Fig S4a,b).

A sequence is trusted when its observed ln ratio is large (``|obs| > 1``), its standardised
predicted ratio is large (``|z| > 1.65`` with ``z = pred / RMS(pred)``; the mean is not
subtracted) and both have the same sign.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def standardise(pred) -> np.ndarray:
    """``pred / sqrt(mean(pred**2))`` (the "SD to zero" of the paper); zeros stay zeros."""
    pred = np.asarray(pred, dtype=np.float64)
    rms = np.sqrt(np.mean(pred ** 2)) if pred.size else 0.0
    return pred / rms if rms > 0 else np.zeros_like(pred)


def is_trusted(obs, pred, min_obs: float = 1.0, min_z: float = 1.65) -> np.ndarray:
    """Boolean mask of trusted sequences from observed and predicted ln ratios (same order)."""
    obs = np.asarray(obs, dtype=np.float64)
    z = standardise(pred)
    return (np.abs(obs) > min_obs) & (np.abs(z) > min_z) & (np.sign(obs) == np.sign(z))


def mean_predictions(tables: list[pd.DataFrame], split: str | None = "test") -> pd.DataFrame:
    """Mean predicted ratio over seeds from ``predictions.tsv`` tables of one model.

    Parameters
    ----------
    tables : list of pandas.DataFrame
        ``predictions.tsv`` of each seed (``peak, chrom, split, obs_ratio, pred_ratio, ...``).
    split : str, optional
        Keep only this split (``None``: all peaks).

    Returns
    -------
    pandas.DataFrame
        ``peak, chrom, split, obs_ratio, pred_ratio`` (mean over seeds), ``pred_ratio_sd``,
        ``n_seeds``, in the first table's row order.

    Raises
    ------
    ValueError
        When the tables list different peaks.
    """
    if not tables:
        raise ValueError("no predictions tables given")
    base = tables[0][["peak", "chrom", "split", "obs_ratio"]].copy()
    preds = []
    for i, t in enumerate(tables):
        if len(t) != len(base) or not (t["peak"].to_numpy() == base["peak"].to_numpy()).all():
            raise ValueError(f"predictions table {i} lists different peaks than table 0")
        preds.append(t["pred_ratio"].to_numpy(dtype=np.float64))
    p = np.stack(preds)
    base["pred_ratio"] = p.mean(0)
    base["pred_ratio_sd"] = p.std(0, ddof=1) if len(p) > 1 else 0.0
    base["n_seeds"] = len(p)
    if split is not None:
        base = base[base["split"] == split].reset_index(drop=True)
    return base


def trusted_table(pred: pd.DataFrame, min_obs: float = 1.0, min_z: float = 1.65) -> pd.DataFrame:
    """:func:`mean_predictions` output with ``z`` (standardised predicted ratio) and ``trusted`` added."""
    out = pred.copy()
    out["z"] = standardise(out["pred_ratio"])
    out["trusted"] = is_trusted(out["obs_ratio"], out["pred_ratio"], min_obs, min_z)
    return out


def trusted_set(predictions: list[pd.DataFrame], peaks, rows, min_obs: float = 1.0,
                min_z: float = 1.65) -> pd.DataFrame:
    """The trusted table of the interpreted pairs, from every seed's predictions (rule interpret_trusted).

    Parameters
    ----------
    predictions : list of pandas.DataFrame
        ``predictions.tsv`` of each seed of one model (every peak of the dataset).
    peaks : array-like of str
        ``(N,)`` the interpreted pairs' peaks, in the order of the output.
    rows : array-like of int
        ``(N,)`` their rows in ``pairs.h5``.
    min_obs, min_z : float
        The trusted cut-offs (:func:`is_trusted`).

    Returns
    -------
    pandas.DataFrame
        :func:`trusted_table` of the seeds' mean prediction over the ``N`` pairs, with ``row``
        as the second column.

    Raises
    ------
    KeyError
        A peak the predictions lack.
    """
    pred = mean_predictions(predictions, split=None)
    pred = pred.set_index("peak").loc[list(peaks)].reset_index()
    table = trusted_table(pred, min_obs, min_z)
    table.insert(1, "row", np.asarray(rows))
    return table
