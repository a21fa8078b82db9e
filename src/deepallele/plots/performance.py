"""Model performance figures: Fig 1c (count Pearson), Fig 1d (ratio Pearson), Fig S2 (Spearman;
direct variant vs DeepAllele) and training curves.

Bars are the mean over seeds, error bars the SD over seeds (ddof = 1), dots the single seeds.
All values are correlations of ln(1 + count) or of the ln ratio (natural log).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..models import MODEL_COLORS, MODEL_NAMES
from . import save_figure

#: bar order (the paper's: baselines, then DeepAllele)
MODEL_ORDER = ["ref_only", "alt_only", "two_genome", "direct", "deepallele"]
MAIN_MODELS = ["ref_only", "alt_only", "two_genome", "deepallele"]
YLABEL = {("count", "pearson"): "Pearson r, ln(1 + count)", ("ratio", "pearson"): "Pearson r, ln ratio (ref / alt)",
          ("count", "spearman"): "Spearman ρ, ln(1 + count)", ("ratio", "spearman"): "Spearman ρ, ln ratio (ref / alt)"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _split(table: pd.DataFrame, split: str | None) -> str:
    if split:
        return split
    from ..models.evaluate import report_split

    return report_split(table)


def bar_data(table: pd.DataFrame, target: str, metric: str, models: list[str], split: str) -> pd.DataFrame:
    """The plotted numbers of one panel: per model the mean and SD over seeds and each seed's value.

    Returns
    -------
    pandas.DataFrame
        ``model, label, split, target, metric, seed, value, mean, sd`` (one row per seed).
    """
    sub = table[(table["split"] == split) & (table["target"] == target)]
    rows = []
    for m in models:
        v = sub[sub["model"] == m].sort_values("seed")
        if v.empty:
            continue
        vals = v[metric].to_numpy(dtype=float)
        mean = float(np.nanmean(vals)) if np.isfinite(vals).any() else float("nan")
        sd = float(np.nanstd(vals, ddof=1)) if np.isfinite(vals).sum() > 1 else float("nan")
        for seed, val in zip(v["seed"], vals):
            rows.append({"model": m, "label": MODEL_NAMES.get(m, m), "split": split, "target": target,
                         "metric": metric, "seed": int(seed), "value": val, "mean": mean, "sd": sd})
    return pd.DataFrame(rows, columns=["model", "label", "split", "target", "metric", "seed", "value", "mean", "sd"])


def bar_panel(ax, data: pd.DataFrame, ylabel: str, title: str = "") -> None:
    """Bars (mean), error bars (SD) and dots (seeds) of :func:`bar_data` output on ``ax``."""
    models = list(dict.fromkeys(data["model"]))
    for i, m in enumerate(models):
        d = data[data["model"] == m]
        mean, sd = d["mean"].iloc[0], d["sd"].iloc[0]
        ax.bar(i, mean, color=MODEL_COLORS.get(m, "grey"), alpha=0.85, width=0.7,
               yerr=None if not np.isfinite(sd) else sd, capsize=4, edgecolor="black", linewidth=0.6)
        jitter = np.linspace(-0.15, 0.15, len(d)) if len(d) > 1 else np.zeros(1)
        ax.scatter(i + jitter, d["value"], s=12, color="black", zorder=3)
    ax.set_xticks(range(len(models)))
    ax.set_xticklabels([MODEL_NAMES.get(m, m) for m in models], rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    ax.axhline(0, color="black", linewidth=0.6)
    if title:
        ax.set_title(title)


def _bars_figure(table, panels, prefix, split, suptitle):
    plt = _plt()
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.6), squeeze=False)
    datas = []
    for ax, (target, metric, models, title) in zip(axes[0], panels):
        d = bar_data(table, target, metric, models, split)
        bar_panel(ax, d, YLABEL[(target, metric)], title)
        datas.append(d)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return save_figure(fig, prefix, pd.concat(datas, ignore_index=True))


def fig1c_counts(table: pd.DataFrame, prefix: str | Path, split: str | None = None, dataset: str = "") -> list[Path]:
    """Fig 1c: Pearson r of ln(1 + count) (mean of both alleles) per model."""
    split = _split(table, split)
    return _bars_figure(table, [("count", "pearson", MAIN_MODELS, "")], prefix, split,
                        f"{dataset} counts ({split})".strip())


def fig1d_ratio(table: pd.DataFrame, prefix: str | Path, split: str | None = None, dataset: str = "") -> list[Path]:
    """Fig 1d: Pearson r of the ln allelic ratio per model."""
    split = _split(table, split)
    return _bars_figure(table, [("ratio", "pearson", MAIN_MODELS, "")], prefix, split,
                        f"{dataset} allelic ratio ({split})".strip())


def figS2_spearman(table: pd.DataFrame, prefix: str | Path, split: str | None = None,
                   dataset: str = "") -> list[Path]:
    """Fig S2a,b: Spearman versions of Fig 1c and 1d."""
    split = _split(table, split)
    return _bars_figure(table, [("count", "spearman", MAIN_MODELS, "a  counts"),
                                ("ratio", "spearman", MAIN_MODELS, "b  ratio")], prefix, split,
                        f"{dataset} Spearman ({split})".strip())


def figS2_direct(table: pd.DataFrame, prefix: str | Path, split: str | None = None, dataset: str = "") -> list[Path]:
    """Fig S2c,d: the direct-ratio variant vs DeepAllele (Pearson, counts and ratio)."""
    split = _split(table, split)
    models = ["direct", "deepallele"]
    return _bars_figure(table, [("count", "pearson", models, "c  counts"), ("ratio", "pearson", models, "d  ratio")],
                        prefix, split, f"{dataset} direct ratio vs ratio head ({split})".strip())


def read_training_logs(logs: dict[tuple[str, int], str | Path]) -> pd.DataFrame:
    """Per-epoch validation metrics of every (model, seed).

    Parameters
    ----------
    logs : dict
        ``(model, seed) ->`` the run's ``history.tsv`` (one row per epoch) or Lightning
        ``logs/metrics.csv`` (train and validation rows of an epoch are merged).

    Returns
    -------
    pandas.DataFrame
        ``model, seed, epoch, val_loss, val_ratio_pearson, train_loss`` (one row per epoch).
    """
    cols = ["model", "seed", "epoch", "val_loss", "val_ratio_pearson", "train_loss"]
    parts = []
    for (model, seed), path in logs.items():
        m = pd.read_csv(path, sep="\t" if str(path).endswith(".tsv") else ",")
        have = [c for c in cols[3:] if c in m.columns]
        per = m.groupby("epoch")[have].first().reset_index()
        per.insert(0, "seed", int(seed))
        per.insert(0, "model", model)
        parts.append(per)
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True).reindex(columns=cols)


def training_curves(curves: pd.DataFrame, prefix: str | Path, dataset: str = "") -> list[Path]:
    """Validation loss and validation ratio Pearson per epoch, one line per seed, one column per model."""
    plt = _plt()
    models = [m for m in MODEL_ORDER if m in set(curves["model"])] or sorted(set(curves["model"]))
    fig, axes = plt.subplots(2, max(1, len(models)), figsize=(3.0 * max(1, len(models)), 5.4), squeeze=False,
                             sharex="col")
    for j, m in enumerate(models):
        d = curves[curves["model"] == m]
        for seed, ds in d.groupby("seed"):
            axes[0, j].plot(ds["epoch"], ds["val_loss"], marker=".", color=MODEL_COLORS.get(m, "grey"),
                            alpha=0.4 + 0.6 / (1 + seed), label=f"seed {seed}")
            axes[1, j].plot(ds["epoch"], ds["val_ratio_pearson"], marker=".", color=MODEL_COLORS.get(m, "grey"),
                            alpha=0.4 + 0.6 / (1 + seed))
        axes[0, j].set_title(MODEL_NAMES.get(m, m))
        axes[1, j].set_xlabel("epoch")
    axes[0, 0].set_ylabel("validation MSE (ln units)")
    axes[1, 0].set_ylabel("validation Pearson r, ln ratio")
    if len(models):
        axes[0, 0].legend(fontsize=6)
    fig.suptitle(f"{dataset} training curves".strip())
    fig.tight_layout()
    return save_figure(fig, prefix, curves)
