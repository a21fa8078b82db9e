"""Seqlet calling on hand-made tracks and attribution maps."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.motifs.seqlets import (extract_seqlets, find_seqlets, global_scale, load_cwms, load_flanked_cwms,
                                       other_allele_positions, pool_seqlet_sets, reference_track, save_cwms)


def test_single_motif():
    t = np.zeros(30)
    t[10:16] = 3.0
    assert find_seqlets(t).tolist() == [[10, 15, 1, 6]]


def test_too_short_and_threshold():
    t = np.zeros(20)
    t[5:8] = 3.0               # 3 significant positions < 4
    t[12:17] = 1.9             # below the cut
    assert len(find_seqlets(t)) == 0


def test_gap_of_one_tolerated_two_split():
    t = np.zeros(40)
    t[[2, 3, 5, 6]] = 3.0      # one gap (position 4, local mean 2.0 > 1.96 is tolerated anyway)
    s = find_seqlets(t)
    assert s.tolist() == [[2, 6, 1, 4]]
    t = np.zeros(40)
    t[[10, 11, 12, 13]] = 3.0
    t[[16, 17, 18, 19]] = 3.0  # gaps at 14, 15 -> two seqlets
    assert find_seqlets(t)[:, :2].tolist() == [[10, 13], [16, 19]]


def test_opposite_sign_adjacent_motif():
    t = np.zeros(30)
    t[5:10] = 3.0
    t[10:15] = -3.0
    s = find_seqlets(t)
    assert s[:, :3].tolist() == [[5, 9, 1], [10, 14, -1]]


def test_motif_at_end_closed():
    t = np.zeros(12)
    t[7:] = -2.5
    assert find_seqlets(t).tolist() == [[7, 11, -1, 5]]


def test_other_allele_positions():
    v = pd.DataFrame({"ref_pos": [5, 20], "alt_pos": [5, 22], "ref_edit": ["", "AAA"], "alt_edit": ["GG", "A"]})
    # 2-base insertion in alt before ref 5; 3->1 substitution at ref 20 (alt 22)
    assert other_allele_positions(np.array([0, 4, 5, 19, 20, 21, 23, 30]), 0, v).tolist() == [0, 4, 7, 21, 22, 22, 23, 30]
    assert other_allele_positions(np.array([5, 6, 7, 22, 23]), 1, v).tolist() == [5, 5, 5, 20, 23]


def test_extract_seqlets_both_alleles():
    n, length = 2, 40
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, (n, 2, length))
    x = np.zeros((n, 2, 4, length))
    np.put_along_axis(x, codes[:, :, None, :], 1.0, axis=2)
    x[1, 1, :, 35:] = 0  # padding
    attr = rng.normal(0, 0.05, (n, 2, 4, length)) * x
    attr[0, 0] += 2.0 * x[0, 0] * (np.arange(length) >= 10) * (np.arange(length) < 16)   # raises ref
    attr[1, 1] -= 2.0 * x[1, 1] * (np.arange(length) >= 20) * (np.arange(length) < 26)   # ratio: raises alt
    variants = pd.DataFrame({"peak_index": [1], "ref_pos": [3], "alt_pos": [3], "ref_edit": ["A"], "alt_edit": ["AC"]})
    table, cwms, flanked = extract_seqlets(attr, x, ["p0", "p1"], variants=variants)
    assert flanked is None
    assert table[["peak", "allele", "start", "end", "sign"]].values.tolist() == [["p0", 0, 10, 15, 1],
                                                                                 ["p1", 1, 20, 25, 1]]
    assert table["mean_attr"].iloc[0] > 0 and table["mean_attr"].iloc[1] < 0  # original scale: alt lowers the ratio
    assert table[["other_start", "other_end"]].values.tolist() == [[10, 15], [19, 24]]
    assert cwms[0].shape == (4, 6) and (cwms[0] * x[0, 0, :, 10:16]).sum() > 0
    # scaling is global: doubling every attribution changes nothing
    t2, _, _ = extract_seqlets(2 * attr, x, ["p0", "p1"])
    assert t2[["start", "end"]].values.tolist() == table[["start", "end"]].values.tolist()
    assert global_scale(attr) > 0 and reference_track(attr, x).shape == (n, 2, length)


def test_cwm_roundtrip(tmp_path):
    table = pd.DataFrame({"seqlet": ["a", "b"]})
    cwms = [np.ones((4, 3), np.float32), np.zeros((4, 5), np.float32)]
    save_cwms(tmp_path / "c.npz", table, cwms)
    names, back = load_cwms(tmp_path / "c.npz")
    assert names == ["a", "b"] and [c.shape for c in back] == [(4, 3), (4, 5)]


def test_all_zero_attributions_rejected():
    with pytest.raises(ValueError, match="all zero"):
        extract_seqlets(np.zeros((1, 2, 4, 5)), np.ones((1, 2, 4, 5)) / 4, ["p"])


def test_flanked_cwms_extend_the_span():
    # one seqlet at 2..7 of a 12-base reference allele: with flank 3 its flanked CWM covers -1..10,
    # column -1 (outside the sequence) NaN, the span equal to the plain CWM, flanks the scaled values
    length = 12
    x = np.zeros((1, 2, 4, length))
    x[:, :, 0, :] = 1.0                                   # all A
    attr = np.zeros((1, 2, 4, length))
    attr[0, 0, 0, 2:8] = 3.0                               # significant A's
    attr[0, 0, 0, 8:11] = 0.5                              # a weak flank below the cut
    table, cwms, flanked = extract_seqlets(attr, x, ["p"], flank=3)
    assert table[["start", "end"]].values.tolist() == [[2, 7]]
    scale = global_scale(attr)
    f = flanked[0]
    assert f.shape == (4, 6 + 2 * 3)
    assert np.isnan(f[:, 0]).all() and not np.isnan(f[:, 1:]).any()
    assert np.array_equal(f[:, 3:9], cwms[0])
    assert f[0, 9:12] == pytest.approx([0.5 / scale] * 3)
    with pytest.raises(ValueError, match="flank"):
        extract_seqlets(attr, x, ["p"], flank=-1)


def test_flanked_cwm_roundtrip(tmp_path):
    table = pd.DataFrame({"seqlet": ["a", "b"]})
    cwms = [np.ones((4, 3), np.float32), np.zeros((4, 5), np.float32)]
    flanked = [np.full((4, 7), np.nan, np.float32), np.ones((4, 9), np.float32)]
    save_cwms(tmp_path / "c.npz", table, cwms, flanked, 2)
    flank, back = load_flanked_cwms(tmp_path / "c.npz")
    assert flank == 2 and [c.shape for c in back] == [(4, 7), (4, 9)] and np.isnan(back[0]).all()
    save_cwms(tmp_path / "d.npz", table, cwms)
    assert load_flanked_cwms(tmp_path / "d.npz") is None
    with pytest.raises(ValueError, match="flanked"):
        save_cwms(tmp_path / "e.npz", table, cwms, flanked[:1], 2)


def test_pool_seqlet_sets(tmp_path):
    def write(name, seqlets, widths, flank=None):
        table = pd.DataFrame({"seqlet": seqlets, "peak": ["007"] * len(seqlets)})
        table.to_csv(tmp_path / f"{name}.tsv", sep="\t", index=False)
        cwms = [np.full((4, w), i, np.float32) for i, w in enumerate(widths)]
        flanked = None if flank is None else [np.ones((4, w + 2 * flank), np.float32) for w in widths]
        save_cwms(tmp_path / f"{name}.npz", table, cwms, flanked, flank or 0)
        return tmp_path / f"{name}.tsv", tmp_path / f"{name}.npz"

    da, ref = write("da", ["a", "b"], [3, 5], flank=2), write("ref", ["c"], [4], flank=2)
    table, cwms, flanked, flank = pool_seqlet_sets([("deepallele", *da), ("ref_only", *ref)])
    assert table["model"].tolist() == ["deepallele", "deepallele", "ref_only"]
    assert table["seqlet"].tolist() == ["a", "b", "c"] and table["peak"].tolist() == ["007"] * 3
    assert [c.shape[1] for c in cwms] == [3, 5, 4] and [f.shape[1] for f in flanked] == [7, 9, 8] and flank == 2
    # without flanks in the files: none pooled
    plain = write("plain", ["d"], [6])
    assert pool_seqlet_sets([("deepallele", *plain)])[2:] == (None, None)
    # windows of different widths cannot be summed into one cluster CWM
    other = write("other", ["e"], [4], flank=5)
    with pytest.raises(ValueError, match=r"different flanks .*da.npz: 2 bp, .*other.npz: 5 bp"):
        pool_seqlet_sets([("deepallele", *da), ("ref_only", *other)])
    with pytest.raises(ValueError, match="different flanks .*none"):
        pool_seqlet_sets([("deepallele", *da), ("ref_only", *plain)])
    # a CWM file written for other seqlets
    with pytest.raises(ValueError, match="do not match the seqlets"):
        pool_seqlet_sets([("deepallele", da[0], ref[1])])
