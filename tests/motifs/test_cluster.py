"""Seqlet similarity (vs a brute-force implementation), clustering of planted motifs, CWM -> PFM."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from deepallele.motifs.cluster import (best_alignment, cluster_labels, cluster_model_seqlets, cluster_seqlets,
                                       condensed_distances, correlation_pvalue, cwm_to_pfm, reverse_complement_stack,
                                       stack_cwms, write_clusters)


def _brute_best(a, b, min_overlap=4, pad=0.25):
    """Best Pearson r over offsets and strands with explicit 0.25-padded union windows."""
    best = (-np.inf, None, None, None)
    for rc, bb in ((False, b), (True, b[::-1, ::-1])):
        la, lb = a.shape[1], bb.shape[1]
        for o in range(-(lb - 1), la):
            ov = min(la, o + lb) - max(0, o)
            if ov < min_overlap:
                continue
            lo, hi = min(0, o), max(la, o + lb)
            pa = np.full((4, hi - lo), pad)
            pb = np.full((4, hi - lo), pad)
            pa[:, -lo:-lo + la] = a
            pb[:, o - lo:o - lo + lb] = bb
            r = np.corrcoef(pa.ravel(), pb.ravel())[0, 1]
            if r > best[0] + 1e-12:
                best = (r, o, rc, hi - lo)
    return best


def test_best_alignment_matches_brute_force():
    rng = np.random.default_rng(0)
    cwms = [rng.normal(size=(4, int(n))) for n in rng.integers(4, 12, 9)]
    x, ln = stack_cwms(cwms)
    r, off, rc, union = best_alignment(x, ln, x, ln, reverse_complement_stack(x, ln))
    for i in range(len(cwms)):
        for j in range(len(cwms)):
            br, bo, brc, bu = _brute_best(cwms[i], cwms[j])
            assert r[i, j].item() == pytest.approx(br, abs=1e-5)
            if i != j:
                assert (off[i, j].item(), bool(rc[i, j]), union[i, j].item()) == (bo, brc, bu)


def test_reverse_complement_stack():
    x, ln = stack_cwms([np.arange(8.0).reshape(4, 2), np.arange(12.0).reshape(4, 3)])
    rc = reverse_complement_stack(x, ln)
    assert torch.equal(rc[0, :, :2], torch.as_tensor(np.arange(8.0).reshape(4, 2)[::-1, ::-1].copy()))
    assert (rc[0, :, 2] == 0).all()


def _motif_set(rng, n_each=12):
    a = np.eye(4)[[0, 2, 2, 0, 3, 1, 1, 3]].T * 3 - 0.75       # one motif
    b = np.eye(4)[[1, 1, 3, 0, 0, 0, 2, 2]].T * 3 - 0.75       # another
    cwms, truth = [], []
    for k, m in enumerate((a, b)):
        for i in range(n_each):
            c = m + rng.normal(0, 0.3, m.shape)
            s, e = rng.integers(0, 2), m.shape[1] - rng.integers(0, 2)  # ragged ends
            c = c[:, s:e]
            cwms.append(c[::-1, ::-1].copy() if i % 3 == 0 else c)        # a third on the other strand
            truth.append(k)
    return cwms, np.array(truth), (a, b)


def test_clusters_recover_planted_motifs():
    rng = np.random.default_rng(1)
    cwms, truth, (a, _) = _motif_set(rng)
    labels, cluster_cwms, table = cluster_seqlets(cwms, threshold=0.01)
    assert len(set(labels)) == 2
    assert all(len(set(labels[truth == k])) == 1 for k in (0, 1))
    assert table["n_seqlets"].tolist() == [12, 12]
    c = cluster_cwms[labels[truth == 0][0]]
    # the cluster CWM reads motif a on one strand
    best = _brute_best(c, a)[0]
    assert best > 0.9


def test_memory_blocks_give_same_distances():
    rng = np.random.default_rng(2)
    cwms, _, _ = _motif_set(rng, 5)
    d1 = condensed_distances(cwms, memory_mb=1e-3)  # one row per block
    d2 = condensed_distances(cwms)
    assert np.allclose(d1, d2, rtol=0, atol=1e-4) and len(d1) == 10 * 9 // 2


def test_threshold_and_pvalue():
    p = correlation_pvalue(np.array([0.9, 0.0, -0.9]), np.array([10, 10, 10]))
    assert p[0] < 1e-10 and p[1] == pytest.approx(1.0) and p[2] == pytest.approx(p[0])
    # three points: 0-1 close, 2 far from both (complete linkage at p < 0.01)
    from deepallele.motifs.cluster import log_distance
    d = log_distance(np.array([0.9, -0.5, -0.5]), correlation_pvalue(np.array([0.9, -0.5, -0.5]), np.array([10] * 3)))
    assert cluster_labels(d, 3).tolist() == [0, 0, 1]


def test_cwm_to_pfm():
    cwm = np.zeros((4, 6))
    cwm[0, 1:5] = [2, 3, 3, 2]
    cwm[:, 0] = -5       # an edge column that exponentiates to almost nothing: stripped
    pfm = cwm_to_pfm(cwm)
    assert pfm.shape[1] == 5 and np.allclose(pfm.sum(0), 1, atol=2e-3)
    assert (pfm[0, :4] > 0.4).all() and np.allclose(pfm[:, 4], 0.25)


def test_centroid_chunks():
    from deepallele.motifs.cluster import LOG_OFFSET, centroid, condensed_rows

    # 4 seqlets; p-values: 0-1 1e-10, 0-2 1e-10, 1-2 0.5, 0-3 / 1-3 / 2-3 0.5 -> seqlet 0 is most similar to the rest
    p = {(0, 1): 1e-10, (0, 2): 1e-10, (0, 3): 0.5, (1, 2): 0.5, (1, 3): 0.5, (2, 3): 0.5}
    cond = np.array([LOG_OFFSET + np.log10(p[k]) for k in sorted(p)])
    members = np.array([0, 1, 2, 3])
    assert centroid(cond, 4, members) == 0 and centroid(cond, 4, members, chunk=1) == 0
    assert centroid(cond, 4, np.array([1, 2, 3])) in (1, 2, 3)
    assert condensed_rows(cond, 4, np.array([2]), members)[0].tolist() == pytest.approx(
        [LOG_OFFSET - 10, LOG_OFFSET + np.log10(0.5), LOG_OFFSET - 127, LOG_OFFSET + np.log10(0.5)])


def test_aligned_cwm_sums_flanks():
    from deepallele.motifs.cluster import aligned_cwm

    core = np.eye(4)[[0, 2, 2, 0, 3, 1]].T * 3 - 0.75          # |w| per column 4.5
    flanked = np.zeros((4, 10))
    flanked[:, 2:8] = core
    flanked[0, :2] = 0.4                                        # weak A's 5' of the core
    flanked[1, 8:] = 0.6                                        # weak C's 3'
    edge = flanked.copy()
    edge[:, 9] = np.nan                                         # this member's sequence ends there
    spans = [core, core.copy(), core[::-1, ::-1].copy()]        # the third on the other strand
    flanks = [flanked, edge, flanked[::-1, ::-1].copy()]
    plain, members = aligned_cwm(spans, 0)
    assert np.allclose(plain, core) and members["rc"].tolist() == [False, False, True]
    cwm, _ = aligned_cwm(spans, 0, flanked=flanks, flank=2)
    # sum / max coverage (3): the NaN column counts for neither value nor coverage
    expected = flanked.copy()
    expected[1, 9] = 2 * 0.6 / 3
    assert cwm.shape == (4, 10) and np.allclose(cwm, expected)
    # flanks weaker than 0.075 of the strongest column are trimmed as before
    faint = [f * np.r_[np.full(2, 0.1), np.ones(6), np.full(2, 0.1)] for f in flanks]
    assert np.allclose(aligned_cwm(spans, 0, flanked=faint, flank=2)[0], core)
    with pytest.raises(ValueError, match="flank 3"):
        aligned_cwm(spans, 0, flanked=flanks, flank=3)


def test_cluster_model_seqlets_and_their_files(tmp_path):
    from deepallele.motifs.jaspar import read_meme
    from deepallele.motifs.seqlets import save_cwms

    # motif a's seqlets split between two models, motif b's all from the second; a third model
    # contributes one flat CWM (a cluster with an uninformative CWM: never named)
    rng = np.random.default_rng(1)
    cwms, truth, _ = _motif_set(rng)
    first = [i for i in range(len(cwms)) if truth[i] == 0][:5]
    second = [i for i in range(len(cwms)) if i not in first]
    files = []
    for name, idx in (("da", first), ("base", second), ("flat", [None])):
        table = pd.DataFrame({"seqlet": [f"{name}{k}" for k in range(len(idx))], "peak": "p"})
        table.to_csv(tmp_path / f"{name}.tsv", sep="\t", index=False)
        save_cwms(tmp_path / f"{name}.npz", table, [np.zeros((4, 6)) if i is None else cwms[i] for i in idx])
        files.append((tmp_path / f"{name}.tsv", tmp_path / f"{name}.npz"))
    table, summary, cluster_cwms = cluster_model_seqlets(["da", "base", "flat"], [f[0] for f in files],
                                                         [f[1] for f in files], min_seqlets=10)
    assert table["model"].tolist() == ["da"] * 5 + ["base"] * 19 + ["flat"]
    by_size = summary.sort_values("n_seqlets").set_index("n_seqlets")
    assert by_size[["n_da", "n_base", "n_flat"]].values.tolist() == [[0, 0, 1], [5, 7, 0], [0, 12, 0]]
    assert by_size["informative"].tolist() == [False, True, True] and by_size["named"].tolist() == [False, True, True]
    # every seqlet of one planted motif in one cluster, whichever model it came from
    motif_of_row = np.array([truth[i] for i in first + second] + [-1])
    assert all(table.loc[motif_of_row == k, "cluster"].nunique() == 1 for k in (0, 1))
    named = write_clusters(table, summary, cluster_cwms, tmp_path / "c.tsv", tmp_path / "s.tsv", tmp_path / "c.npz",
                           tmp_path / "pfms.meme")
    assert sorted(named) == sorted(summary.loc[summary["named"], "cluster"].tolist()) and len(named) == 2
    assert sorted(read_meme(tmp_path / "pfms.meme")) == sorted(f"cluster{c}" for c in named)
    assert pd.read_csv(tmp_path / "c.tsv", sep="\t")["cluster"].tolist() == table["cluster"].tolist()
    with np.load(tmp_path / "c.npz") as z:
        assert sorted(z.files) == sorted(f"cluster{c}" for c in summary["cluster"])
