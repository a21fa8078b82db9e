"""Interpretation against the simulator's truth: matching, goals and statuses (hand-made tables)."""
from __future__ import annotations

import pandas as pd
import pytest

from deepallele.validation.interpret import (group_cluster_names, interpretation_metrics, match_regions,
                                             truth_attribution_metrics)


def test_match_regions():
    regions = pd.DataFrame({"region_id": ["r0", "r1"], "chrom": ["chr1", "chr2"], "summit": [150, 40]})
    hit = match_regions(["chr1", "chr1", "chr2"], [100, 300, 0], [200, 400, 100], regions)
    assert hit.tolist() == [0, -1, 1]


def test_interpretation_metrics():
    main = pd.DataFrame({"peak": ["p0", "p1", "p2", "p3"], "main_variant": ["a", "x", "c", "d"],
                         "effect": [1.0, 0.5, -1.0, 0.2], "in_motif": [True, True, False, True],
                         "trusted": [True, True, True, False]})
    regions = pd.DataFrame({"region_id": ["r0", "r1", "r2", "r3"], "main_causal_variant": ["a", "b", "c", "d"]})
    variants = pd.DataFrame({"variant_id": ["a", "b", "c", "d", "x"], "effect": [1.2, 0.8, -0.9, 0.3, 0.0],
                             "causal": [True, True, True, True, False], "planted_site": ["SPI1", "SPI1", "", "", ""]})
    t = interpretation_metrics(main, regions, variants, "SPI1-like", "SPI1",
                               {"p0": "r0", "p1": "r1", "p2": "r2", "p3": "r3"}).set_index("metric")
    assert t.loc["main_variant_is_causal", "value"] == pytest.approx(2 / 3, abs=1e-3)
    assert t.loc["main_variant_in_motif", "value"] == pytest.approx(2 / 3, abs=1e-3)
    assert t.loc["top_tf_group", "status"] == "pass" and t.loc["n_trusted", "value"] == 3
    assert t.loc["main_variant_in_planted_site", "value"] == pytest.approx(1 / 3, abs=1e-3)
    # three trusted sequences with a causal variant cannot decide a goal that needs 20
    assert t.loc["main_variant_is_causal", ["goal", "n", "status"]].tolist() == [">= 0.8", 3, "insufficient"]
    assert t.loc["main_variant_in_motif", "status"] == "insufficient"
    assert t.loc["main_variant_is_causal_all", "goal"] == "context (4 sequences with a causal variant)"
    assert t.loc["main_variant_effect_r", "status"] == "context"


def _trusted_sequences(n_causal: int, n_right: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """``n_causal`` trusted sequences whose region has a causal variant; ``n_right`` have it as main variant."""
    peaks = [f"p{i}" for i in range(n_causal)]
    main = pd.DataFrame({"peak": peaks, "main_variant": [f"v{i}" if i < n_right else "x" for i in range(n_causal)],
                         "effect": [float(i) for i in range(n_causal)], "in_motif": True, "trusted": True})
    regions = pd.DataFrame({"region_id": [f"r{i}" for i in range(n_causal)],
                            "main_causal_variant": [f"v{i}" for i in range(n_causal)]})
    variants = pd.DataFrame({"variant_id": [f"v{i}" for i in range(n_causal)] + ["x"],
                             "effect": [float(i) for i in range(n_causal)] + [0.0],
                             "causal": [True] * n_causal + [False], "planted_site": ""})
    return main, regions, variants, {p: f"r{i}" for i, p in enumerate(peaks)}


def test_main_variant_goals_are_decided_from_20_sequences():
    # 18 of 20: 0.9 >= 0.8 passes, with the Wilson interval of 18/20
    main, regions, variants, of_peak = _trusted_sequences(20, 18)
    t = interpretation_metrics(main, regions, variants, "SPI1-like", "SPI1", of_peak).set_index("metric")
    assert t.loc["main_variant_is_causal", ["value", "n", "status"]].tolist() == [0.9, 20, "pass"]
    assert t.loc["main_variant_is_causal", "ci_low"] == pytest.approx(0.698966, abs=1e-6)
    # 15 of 20 (0.75) misses; 18 of 19 would pass the threshold but is insufficient
    main, regions, variants, of_peak = _trusted_sequences(20, 15)
    assert interpretation_metrics(main, regions, variants, "SPI1-like", "SPI1", of_peak).set_index("metric").loc[
        "main_variant_is_causal", "status"] == "miss"
    main, regions, variants, of_peak = _trusted_sequences(19, 18)
    assert interpretation_metrics(main, regions, variants, "SPI1-like", "SPI1", of_peak).set_index("metric").loc[
        "main_variant_is_causal", "status"] == "insufficient"


def test_top_tf_group_accepts_factors_the_truth_cannot_tell_apart():
    main = pd.DataFrame({"peak": ["p0"], "main_variant": ["a"], "effect": [1.0], "in_motif": [True], "trusted": [True]})
    regions = pd.DataFrame({"region_id": ["r0"], "main_causal_variant": ["a"]})
    variants = pd.DataFrame({"variant_id": ["a"], "effect": [1.2], "causal": [True], "planted_site": ["ETS1"]})

    def top(group, equivalents=(), names=()):
        t = interpretation_metrics(main, regions, variants, group, "ETS1", {"p0": "r0"},
                                   primary_equivalents=equivalents, top_group_names=names).set_index("metric")
        return t.loc["top_tf_group", "status"] == "pass", t.loc["top_tf_group", "goal"]

    assert top("ERG-like") == (False, "ETS1-like, or a group whose clusters are named ETS1 (TomTom q < 0.05, "
                                      "best four)")
    ok, goal = top("ERG-like", ("ERG",))
    assert ok and goal.startswith("ETS1-like (or ERG-like: TomTom ranks them above ETS1")
    assert top("ETS1-like", ("ERG",))[0] and not top("FEV-like", ("ERG",))[0]


def test_top_tf_group_passes_when_its_clusters_are_named_after_the_primary():
    main = pd.DataFrame({"peak": ["p0"], "main_variant": ["a"], "effect": [1.0], "in_motif": [True], "trusted": [True]})
    regions = pd.DataFrame({"region_id": ["r0"], "main_causal_variant": ["a"]})
    variants = pd.DataFrame({"variant_id": ["a"], "effect": [1.2], "causal": [True], "planted_site": ["ETS1"]})
    cluster_groups = pd.DataFrame({"model": "deepallele", "cluster": [0, 3, 5], "group": ["FEV-like", "RUNX1-like",
                                                                                           "FEV-like"]})
    cluster_names = pd.DataFrame({"cluster": [0, 3, 5], "name": ["FEV/ERG/ELK3/ETS1", "RUNX1/RUNX2", "FEV/ELK3"]})

    def table(group):
        names = group_cluster_names(cluster_groups, cluster_names, group)
        return interpretation_metrics(main, regions, variants, group, "ETS1", {"p0": "r0"},
                                      top_group_names=names).set_index("metric")

    # the FEV-like group's clusters 0 and 5: ETS1 is among cluster 0's names
    assert group_cluster_names(cluster_groups, cluster_names, "FEV-like") == ("FEV", "ERG", "ELK3", "ETS1")
    t = table("FEV-like")
    assert t.loc["top_tf_group", "status"] == "pass" and t.loc["top_tf_group_names", "value"] == "FEV/ERG/ELK3/ETS1"
    assert not t.loc["top_tf_group_is_primary", "value"] and t.loc["top_tf_group_is_primary", "status"] == "context"
    # a group named without the primary fails, and so does no group at all
    assert table("RUNX1-like").loc["top_tf_group", "status"] == "miss"
    assert group_cluster_names(cluster_groups, cluster_names, "") == ()
    t = table("")
    assert t.loc["top_tf_group", "status"] == "miss" and t.loc["top_tf_group", "value"] == "(none)"


def test_truth_attribution_metrics_use_the_largest_named_cluster():
    summary = pd.DataFrame({"cluster": [0, 1, 2], "n_seqlets": [40, 90, 25]})
    matches = pd.DataFrame({"cluster": ["cluster0", "cluster0", "cluster1", "cluster1", "cluster2"],
                            "rank": [0, 1, 0, 1, 0], "target": ["SPI1", "SPIB", "GABPA", "SPI1", "CTCF"],
                            "q": [1e-9, 1e-5, 0.2, 0.3, 1e-4]})
    # cluster 1 is the largest but named by nothing at q < 0.05; cluster 0 comes next
    t = truth_attribution_metrics(summary, matches, "SPI1").set_index("metric")
    assert t.loc["truth_attr_top_match", "value"] == "SPI1"
    assert t.loc["truth_attr_top_match", "goal"] == ("context: SPI1 (largest named cluster of the true attributions, "
                                                     "40 seqlets)")
    assert (t["status"] == "context").all()
    assert t.loc["truth_attr_primary_rank", "value"] == 1
    matches.loc[1, "q"] = 1e-12
    matches.loc[0:1, "rank"] = [1, 0]
    t = truth_attribution_metrics(summary, matches, "SPI1", primary_equivalents=("SPIB",)).set_index("metric")
    assert t.loc["truth_attr_top_match", "value"] == "SPIB"
    assert t.loc["truth_attr_top_match", "goal"].startswith("context: SPI1 or SPIB (")
    assert t.loc["truth_attr_primary_rank", "value"] == 2
    t = truth_attribution_metrics(summary, matches.iloc[:0], "SPI1").set_index("metric")
    assert t.loc["truth_attr_top_match", "value"] == "(none)"
