"""Main variants in seqlets and TF-like groups (hand-made tables)."""
from __future__ import annotations

import pandas as pd
import pytest

from deepallele.motifs.groups import (OTHER, OUTSIDE, group_shares, tf_like_groups, top_group, trusted_group_shares,
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
