"""Per-sequence attribution correlation and the validation against truth (hand-made tables)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.interpret.correlation import per_sequence_correlation
from deepallele.interpret.validate import (group_cluster_names, interpretation_metrics, match_regions,
                                          truth_attribution_metrics)


def test_per_sequence_correlation():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 2, 4, 10))
    b = a.copy()
    b[1] *= -1
    b[2] = rng.normal(size=(2, 4, 10))
    r = per_sequence_correlation(a, b)
    assert r[0] == pytest.approx(1) and r[1] == pytest.approx(-1) and abs(r[2]) < 0.5
    x = np.zeros((3, 2, 4, 10))
    x[:, :, 0, :] = 1
    assert per_sequence_correlation(a, 2 * a, x, reference_only=True) == pytest.approx([1, 1, 1])
    assert np.isnan(per_sequence_correlation(np.zeros((1, 2, 4, 3)), a[:1, :, :, :3])[0])


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
    assert not t.loc["main_variant_is_causal", "pass"]
    assert t.loc["main_variant_in_motif", "value"] == pytest.approx(2 / 3, abs=1e-3)
    assert t.loc["top_tf_group", "pass"] and t.loc["n_trusted", "value"] == 3
    assert t.loc["main_variant_in_planted_site", "value"] == pytest.approx(1 / 3, abs=1e-3)


def test_top_tf_group_accepts_factors_the_truth_cannot_tell_apart():
    main = pd.DataFrame({"peak": ["p0"], "main_variant": ["a"], "effect": [1.0], "in_motif": [True], "trusted": [True]})
    regions = pd.DataFrame({"region_id": ["r0"], "main_causal_variant": ["a"]})
    variants = pd.DataFrame({"variant_id": ["a"], "effect": [1.2], "causal": [True], "planted_site": ["ETS1"]})

    def top(group, equivalents=(), names=()):
        t = interpretation_metrics(main, regions, variants, group, "ETS1", {"p0": "r0"},
                                   primary_equivalents=equivalents, top_group_names=names).set_index("metric")
        return t.loc["top_tf_group", "pass"], t.loc["top_tf_group", "goal"]

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
    assert t.loc["top_tf_group", "pass"] and t.loc["top_tf_group_names", "value"] == "FEV/ERG/ELK3/ETS1"
    assert not t.loc["top_tf_group_is_primary", "pass"]
    # a group named without the primary fails, and so does no group at all
    assert not table("RUNX1-like").loc["top_tf_group", "pass"]
    assert group_cluster_names(cluster_groups, cluster_names, "") == ()
    t = table("")
    assert not t.loc["top_tf_group", "pass"] and t.loc["top_tf_group", "value"] == "(none)"


def test_truth_attribution_metrics_use_the_largest_named_cluster():
    summary = pd.DataFrame({"cluster": [0, 1, 2], "n_seqlets": [40, 90, 25]})
    matches = pd.DataFrame({"cluster": ["cluster0", "cluster0", "cluster1", "cluster1", "cluster2"],
                            "rank": [0, 1, 0, 1, 0], "target": ["SPI1", "SPIB", "GABPA", "SPI1", "CTCF"],
                            "q": [1e-9, 1e-5, 0.2, 0.3, 1e-4]})
    # cluster 1 is the largest but named by nothing at q < 0.05; cluster 0 comes next
    t = truth_attribution_metrics(summary, matches, "SPI1").set_index("metric")
    assert t.loc["truth_attr_top_match", "value"] == "SPI1" and t.loc["truth_attr_top_match", "pass"]
    assert "40 seqlets" in t.loc["truth_attr_top_match", "goal"]
    assert t.loc["truth_attr_primary_rank", "value"] == 1
    matches.loc[1, "q"] = 1e-12
    matches.loc[0:1, "rank"] = [1, 0]
    t = truth_attribution_metrics(summary, matches, "SPI1", primary_equivalents=("SPIB",)).set_index("metric")
    assert t.loc["truth_attr_top_match", "value"] == "SPIB" and t.loc["truth_attr_top_match", "pass"]
    assert t.loc["truth_attr_primary_rank", "value"] == 2 and not t.loc["truth_attr_primary_rank", "pass"]
    t = truth_attribution_metrics(summary, matches.iloc[:0], "SPI1").set_index("metric")
    assert t.loc["truth_attr_top_match", "value"] == "(none)" and not t.loc["truth_attr_top_match", "pass"]
