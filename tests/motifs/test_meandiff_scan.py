"""MeanDiff scan (deepallele.motifs.meandiff.scan): FIMO hits of the hand-built pairs, padding, delta scores."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.alphabet import one_hot
from deepallele.motifs.meandiff.pairs import sequence_lengths
from deepallele.motifs.meandiff.scan import fimo_hits, scan_pairs, scan_threshold

from meandiff_toys import EPS, GROUPS, L, MOTIFS, SITE_SCORE, codes, with_site


def test_fimo_input_padding_and_n_are_zero():
    x = one_hot(np.array([[0, 1, 2, 3, 4, 5]], dtype=np.uint8), n=0, dtype=np.int8)   # as fimo_hits encodes
    assert x.shape == (1, 4, 6) and x.dtype == np.int8
    np.testing.assert_array_equal(x[0, :, :4], np.eye(4, dtype=np.int8))
    assert not x[0, :, 4:].any()
    np.testing.assert_array_equal(sequence_lengths(np.array([[0, 1, 5, 5], [0, 1, 2, 3]], dtype=np.uint8)), [2, 4])


def test_threshold_is_alpha_over_length():
    assert scan_threshold(551) == pytest.approx(9.07e-5, rel=1e-3)
    assert scan_threshold(330) == pytest.approx(1.52e-4, rel=1e-2)


def test_fimo_finds_the_site_on_both_strands(pairs):
    hits = fimo_hits(MOTIFS, pairs.alt_codes[GROUPS["alt_only"]], scan_threshold(L), eps=EPS)
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
    hits = fimo_hits(MOTIFS, both, scan_threshold(L), eps=EPS)
    assert list(hits["sequence"]) == [1]


def test_delta_scores_are_known(scan):
    d = scan.delta[0]
    np.testing.assert_allclose(d[GROUPS["ref_only"]], SITE_SCORE, rtol=1e-5)
    np.testing.assert_allclose(d[GROUPS["alt_only"]], -SITE_SCORE, rtol=1e-5)
    np.testing.assert_allclose(d[GROUPS["both"]], 0.0, atol=1e-5)
    assert np.isnan(d[GROUPS["neither"]]).all()
    assert np.isnan(scan.delta[1]).all()  # NEVER has no hit anywhere
    assert scan.ref_counts[0, GROUPS["both"]].tolist() == [1, 1]


def test_scan_is_deterministic(pairs, scan):
    again = scan_pairs(MOTIFS, pairs, bin_size=0.1, eps=EPS)
    np.testing.assert_array_equal(again.ref_sums, scan.ref_sums)
    np.testing.assert_array_equal(again.alt_counts, scan.alt_counts)
