"""The three per-motif tests and BH (deepallele.motifs.meandiff.significance) against scipy and by hand."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from deepallele.motifs.meandiff.significance import (bh_qvalues, correlation_test, maggie_test, meandiff_test,
                                                     motif_tests)

from meandiff_toys import RATIO_ALT_ONLY, RATIO_OPPOSITE, RATIO_REF_ONLY


def test_meandiff_matches_welch_by_hand(scan):
    res = meandiff_test(scan.delta[0], scan.ratio)
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
    res = meandiff_test(np.array([1.0, 2.0, np.nan, -1.0]), np.array([1.0, 2.0, 3.0, 4.0]))
    assert res["p"] == 1.0 and np.isnan(res["t"])


def test_correlation_and_maggie(scan):
    d, y = scan.delta[0], scan.ratio
    co = correlation_test(d, y)
    have = np.isfinite(d)
    assert co["n"] == 19
    assert co["r"] == pytest.approx(stats.pearsonr(d[have], y[have]).statistic)
    affected = np.abs(y) >= 1
    mg = maggie_test(d, y, affected)
    x = np.sign(y[affected]) * np.nan_to_num(d[affected])
    assert mg["p"] == pytest.approx(stats.wilcoxon(x).pvalue)
    assert mg["effect"] == pytest.approx(x.mean())


def test_bh_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.5, np.nan])
    # sorted 0.01, 0.03, 0.04, 0.5, 1 (NaN -> 1), m = 5: p * m / rank = 0.05, 0.075, 0.0667, 0.625, 1,
    # then the running minimum from the largest p down
    expected = np.array([0.05, 0.2 / 3, 0.2 / 3, 0.625, 1.0])
    np.testing.assert_allclose(bh_qvalues(p), expected)


def test_motif_tests_rank_and_bh(scan):
    tests = motif_tests(scan)
    assert tests["motif"].tolist() == ["SITE", "NEVER"] and tests["rank"].tolist() == [1, 2]
    site, never = tests.iloc[0], tests.iloc[1]
    p = meandiff_test(scan.delta[0], scan.ratio)["p"]
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
    halved = motif_tests(scan, halve_p=True)
    assert halved.iloc[0]["meandiff_p"] == pytest.approx(p / 2) and halved.iloc[1]["meandiff_p"] == 1.0
