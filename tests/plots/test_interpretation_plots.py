"""Interpretation figures drawn from small synthetic tables: every figure writes PDF, PNG and its table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.plots import save_figure
from deepallele.plots import interpretation as P


@pytest.fixture
def main():
    rng = np.random.default_rng(0)
    n = 40
    eff = rng.normal(0, 1, n)
    return pd.DataFrame({"peak": [f"p{i}" for i in range(n)], "main_variant": [f"v{i}" for i in range(n)],
                         "effect": eff, "additive": eff + rng.normal(0, 0.2, n), "pred_ratio": eff * 1.1,
                         "trusted": rng.random(n) < 0.5, "in_motif": rng.random(n) < 0.8,
                         "cluster": rng.integers(0, 3, n),
                         "motif_name": rng.choice(["SPI1-like", "JUN-like", "cluster 2"], n)})


def _written(tmp_path, stem):
    return all((tmp_path / f"{stem}.{e}").stat().st_size > 0 for e in ("pdf", "png", "tsv"))


def test_s4_and_group_effects(tmp_path, main):
    fig, t = P.fig_main_variant_additive(main)
    save_figure(fig, tmp_path / "s4", t)
    assert _written(tmp_path, "s4") and t["main_pearson_r"].iloc[0] > 0.9
    fig, t = P.fig_group_effects(main)
    save_figure(fig, tmp_path / "g", t)
    assert set(t["group"]) <= {"SPI1-like", "JUN-like", "cluster 2", "Outside"}


def test_seed_correlation(tmp_path):
    corr = pd.DataFrame({"seed_pair": ["0-1"] * 5, "peak": list("abcde"), "r": [0.1, 0.5, 0.6, 0.9, np.nan]})
    fig, t = P.fig_seed_correlation(corr)
    save_figure(fig, tmp_path / "s3a", t)
    assert _written(tmp_path, "s3a")


def test_cluster_logos_and_named(tmp_path):
    rng = np.random.default_rng(1)
    summary = pd.DataFrame({"cluster": [0, 1, 2], "n_seqlets": [30, 20, 2], "centroid": [0, 1, 2], "width": [8, 6, 1],
                            "informative": [True, True, False]})
    cwms = {0: rng.normal(size=(4, 8)), 1: rng.normal(size=(4, 6)), 2: np.zeros((4, 1))}
    fig, t = P.fig_cluster_logos(summary, cwms, {0: "SPI1/SPIB"})
    save_figure(fig, tmp_path / "s3b", t)
    assert t["name"].tolist() == ["SPI1/SPIB", ""]
    clusters = pd.DataFrame({"peak": ["a", "b", "b", "c"], "cluster": [0, 0, 1, 0]})
    fig, t = P.fig_named_motifs(clusters, summary, {0: "SPI1/SPIB"}, 4)
    save_figure(fig, tmp_path / "s3c", t)
    assert t["percent_sequences"].tolist() == [75.0]


def test_pies_and_cluster_effects(tmp_path, main):
    groups = pd.DataFrame({"model": ["deepallele"] * 4 + ["ref_only"] * 2,
                           "group": ["SPI1-like", "JUN-like", "cluster 5", "Outside", "SPI1-like", "Outside"],
                           "n": [10, 3, 1, 2, 6, 10], "percent": [62.5, 18.75, 1.0, 12.5, 37.5, 62.5],
                           "slice": ["SPI1-like", "JUN-like", "Other<2%", "Outside", "SPI1-like", "Outside"]})
    fig, t = P.fig_group_pie(groups[groups["model"] == "deepallele"], 16)
    save_figure(fig, tmp_path / "pie", t)
    fig, t = P.fig_joint_pies(groups, 16, "reference-only")
    save_figure(fig, tmp_path / "pies", t)
    fig, t = P.fig_cluster_effects(main, {0: "SPI1-like"}, split="variant")
    save_figure(fig, tmp_path / "s5", t)
    assert _written(tmp_path, "pies") and set(t["cluster"]) <= {0, 1, 2}
    with pytest.raises(ValueError, match="seqlet table"):
        P.fig_cluster_effects(main, {0: "SPI1-like"})
    summary = pd.DataFrame({"cluster": [0, 1], "n_seqlets": [10, 4], "n_deepallele": [7, 1], "n_ref_only": [3, 3]})
    fig, t = P.fig_joint_clusters(summary, {0: "SPI1"}, "reference-only")
    save_figure(fig, tmp_path / "s6", t)
    assert t["n_deepallele"].tolist() == [7, 1]


def test_s5_splits_by_the_seqlet_sign_by_default():
    # 4 trusted sequences; three main variants in cluster 0: seqlets s1 (activating), s2 and s3
    # (repressive); variant effects all positive, so the two splits differ
    main = pd.DataFrame({"trusted": [True, True, True, True, False], "in_motif": [True, True, True, False, True],
                         "cluster": [0, 0, 0, -1, 0], "seqlet": ["s1", "s2", "s3", "", "s4"],
                         "effect": [0.5, 0.4, 0.3, 0.2, -0.9]})
    seqlets = pd.DataFrame({"seqlet": ["s1", "s2", "s3", "s4"], "mean_attr": [1.2, -0.7, -0.1, 2.0]})
    _, t = P.fig_cluster_effects(main, {0: "SPI1-like"}, seqlets=seqlets)
    row = t.iloc[0]
    assert (row["percent_positive"], row["percent_negative"]) == (25.0, 50.0)       # seqlet split, of 4 trusted
    assert (row["percent_variant_positive"], row["percent_variant_negative"]) == (75.0, 0.0)
    assert row["n"] == 3
    _, t = P.fig_cluster_effects(main, {0: "SPI1-like"}, seqlets=seqlets, split="variant")
    assert (t.iloc[0]["percent_positive"], t.iloc[0]["percent_negative"]) == (75.0, 0.0)


def test_s4ab_observed_vs_predicted(tmp_path):
    trusted = pd.DataFrame({"obs_ratio": [1.5, -2.0, 0.2, 1.2, -0.5], "pred_ratio": [0.8, -0.9, 0.1, -0.3, -0.2],
                            "z": [2.0, -2.2, 0.3, -0.8, -0.5], "trusted": [True, True, False, False, False]})
    fig, t = P.fig_observed_vs_predicted(trusted, 1.0, 1.65)
    save_figure(fig, tmp_path / "s4ab", t)
    assert _written(tmp_path, "s4ab")
    row = t.iloc[0]
    assert (row["n"], row["n_trusted"]) == (5, 2)
    assert row["pearson_all"] == pytest.approx(np.corrcoef(trusted["obs_ratio"], trusted["pred_ratio"])[0, 1])
    assert np.isnan(row["pearson_trusted"])   # two points: undefined


def test_s6b_pairs_the_two_models_seqlets_at_the_same_main_variant(tmp_path):
    jm = pd.DataFrame({"model": ["deepallele"] * 3 + ["ref_only"] * 3, "peak": ["a", "b", "c", "a", "b", "c"],
                       "main_variant": ["va", "vb", "vc"] * 2, "in_motif": [True, True, False, True, False, True],
                       "seqlet": ["da1", "da2", "", "ro1", "", "ro3"], "cluster": [0, 1, -1, 0, -1, 2],
                       "trusted": [True, False, True, True, False, True]})
    jc = pd.DataFrame({"model": ["deepallele", "deepallele", "ref_only", "ref_only"],
                       "seqlet": ["da1", "da2", "ro1", "ro3"], "mean_attr": [1.5, 0.4, 0.9, -0.3]})
    fig, t = P.fig_joint_effects(jm, jc, "reference-only", "ref_only")
    save_figure(fig, tmp_path / "s6b", t)
    assert _written(tmp_path, "s6b")
    # only peak a has its main variant in a seqlet of both models
    assert t.to_dict("records") == [{"peak": "a", "main_variant": "va", "trusted": True, "cluster_deepallele": 0,
                                     "cluster_ref_only": 0, "mean_attr_deepallele": 1.5, "mean_attr_ref_only": 0.9}]


def test_pie_title_counts_the_sequences_in_the_pie():
    groups = pd.DataFrame({"group": ["SPI1-like", "Outside"], "n": [6, 2], "percent": [75.0, 25.0],
                           "slice": ["SPI1-like", "Outside"]})
    fig, _ = P.fig_group_pie(groups, 10)
    assert fig.axes[0].get_title() == "DeepAllele: main variants of 8 trusted sequences (of 10; 2 without a main variant)"


def test_locus_and_comparison(tmp_path):
    rng = np.random.default_rng(2)
    length = 50
    x = np.zeros((2, 4, length))
    x[0, rng.integers(0, 4, length), np.arange(length)] = 1
    x[1] = x[0]
    x[1, :, 45:] = 0
    attr = rng.normal(0, 0.1, (2, 4, length))
    variants = pd.DataFrame({"id": ["v1", "v2"], "kind": ["snp", "snp"], "ref_pos": [10, 30], "alt_pos": [10, 30],
                             "ref_edit": ["A", "C"], "alt_edit": ["G", "T"], "effect": [0.8, -0.1]})
    seqlets = pd.DataFrame({"allele": [0, 1], "start": [8, 28], "end": [14, 33], "cluster": [0, 1]})
    fig, t = P.fig_locus("peak1", attr, x, variants, seqlets, {0: "SPI1-like"}, "v1", 1.5, 1.2)
    save_figure(fig, tmp_path / "locus", t)
    assert t["main"].tolist() == [True, False]
    fig, t = P.fig_model_comparison("peak1", attr, attr * 0.5, x, seqlets, seqlets.iloc[:1], "reference-only")
    save_figure(fig, tmp_path / "cmp", t)
    assert len(t) == 3 and _written(tmp_path, "cmp")
