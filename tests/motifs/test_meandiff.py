"""MeanDiff on hand-built sequences: FIMO hits, delta scores, the three tests, BH, per-sequence
directions, the DeepAllele comparison and the validation table.

The sequences are a T background with an 8 bp motif (GGAAGTGA, a near-deterministic PWM)
planted in the reference allele only, the strain allele only, both or neither, so every delta
score is known exactly: the consensus hit's FIMO score, log2(0.97 + eps) - log2(0.25) summed
over the 8 positions.
"""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from deepallele.alphabet import one_hot
from deepallele.motifs import meandiff as md
from deepallele.motifs.validate import validate_meandiff

L = 60
SITE = "GGAAGTGA"
EPS = 1e-4


def pwm(consensus: str, p: float = 0.97) -> np.ndarray:
    out = np.full((4, len(consensus)), (1 - p) / 3)
    out[["ACGT".index(c) for c in consensus], np.arange(len(consensus))] = p
    return out


MOTIFS = {"SITE": pwm(SITE), "NEVER": pwm("CGCGCGCGCG")}
SITE_SCORE = len(SITE) * (np.log2(0.97 + EPS) - np.log2(0.25))


def codes(seq: str, length: int = L) -> np.ndarray:
    out = np.full(length, 5, dtype=np.uint8)
    out[:len(seq)] = ["ACGTN".index(c) for c in seq]
    return out


def with_site(pos: int | None, length: int = L, site: str = SITE) -> str:
    s = ["T"] * length
    if pos is not None:
        s[pos:pos + len(site)] = site
    return "".join(s)


def revcomp(seq: str) -> str:
    return seq[::-1].translate(str.maketrans("ACGT", "TGCA"))


# ref-only (delta +S, ratio ~ +1.2), alt-only (delta -S, ratio ~ -1.1), both (delta 0), neither (NaN)
RATIO_REF_ONLY = np.array([1.2, 1.4, 1.05, 1.6, 1.1, 1.3, 1.5, 1.0])
RATIO_ALT_ONLY = np.array([-1.1, -1.05, -1.4, -1.2, -1.15, -1.3, -1.0, -1.25])
RATIO_BOTH = np.array([0.1, -0.2])
RATIO_NEITHER = np.array([0.3, -0.4, 2.0])
RATIO_OPPOSITE = np.array([-1.5])  # motif in ref only, yet the alt allele is stronger


@pytest.fixture(scope="module")
def pairs() -> md.PairSet:
    ref, alt, ratio = [], [], []
    for i, r in enumerate(RATIO_REF_ONLY):
        ref.append(with_site(5 + i)), alt.append(with_site(None)), ratio.append(r)
    for i, r in enumerate(RATIO_ALT_ONLY):
        # half of them on the reverse strand: the same score
        alt.append(with_site(10 + i) if i % 2 else revcomp(with_site(10 + i))), ref.append(with_site(None))
        ratio.append(r)
    for r in RATIO_BOTH:
        ref.append(with_site(20)), alt.append(with_site(30)), ratio.append(r)
    for r in RATIO_NEITHER:
        ref.append(with_site(None)), alt.append(with_site(None)), ratio.append(r)
    for r in RATIO_OPPOSITE:
        ref.append(with_site(40)), alt.append(with_site(None)), ratio.append(r)
    n = len(ratio)
    return md.PairSet(np.stack([codes(s) for s in ref]), np.stack([codes(s) for s in alt]), np.array(ratio),
                      np.array([f"p{i}" for i in range(n)], dtype=object), "test")


@pytest.fixture(scope="module")
def scan(pairs) -> md.Scan:
    return md.scan_pairs(MOTIFS, pairs, bin_size=0.1, eps=EPS)


GROUPS = {"ref_only": slice(0, 8), "alt_only": slice(8, 16), "both": slice(16, 18), "neither": slice(18, 21),
          "opposite": slice(21, 22)}


def test_fimo_input_padding_and_n_are_zero():
    x = one_hot(np.array([[0, 1, 2, 3, 4, 5]], dtype=np.uint8), n=0, dtype=np.int8)   # as fimo_hits encodes
    assert x.shape == (1, 4, 6) and x.dtype == np.int8
    np.testing.assert_array_equal(x[0, :, :4], np.eye(4, dtype=np.int8))
    assert not x[0, :, 4:].any()
    np.testing.assert_array_equal(md.sequence_lengths(np.array([[0, 1, 5, 5], [0, 1, 2, 3]], dtype=np.uint8)), [2, 4])


def test_threshold_is_alpha_over_length():
    assert md.scan_threshold(551) == pytest.approx(9.07e-5, rel=1e-3)
    assert md.scan_threshold(330) == pytest.approx(1.52e-4, rel=1e-2)


def test_fimo_finds_the_site_on_both_strands(pairs):
    hits = md.fimo_hits(MOTIFS, pairs.alt_codes[GROUPS["alt_only"]], md.scan_threshold(L), eps=EPS)
    assert set(hits["motif_idx"]) == {0}
    # one hit per sequence, at the planted position, on the strand it was planted on
    assert sorted(hits["sequence"]) == list(range(8))
    hits = hits.sort_values("sequence")
    np.testing.assert_array_equal(hits["strand"], ["-", "+"] * 4)
    np.testing.assert_array_equal(hits["start"], [10 + i if i % 2 else L - 18 - i for i in range(8)])
    np.testing.assert_allclose(hits["score"], SITE_SCORE, rtol=1e-6)


def test_hits_running_into_padding_are_dropped():
    # the site's last 3 bases fall in the padding of a 55 bp sequence
    seq = codes(with_site(50)[:55])
    seq[55:] = 5
    full = codes(with_site(50))
    both = np.stack([seq, full])
    hits = md.fimo_hits(MOTIFS, both, md.scan_threshold(L), eps=EPS)
    assert list(hits["sequence"]) == [1]


def test_delta_scores_are_known(scan):
    d = scan.delta[0]
    np.testing.assert_allclose(d[GROUPS["ref_only"]], SITE_SCORE, rtol=1e-5)
    np.testing.assert_allclose(d[GROUPS["alt_only"]], -SITE_SCORE, rtol=1e-5)
    np.testing.assert_allclose(d[GROUPS["both"]], 0.0, atol=1e-5)
    assert np.isnan(d[GROUPS["neither"]]).all()
    assert np.isnan(scan.delta[1]).all()  # NEVER has no hit anywhere
    assert scan.ref_counts[0, GROUPS["both"]].tolist() == [1, 1]


def test_meandiff_matches_welch_by_hand(scan):
    res = md.meandiff_test(scan.delta[0], scan.ratio)
    pos = np.r_[RATIO_REF_ONLY, RATIO_OPPOSITE]
    neg = RATIO_ALT_ONLY
    v1, v2 = pos.var(ddof=1) / pos.size, neg.var(ddof=1) / neg.size
    t = (pos.mean() - neg.mean()) / np.sqrt(v1 + v2)
    dof = (v1 + v2) ** 2 / (v1 ** 2 / (pos.size - 1) + v2 ** 2 / (neg.size - 1))
    p = 2 * stats.t.sf(abs(t), dof)
    assert (res["n_pos"], res["n_neg"]) == (9, 8)
    assert res["t"] == pytest.approx(t) and res["p"] == pytest.approx(p)
    assert res["mean_ratio_pos"] == pytest.approx(pos.mean())


def test_meandiff_without_two_sides_is_p_one():
    res = md.meandiff_test(np.array([1.0, 2.0, np.nan, -1.0]), np.array([1.0, 2.0, 3.0, 4.0]))
    assert res["p"] == 1.0 and np.isnan(res["t"])


def test_correlation_and_maggie(scan):
    d, y = scan.delta[0], scan.ratio
    co = md.correlation_test(d, y)
    have = np.isfinite(d)
    assert co["n"] == 19
    assert co["r"] == pytest.approx(stats.pearsonr(d[have], y[have]).statistic)
    affected = np.abs(y) >= 1
    mg = md.maggie_test(d, y, affected)
    x = np.sign(y[affected]) * np.nan_to_num(d[affected])
    assert mg["p"] == pytest.approx(stats.wilcoxon(x).pvalue)
    assert mg["effect"] == pytest.approx(x.mean())


def test_bh_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.5, np.nan])
    # sorted 0.01, 0.03, 0.04, 0.5, 1 (NaN -> 1), m = 5: p * m / rank = 0.05, 0.075, 0.0667, 0.625, 1,
    # then the running minimum from the largest p down
    expected = np.array([0.05, 0.2 / 3, 0.2 / 3, 0.625, 1.0])
    np.testing.assert_allclose(md.bh_qvalues(p), expected)


def test_motif_tests_rank_and_bh(scan):
    tests = md.motif_tests(scan)
    assert tests["motif"].tolist() == ["SITE", "NEVER"] and tests["rank"].tolist() == [1, 2]
    site, never = tests.iloc[0], tests.iloc[1]
    p = md.meandiff_test(scan.delta[0], scan.ratio)["p"]
    assert site["meandiff_p"] == pytest.approx(p)
    assert site["meandiff_q"] == pytest.approx(min(1.0, 2 * p))  # BH over 2 motifs, the other p = 1
    assert site["significant_meandiff"] and site["meandiff_t"] > 0
    assert never["meandiff_p"] == 1.0 and never["meandiff_q"] == 1.0 and not never["significant_meandiff"]
    assert (site["n_hit_ref"], site["n_hit_alt"], site["n_with_delta"]) == (11, 10, 19)
    # affected sequences changed in the direction of the association: 8 ref-only sites with
    # ratio > 0, 8 alt-only with ratio < 0; sequence 21 is the opposite one (same counts as the
    # per-sequence directions of test_sequence_effects_and_directions, SITE being the only motif)
    assert (site["n_consistent"], site["n_opposite"]) == (16, 1)
    assert (never["n_consistent"], never["n_opposite"]) == (0, 0)
    halved = md.motif_tests(scan, halve_p=True)
    assert halved.iloc[0]["meandiff_p"] == pytest.approx(p / 2) and halved.iloc[1]["meandiff_p"] == 1.0


def test_sequence_effects_and_directions(scan):
    tests = md.motif_tests(scan)
    eff = md.sequence_effects(scan, tests)
    pe = eff["predicted_effect"].to_numpy()
    np.testing.assert_allclose(pe[GROUPS["ref_only"]], SITE_SCORE, rtol=1e-5)
    np.testing.assert_allclose(pe[GROUPS["alt_only"]], -SITE_SCORE, rtol=1e-5)
    assert np.isnan(pe[GROUPS["neither"]]).all()
    d = eff["direction"].to_numpy()
    assert set(d[GROUPS["ref_only"]]) == {"Same direction"} and set(d[GROUPS["alt_only"]]) == {"Same direction"}
    assert d[21] == "Opposite direction"
    assert d[18:21].tolist() == ["", "", "No motif hit"]   # only |ratio| >= 1 is affected
    assert set(d[GROUPS["both"]]) == {""}
    summary = md.direction_summary(eff)
    assert summary.set_index("direction")["n"].to_dict() == {"Same direction": 16, "Opposite direction": 1,
                                                             "No motif change": 0, "No motif hit": 1}
    assert summary["percent"].sum() == pytest.approx(100.0)


def test_no_motif_change_when_both_alleles_match(scan):
    tests = md.motif_tests(scan)
    s = md.Scan(scan.motifs, scan.peak, scan.ratio.copy(), scan.ref_sums, scan.alt_sums, scan.ref_counts,
                scan.alt_counts)
    s.ratio[16] = 2.0   # a "both" sequence made affected: its delta is 0
    assert md.sequence_effects(s, tests)["direction"][16] == "No motif change"


def test_comparison_with_and_without_deepallele(scan, tmp_path):
    eff = md.sequence_effects(scan, md.motif_tests(scan))
    alone = md.compare_with_deepallele(eff, None).set_index("category")
    assert alone.loc["affected", "n"] == 18 and alone.loc["meandiff_explains", "n"] == 16
    assert alone.loc["both", "status"] == "not available"
    path = tmp_path / "main_variants.tsv"
    # DeepAllele explains p0, p8 and p20 (the MeanDiff "No motif hit"); p1 is outside any motif
    pd.DataFrame({"peak": ["p0", "p1", "p8", "p20"], "in_motif": ["True", "False", "true", "1"],
                  "motif_name": ["SPI1", "", "cluster 7", "JUN"]}).to_csv(path, sep="\t", index=False)
    cmp = md.compare_with_deepallele(eff, md.read_main_variants(path)).set_index("category")
    assert cmp.loc["deepallele_explains", "n"] == 3 and cmp.loc["both", "n"] == 2
    assert cmp.loc["deepallele_explains_tf_named", "n"] == 2
    assert cmp.loc["deepallele_only", "n"] == 1 and cmp.loc["meandiff_only", "n"] == 14
    assert cmp.loc["neither", "n"] == 1
    assert cmp.loc["both", "status"].startswith("ok (4 of 18")


def test_read_main_variants_errors(tmp_path):
    path = tmp_path / "mv.tsv"
    path.write_text("peak\tin_motif\np0\tTrue\n")
    with pytest.raises(ValueError, match="mv.tsv: missing column"):
        md.read_main_variants(path)
    path.write_text("peak\tin_motif\tmotif_name\np0\tmaybe\tX\n")
    with pytest.raises(ValueError, match="in_motif must be true/false"):
        md.read_main_variants(path)


def test_scan_round_trip(scan, tmp_path):
    back = md.read_scan(md.write_scan(scan, tmp_path / "scan.npz"))
    assert back.motifs == scan.motifs and list(back.peak) == list(scan.peak)
    np.testing.assert_allclose(back.delta, scan.delta, rtol=1e-6, equal_nan=True)
    np.savez(tmp_path / "bad.npz", motifs=np.array(["a"]))
    with pytest.raises(ValueError, match="bad.npz: not a MeanDiff scan"):
        md.read_scan(tmp_path / "bad.npz")


def _write_h5(path, split, test_is_val):
    n = len(split)
    with h5py.File(path, "w") as h5:
        h5["ref_codes"] = np.zeros((n, 10), np.uint8)
        h5["alt_codes"] = np.ones((n, 10), np.uint8)
        h5["y"] = np.stack([np.zeros(n), np.zeros(n), np.arange(n)], axis=1).astype(np.float32)
        h5.create_dataset("split", data=split, dtype=h5py.string_dtype())
        h5.create_dataset("peak", data=[f"p{i}" for i in range(n)], dtype=h5py.string_dtype())
        h5.attrs["test_is_val"] = test_is_val


def test_load_pair_set_test_split_and_paper_scheme(tmp_path):
    _write_h5(tmp_path / "a.h5", ["train", "test", "val", "test"], False)
    ps = md.load_pair_set(tmp_path / "a.h5", "test")
    assert ps.split == "test" and ps.peak.tolist() == ["p1", "p3"] and ps.ratio.tolist() == [1.0, 3.0]
    _write_h5(tmp_path / "b.h5", ["train", "val", "val"], True)
    ps = md.load_pair_set(tmp_path / "b.h5", "test")
    assert ps.split == "val" and ps.peak.tolist() == ["p1", "p2"] and ps.length == 10
    _write_h5(tmp_path / "c.h5", ["train", "val"], False)
    with pytest.raises(ValueError, match="c.h5: no rows in split 'test'"):
        md.load_pair_set(tmp_path / "c.h5", "test")


def test_validation_table():
    tests = pd.DataFrame({"rank": [1, 2, 3, 4, 5], "motif": ["SPIB", "SPI1", "EHF", "CTCF", "FOS::JUN"],
                          "n_pos": [5, 6, 7, 8, 1], "n_neg": [1, 2, 3, 4, 0],
                          "significant_meandiff": [True, True, True, True, False]})
    table = validate_meandiff(tests, ["SPI1", "FOS::JUN"], {"SPIB": "SPI1", "EHF": "SPI1"}).set_index("metric")
    assert table.loc["planted_motifs_significant", "value"] == 0.5
    assert table.loc["unplanted_motifs_significant", "value"] == 3
    assert table.loc["unplanted_similar_significant", "value"] == 2
    assert table.loc["unplanted_unrelated_significant", "value"] == 1
    assert table.loc["top_motif", "value"] == "SPIB" and table.loc["top_motif_planted_or_similar", "value"]
    assert table.loc["planted_motif_ranks", "value"] == "SPI1:2;FOS::JUN:5"
    assert table.loc["planted_motif_sequences_changed", "value"] == "SPI1:8;FOS::JUN:1"
    # CTCF (rank 4) is the first motif unlike both planted ones: SPI1 is above it, FOS::JUN not
    assert table.loc["first_unrelated_rank", "value"] == 4
    assert table.loc["planted_ranked_above_unrelated", "value"] == 0.5
    only_family = validate_meandiff(tests.iloc[[0, 1, 2, 4]], ["SPI1", "FOS::JUN"],
                                    {"SPIB": "SPI1", "EHF": "SPI1"}).set_index("metric")
    assert only_family.loc["first_unrelated_rank", "value"] == 6  # none: one past the last rank
    assert only_family.loc["planted_ranked_above_unrelated", "value"] == 1.0
    effects = pd.DataFrame({"peak": ["a", "b", "c", "d"], "affected": [True, True, True, False],
                            "direction": ["Same direction", "No motif hit", "Same direction", ""]})
    both = validate_meandiff(tests, ["SPI1"], {}, effects=effects, suffix="_all_peaks").set_index("metric")
    assert both.loc["n_sequences_all_peaks", "value"] == 4 and both.loc["n_affected_all_peaks", "value"] == 3
    assert both.loc["affected_same_direction_percent_all_peaks", "value"] == pytest.approx(66.67)
    assert both.loc["planted_motifs_significant_all_peaks", "value"] == 1.0


def test_similar_to_finds_the_ets_family():
    from deepallele.motifs.jaspar import jaspar_motifs

    motifs = jaspar_motifs()
    similar = md.similar_to(motifs, ["SPI1"])
    assert "SPIB" in similar and similar["SPIB"] == "SPI1"
    assert "CTCF" not in similar and "SPI1" not in similar


def test_random_pair_set_is_deterministic():
    a, b = md.random_pair_set(5, 30, seed=1), md.random_pair_set(5, 30, seed=1)
    np.testing.assert_array_equal(a.alt_codes, b.alt_codes)
    assert a.ref_codes.max() <= 3 and (a.ref_codes != a.alt_codes).any()


def test_scan_is_deterministic(pairs, scan):
    again = md.scan_pairs(MOTIFS, pairs, bin_size=0.1, eps=EPS)
    np.testing.assert_array_equal(again.ref_sums, scan.ref_sums)
    np.testing.assert_array_equal(again.alt_counts, scan.alt_counts)


def test_benchmark_table_columns():
    table = md.benchmark_scan(MOTIFS, n_pairs=20, length=60, threads=1)
    row = table.iloc[0]
    assert (row["n_pairs"], row["length"], row["n_motifs"], row["threads"]) == (20, 60, 2, 1)
    assert row["target_seconds"] == 77.0 and row["paper_seconds"] == 774.0
    assert row["seconds"] >= row["scan_seconds"] > 0 and bool(row["meets_target"])
