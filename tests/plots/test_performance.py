"""Performance figures on toy tables: plotted numbers, files, axis labels."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from deepallele.plots import performance as pf


def _table():
    rows = []
    values = {"deepallele": (0.6, 0.4), "direct": (0.62, 0.3), "ref_only": (0.58, 0.2), "two_genome": (0.6, 0.25)}
    for model, (count, ratio) in values.items():
        for seed, delta in ((0, -0.02), (1, 0.0), (2, 0.02)):
            for target, v in (("count", count), ("ratio", ratio)):
                rows.append({"dataset": "d", "model": model, "seed": seed, "split": "test", "target": target,
                             "pearson": v + delta, "spearman": v + delta / 2, "n": 100})
    return pd.DataFrame(rows)


def test_bar_data_mean_sd_and_seeds():
    d = pf.bar_data(_table(), "ratio", "pearson", pf.MAIN_MODELS, "test")
    assert list(dict.fromkeys(d["model"])) == ["ref_only", "two_genome", "deepallele"]   # alt_only absent
    da = d[d["model"] == "deepallele"]
    assert da["value"].tolist() == pytest.approx([0.38, 0.40, 0.42])
    assert da["mean"].iloc[0] == pytest.approx(0.40) and da["sd"].iloc[0] == pytest.approx(0.02)
    assert da["label"].iloc[0] == "DeepAllele"


@pytest.mark.parametrize("fig, n_rows", [("fig1c_counts", 9), ("fig1d_ratio", 9), ("figS2_spearman", 18),
                                         ("figS2_direct", 12)])
def test_bar_figures_written(fig, n_rows, tmp_path):
    paths = getattr(pf, fig)(_table(), tmp_path / fig, dataset="d")
    assert [p.name for p in paths] == [f"{fig}.pdf", f"{fig}.png", f"{fig}.tsv"]
    assert all(p.stat().st_size > 0 for p in paths)
    tsv = pd.read_csv(tmp_path / f"{fig}.tsv", sep="\t")
    assert len(tsv) == n_rows and {"model", "seed", "value", "mean", "sd"} <= set(tsv.columns)


def test_axis_labels_say_ln():
    assert all("ln" in label for label in pf.YLABEL.values())


def test_training_curves_from_histories(tmp_path):
    logs = {}
    for model in ("deepallele", "ref_only"):
        for seed in (0, 1):
            p = tmp_path / f"{model}{seed}.tsv"
            pd.DataFrame({"epoch": [0, 1, 2], "train_loss": [3, 2, 1], "val_loss": [2.0, 1.5, 1.4],
                          "val_ratio_pearson": [0.1, 0.2, 0.3]}).to_csv(p, sep="\t", index=False)
            logs[(model, seed)] = p
    csv = tmp_path / "metrics.csv"  # Lightning layout: train and val rows of an epoch apart
    pd.DataFrame({"epoch": [0, 0], "step": [4, 4], "train_loss": [math.nan, 2.0], "val_loss": [1.0, math.nan],
                  "val_ratio_pearson": [0.5, math.nan]}).to_csv(csv, index=False)
    logs[("direct", 0)] = csv
    curves = pf.read_training_logs(logs)
    assert len(curves) == 4 * 3 + 1
    d = curves[curves["model"] == "direct"].iloc[0]
    assert d["val_loss"] == 1.0 and d["train_loss"] == 2.0 and d["val_ratio_pearson"] == 0.5
    paths = pf.training_curves(curves, tmp_path / "training_curves", dataset="d")
    assert all(p.exists() for p in paths) and len(paths) == 3
