"""Main variants in seqlets and TF-like groups (hand-made tables)."""
from __future__ import annotations

import pandas as pd
import pytest

from deepallele.motifs.groups import (MAIN_VARIANT_TABLE_COLUMNS, OTHER, OUTSIDE, group_shares, locate_main_variants,
                                      main_variant_table, tf_like_groups, top_group, trusted_group_shares,
                                      variant_span, variants_in_seqlets)


def test_variant_span():
    assert variant_span(5, "A") == (5, 5) and variant_span(5, "AGT") == (5, 7) and variant_span(5, "") == (4, 5)


def test_variants_in_seqlets_both_alleles():
    main = pd.DataFrame({"peak_index": [0, 1, 2], "main_variant": ["a", "b", "c"], "ref_pos": [10, 30, 5],
                         "alt_pos": [12, 40, 5], "ref_edit": ["A", "G", "C"], "alt_edit": ["C", "T", "G"]})
    seqlets = pd.DataFrame({"seqlet": ["s0", "s1", "s2", "s3"], "row": [0, 0, 1, 1], "allele": [0, 0, 1, 0],
                            "start": [8, 9, 38, 0], "end": [11, 20, 45, 3], "cluster": [4, 7, 2, 9]})
    out = variants_in_seqlets(main, seqlets)
    assert out["in_motif"].tolist() == [True, True, False]
    assert out["cluster"].tolist()[:2] == [4, 2]  # peak 1: only in the strain allele's coordinates
    assert out["cluster"].iloc[2] == -1 and out["seqlet"].iloc[2] == ""


def test_tf_like_groups_paper_and_code():
    matches = pd.DataFrame({"cluster": [0, 0, 1, 2, 3], "target": ["SPI1", "SPIB", "SPIB", "JUN", "SPI1"],
                            "p": [1e-8, 1e-6, 1e-9, 1e-4, 0.01], "q": [1e-6, 1e-4, 1e-7, 0.01, 0.2]})
    # paper: weight = seqlets; SPI1: 100*8 = 800; SPIB: 100*6 + 10*9 = 690; JUN: 4*5 = 20
    labels = tf_like_groups(matches, {0: 100, 1: 10, 2: 5, 3: 50})
    assert labels == {0: "SPI1-like", 1: "SPIB-like", 2: "JUN-like"}  # cluster 3 has q = 0.2
    # code: weight = % main variants and p < 0.05 (cluster 3 now counts)
    labels = tf_like_groups(matches, {0: 1.0, 1: 30.0, 2: 5.0, 3: 40.0}, mode="code")
    assert labels[1] == "SPIB-like" and labels[0] == "SPIB-like" and labels[3] == "SPI1-like"


def test_group_shares_pie():
    assigned = pd.DataFrame({"in_motif": [True] * 7 + [False] * 2 + [True],
                             "cluster": [0, 0, 0, 0, 1, 1, 2, -1, -1, 5]})
    shares = group_shares(assigned, {0: "SPI1-like", 1: "SPI1-like", 2: "JUN-like"}, min_share=15.0)
    assert shares["group"].tolist() == ["SPI1-like", "JUN-like", "cluster 5", OUTSIDE]
    assert shares["percent"].tolist() == [60.0, 10.0, 10.0, 20.0]
    assert shares["slice"].tolist() == ["SPI1-like", OTHER, OTHER, OUTSIDE]
    assert top_group(shares) == "SPI1-like"


def test_trusted_pie_leaves_out_sequences_without_a_main_variant():
    # 4 located sequences (p0-p3), of which p0-p2 are trusted; trusted p8 and p9 have no main
    # variant (no row): they enter no slice, so they leave the denominator and are counted
    located = pd.DataFrame({"peak": ["p0", "p1", "p2", "p3"], "in_motif": [True, True, False, True],
                            "cluster": [0, 0, -1, 1]})
    shares, n_excluded = trusted_group_shares(located, {"p0", "p1", "p2", "p8", "p9"}, {0: "SPI1-like"},
                                              min_share=0.0)
    assert n_excluded == 2
    assert dict(zip(shares["group"], shares["n"])) == {"SPI1-like": 2, OUTSIDE: 1}
    assert shares["percent"].sum() == pytest.approx(100.0)
    assert shares.set_index("group").loc["SPI1-like", "percent"] == pytest.approx(200 / 3)


def _toy_main():
    # three sequences, each with its main variant at position 10 of both alleles
    return pd.DataFrame({"peak_index": [0, 1, 2], "peak": ["p0", "p1", "p2"], "main_variant": ["a", "b", "c"],
                         "effect": [1.0, -0.5, 0.2], "kind": ["snp"] * 3, "ref_pos": [10] * 3, "alt_pos": [10] * 3,
                         "ref_edit": ["A"] * 3, "alt_edit": ["C"] * 3, "n_variants": [1, 2, 1],
                         "additive": [1.0, -0.7, 0.2], "pred_ratio": [1.1, -0.6, 0.3]})


def test_locate_main_variants_in_each_models_motifs():
    # DeepAllele's seqlets: p0 in cluster 0, p1 in cluster 1; ref_only's: p0 in cluster 1
    seqlets = pd.DataFrame({"model": ["deepallele", "deepallele", "ref_only"], "seqlet": ["s0", "s1", "s2"],
                            "row": [0, 1, 0], "allele": [0, 0, 1], "start": [8, 9, 5], "end": [12, 11, 10],
                            "cluster": [0, 1, 1]})
    summary = pd.DataFrame({"cluster": [0, 1], "n_seqlets": [10, 5]})
    matches = pd.DataFrame({"cluster": [0, 1], "target": ["SPI1", "JUN"], "p": [1e-7, 1e-4], "q": [1e-5, 1e-3]})
    trusted = pd.DataFrame({"peak": ["p0", "p1", "p2"], "trusted": [True, False, True]})
    located, shares, labels = locate_main_variants(_toy_main(), seqlets, summary, matches, trusted,
                                                   ["deepallele", "ref_only"], min_share=0.0)
    by_model = {m: g.set_index("peak") for m, g in located.groupby("model")}
    # the pie groups only clusters with a trusted main variant (cluster 0 for DeepAllele); p1 (not trusted)
    # is named from the grouping over every cluster (SPI1 10 x 7 = 70 before JUN 5 x 4 = 20)
    assert by_model["deepallele"]["motif_name"].to_dict() == {"p0": "SPI1-like", "p1": "JUN-like", "p2": ""}
    assert by_model["ref_only"]["motif_name"].to_dict() == {"p0": "JUN-like", "p1": "", "p2": ""}
    assert by_model["deepallele"]["in_named_motif"].tolist() == [True, True, False]
    assert located["trusted"].tolist() == [True, False, True] * 2 and located.columns[0] == "model"
    assert labels.values.tolist() == [["deepallele", 0, "SPI1-like"], ["ref_only", 1, "JUN-like"]]
    assert shares[["model", "group", "n", "percent"]].values.tolist() == [
        ["deepallele", "SPI1-like", 1, 50.0], ["deepallele", OUTSIDE, 1, 50.0],
        ["ref_only", "JUN-like", 1, 50.0], ["ref_only", OUTSIDE, 1, 50.0]]
    table = main_variant_table(located)
    assert list(table.columns) == MAIN_VARIANT_TABLE_COLUMNS and table["peak"].tolist() == ["p0", "p1", "p2"]
    assert table["in_motif"].tolist() == [True, True, False]
