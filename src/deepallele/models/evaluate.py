"""Test-set correlations of the trained models (the numbers behind Fig 1c,d and S2).

The long table has one row per (dataset, model, seed, split, target) with Pearson and
Spearman correlations between observed and predicted values and the number of peaks ``n``.
Targets: ``count_ref`` and ``count_alt`` (ln(1 + count) of each allele), ``count`` (the mean
of the two allele correlations, as the paper reports counts) and ``ratio`` (ln ratio).

Their validation on a simulated dataset is :func:`deepallele.validation.models.model_validation`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

TARGETS = {"count_ref": ("obs_ref", "pred_ref"), "count_alt": ("obs_alt", "pred_alt"),
           "ratio": ("obs_ratio", "pred_ratio")}
TABLE_COLUMNS = ["dataset", "model", "seed", "split", "target", "pearson", "spearman", "n"]
SUMMARY_COLUMNS = ["dataset", "model", "split", "target", "n_seeds", "pearson_mean", "pearson_sd", "spearman_mean",
                   "spearman_sd", "n"]


def correlations(obs: np.ndarray, pred: np.ndarray) -> tuple[float, float, int]:
    """Pearson r, Spearman rho and n over finite pairs (NaN when n < 3 or either side is constant)."""
    obs, pred = np.asarray(obs, dtype=float), np.asarray(pred, dtype=float)
    ok = np.isfinite(obs) & np.isfinite(pred)
    obs, pred = obs[ok], pred[ok]
    n = int(len(obs))
    if n < 3 or np.ptp(obs) == 0 or np.ptp(pred) == 0:
        return float("nan"), float("nan"), n
    return float(stats.pearsonr(obs, pred)[0]), float(stats.spearmanr(obs, pred)[0]), n


def prediction_metrics(pred: pd.DataFrame, splits: list[str] | None = None) -> pd.DataFrame:
    """Correlations of one predictions table (``predictions.tsv``) per split and target.

    Parameters
    ----------
    pred : pandas.DataFrame
        Columns ``split, obs_ref, obs_alt, obs_ratio, pred_ref, pred_alt, pred_ratio``.
    splits : list of str, optional
        Splits to score (default: every split present).

    Returns
    -------
    pandas.DataFrame
        ``split, target, pearson, spearman, n``; ``count`` rows are the mean of the
        ``count_ref`` and ``count_alt`` correlations.
    """
    rows = []
    for split in splits or sorted(pred["split"].unique()):
        sub = pred[pred["split"] == split]
        per = {}
        for target, (o, p) in TARGETS.items():
            per[target] = correlations(sub[o].to_numpy(), sub[p].to_numpy())
            rows.append({"split": split, "target": target, "pearson": per[target][0],
                         "spearman": per[target][1], "n": per[target][2]})
        rows.append({"split": split, "target": "count",
                     "pearson": (per["count_ref"][0] + per["count_alt"][0]) / 2,
                     "spearman": (per["count_ref"][1] + per["count_alt"][1]) / 2, "n": per["count_ref"][2]})
    return pd.DataFrame(rows, columns=["split", "target", "pearson", "spearman", "n"])


def parse_runs(keys: list[str]) -> list[tuple[str, int]]:
    """``["deepallele:0", "ref_only:3"]`` -> ``[("deepallele", 0), ("ref_only", 3)]``.

    The workflow names each trained model ``<model type>:<seed>`` in rule params.

    Raises
    ------
    ValueError
        For a key that is not ``<type>:<integer seed>``.
    """
    runs = []
    for key in keys:
        model_type, sep, seed = str(key).rpartition(":")
        if not sep or not model_type or not seed.lstrip("-").isdigit():
            raise ValueError(f"model run {key!r} is not '<model type>:<seed>'")
        runs.append((model_type, int(seed)))
    return runs


def performance_table(dataset: str, predictions: dict[tuple[str, int], str | Path | pd.DataFrame]) -> pd.DataFrame:
    """The long table of a dataset from its models' predictions.

    Parameters
    ----------
    dataset : str
        Dataset name (first column).
    predictions : dict
        ``(model, seed) -> predictions.tsv`` path or table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TABLE_COLUMNS`, sorted by model, seed, split, target.
    """
    parts = []
    for (model, seed), src in predictions.items():
        pred = src if isinstance(src, pd.DataFrame) else pd.read_csv(src, sep="\t")
        m = prediction_metrics(pred)
        m.insert(0, "seed", int(seed))
        m.insert(0, "model", model)
        m.insert(0, "dataset", dataset)
        parts.append(m)
    if not parts:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[TABLE_COLUMNS].sort_values(
        ["model", "seed", "split", "target"], kind="stable").reset_index(drop=True)


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and SD (ddof = 1) over seeds per (dataset, model, split, target).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`; SD is NaN for a single seed.
    """
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    g = table.groupby(["dataset", "model", "split", "target"], sort=True)
    out = g.agg(n_seeds=("seed", "nunique"), pearson_mean=("pearson", "mean"), pearson_sd=("pearson", "std"),
                spearman_mean=("spearman", "mean"), spearman_sd=("spearman", "std"), n=("n", "max")).reset_index()
    return out[SUMMARY_COLUMNS]


def report_split(table: pd.DataFrame) -> str:
    """The split the figures report: ``test`` when present (held-out scheme), else ``val`` (paper scheme)."""
    splits = set(table["split"])
    for s in ("test", "val"):
        if s in splits:
            return s
    raise ValueError(f"no test or val rows (splits: {sorted(splits)})")
