"""Seqlet clustering, cluster CWMs and CWM -> PFM (reference-spec §3.5, §3.6).

Similarity of two seqlets: the best Pearson r over every relative offset with at least
``min_overlap`` (4) overlapping positions and over the reverse complement of one of them; the
window is the union of both extents, the non-overlapping parts are padded with 0.25 (scaled
units). Significance: ``t = r sqrt(n-2) / sqrt(1-(r-1e-7)^2)`` with ``n = 4 x union``,
``p = 2 sf_t(|t|, n-1) + 1e-127``; distance ``p`` for ``r > 0`` and ``1/p`` otherwise.
Complete linkage at ``p < threshold`` (0.01) puts seqlets in one cluster only when every pair
in it is significant.

Scale: all offsets of a block of seqlets against all others are one ``conv1d`` (a batched
sliding dot product); the sums that the 0.25 padding adds are closed-form from prefix sums, so
no padded copies are built. Rows are processed in blocks sized to a memory budget and only the
upper triangle is computed, straight into the condensed distance vector that
:func:`scipy.cluster.hierarchy.linkage` takes (20 000 seqlets: 1.6 GB of float64). Distances
are stored as ``128 + log10(p)`` (``128 - log10(p)`` for ``r <= 0``), a monotone transform that
complete linkage is invariant to and that float64 holds without overflow.

Cluster CWMs sum the members' *flanked* CWMs when the seqlets carry them
(:mod:`deepallele.motifs.seqlets`, ``flank``): aligned by the span CWMs as above, each member
adds its span plus ``flank`` bases on each side, and the usual edge trim decides the width.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
from scipy import stats
from scipy.cluster.hierarchy import fcluster, linkage

PAD_VALUE = 0.25
LOG_OFFSET = 128.0


def stack_cwms(cwms: list[np.ndarray], dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """CWMs ``(4, l_i)`` -> zero-padded ``(N, 4, Lmax)`` tensor and lengths ``(N,)``.

    float32 by default: the sliding dot products then run on the fast (oneDNN) convolution;
    r is accurate to ~1e-6, far below what moves a p-value across the threshold.
    """
    lengths = torch.tensor([c.shape[1] for c in cwms], dtype=torch.long)
    if (lengths < 1).any():
        raise ValueError("empty CWM in the seqlet set")
    out = torch.zeros(len(cwms), 4, int(lengths.max()) if len(cwms) else 1, dtype=dtype)
    for i, c in enumerate(cwms):
        out[i, :, :c.shape[1]] = torch.as_tensor(np.asarray(c), dtype=dtype)
    return out, lengths


def reverse_complement_stack(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse complements of zero-padded CWMs, each again starting at position 0."""
    lmax = x.shape[-1]
    idx = (lengths[:, None] - 1 - torch.arange(lmax)[None, :])  # position l-1-k
    valid = idx >= 0
    gathered = x.flip(1).gather(2, idx.clamp(min=0)[:, None, :].expand(-1, 4, -1))
    return gathered * valid[:, None, :]


def _shifted(x: torch.Tensor, lengths: torch.Tensor, pad_value: float) -> torch.Tensor:
    """``x - pad_value`` on each seqlet's extent, 0 beyond it."""
    inside = torch.arange(x.shape[-1])[None, None, :] < lengths[:, None, None]
    return (x - pad_value) * inside


def offset_correlations(a: torch.Tensor, la: torch.Tensor, b: torch.Tensor, lb: torch.Tensor,
                        min_overlap: int = 4, pad_value: float = PAD_VALUE) -> tuple[torch.Tensor, torch.Tensor]:
    """Pearson r of every seqlet in ``a`` with every seqlet in ``b`` at every offset.

    Parameters
    ----------
    a, b : torch.Tensor
        ``(A, 4, Lmax)`` and ``(B, 4, Lmax)`` zero-padded CWMs (same ``Lmax``).
    la, lb : torch.Tensor
        Their lengths.
    min_overlap : int
        Offsets with fewer overlapping positions get ``r = -inf``.
    pad_value : float
        Value of the padding outside a seqlet's extent inside the union window.

    Returns
    -------
    (torch.Tensor, torch.Tensor)
        ``r`` ``(A, B, 2 Lmax - 1)`` (offset ``o = t - (Lmax - 1)``: ``b`` starts ``o``
        positions after ``a``) and the union length ``(A, B, 2 Lmax - 1)``.

    Notes
    -----
    With ``a' = a - pad`` on a's extent (0 elsewhere), the padded window is ``a' + pad`` over
    the union (``n = 4 U`` values); the pad cancels from the centred sums, which become
    ``S2' - S1'^2 / n`` and ``a'.b' - S1a' S1b' / n``. Only ``a'.b'`` depends on the offset
    beyond ``U`` -- one ``conv1d`` for all offsets.
    """
    lmax = a.shape[-1]
    ap, bp = _shifted(a, la, pad_value), _shifted(b, lb, pad_value)
    # float32 throughout (r to ~1e-6; the p-value is then computed in float64)
    dot = torch.nn.functional.conv1d(ap, bp, padding=lmax - 1)  # (A, B, T)
    o = torch.arange(-(lmax - 1), lmax)[None, None, :]
    la_, lb_ = la[:, None, None], lb[None, :, None]
    ov = torch.minimum(la_, o + lb_) - o.clamp(min=0)
    union_i = torch.maximum(la_, o + lb_) - o.clamp(max=0)
    u = union_i.to(a.dtype)
    s1a, s1b = ap.sum((1, 2))[:, None, None], bp.sum((1, 2))[None, :, None]
    s2a, s2b = (ap * ap).sum((1, 2))[:, None, None], (bp * bp).sum((1, 2))[None, :, None]
    # centred sums: with x = a' + pad over the union (n = 4U values) the pad cancels out:
    # sum x^2 - (sum x)^2 / n = S2' - S1'^2 / n and the centred cross product = a'.b' - S1a' S1b' / n
    n = 4 * u
    var_a = (s2a - s1a * s1a / n).clamp_(min=0)
    var_b = (s2b - s1b * s1b / n).clamp_(min=0)
    cov = dot.sub_(s1a * s1b / n)
    den = var_a.mul_(var_b).sqrt_()
    r = cov.div_(den)
    r = r.masked_fill_((ov < min_overlap) | (den <= 0), -math.inf)
    union = union_i
    return r, union


def best_alignment(a, la, b, lb, b_rc, min_overlap: int = 4, pad_value: float = PAD_VALUE):
    """Best r over offsets and orientation of every (a, b) pair.

    Returns
    -------
    (torch.Tensor, ...)
        ``r``, ``offset`` (where ``b`` -- reverse-complemented if ``rc`` -- starts relative to
        ``a``), ``rc`` (bool) and ``union``, each ``(A, B)``.
    """
    r_f, u_f = offset_correlations(a, la, b, lb, min_overlap, pad_value)
    r_r, u_r = offset_correlations(a, la, b_rc, lb, min_overlap, pad_value)
    bf, tf = r_f.max(-1)
    br, tr = r_r.max(-1)
    rc = br > bf
    lmax = a.shape[-1]
    t = torch.where(rc, tr, tf)
    union = torch.where(rc, u_r.gather(2, tr[..., None])[..., 0], u_f.gather(2, tf[..., None])[..., 0])
    return torch.where(rc, br, bf), t - (lmax - 1), rc, union


def correlation_pvalue(r: np.ndarray, union: np.ndarray) -> np.ndarray:
    """The reference's p-value of a correlation ``r`` over ``n = 4 x union`` values (df = n - 1)."""
    r = np.asarray(r, dtype=np.float64)
    n = 4.0 * np.asarray(union, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(n - 2) / np.sqrt(1 - (r - 1e-7) ** 2)
    t = np.where(np.isfinite(t), t, 0.0)
    return 2 * stats.t.sf(np.abs(t), n - 1) + 1e-127


def log_distance(r: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``128 + log10(distance)`` with distance ``p`` (``r > 0``) or ``1/p`` (otherwise)."""
    lp = np.log10(p)
    return LOG_OFFSET + np.where(np.asarray(r) > 0, lp, -lp)


def block_rows(n: int, lmax: int, memory_mb: float) -> int:
    """Rows per block so that the block's ``(rows, n, 2 Lmax - 1)`` temporaries fit ``memory_mb``."""
    per_row = max(n, 1) * (2 * lmax - 1) * 8 * 24  # ~24 live temporaries per element (int64 indices the largest)
    return max(1, int(memory_mb * 2 ** 20 // per_row))


def condensed_distances(cwms: list[np.ndarray], min_overlap: int = 4, pad_value: float = PAD_VALUE,
                        memory_mb: float = 1500.0, log=None) -> np.ndarray:
    """Condensed log-distance vector (``scipy.spatial.distance`` order) of all seqlet pairs.

    Parameters
    ----------
    cwms : list of numpy.ndarray
        Seqlet CWMs ``(4, l_i)``.
    min_overlap, pad_value
        See :func:`offset_correlations`.
    memory_mb : float
        Budget for one block's temporaries.
    log : logging.Logger, optional
        Progress messages.

    Returns
    -------
    numpy.ndarray
        ``N (N - 1) / 2`` float64 :func:`log_distance` values (r in float32, p in float64).
    """
    x, lengths = stack_cwms(cwms)
    x_rc = reverse_complement_stack(x, lengths)
    n = len(cwms)
    out = np.empty(n * (n - 1) // 2, dtype=np.float64)
    rows = block_rows(n, x.shape[-1], memory_mb)
    pos = 0
    for i0 in range(0, n - 1, rows):
        i1 = min(n - 1, i0 + rows)
        r, _, _, union = best_alignment(x[i0:i1], lengths[i0:i1], x[i0:], lengths[i0:], x_rc[i0:],
                                        min_overlap, pad_value)
        r, union = r.double().numpy(), union.numpy()
        for k, i in enumerate(range(i0, i1)):
            rr, uu = r[k, i - i0 + 1:], union[k, i - i0 + 1:]
            rr = np.where(np.isfinite(rr), rr, -1.0)
            out[pos:pos + len(rr)] = log_distance(rr, correlation_pvalue(rr, uu))
            pos += len(rr)
        if log is not None:
            log.info("seqlet similarities: %d / %d rows", i1, n)
    return out


def cluster_labels(condensed: np.ndarray, n: int, threshold: float = 0.01) -> np.ndarray:
    """Complete-linkage clusters with every pair at ``p < threshold``; ids by size (0 = largest).

    Ties in size are ordered by the smallest member index, so labels are deterministic.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    z = linkage(condensed, method="complete")
    cut = np.nextafter(LOG_OFFSET + math.log10(threshold), -np.inf)
    raw = fcluster(z, t=cut, criterion="distance")
    ids, first, counts = np.unique(raw, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank[np.searchsorted(ids, raw)]


def condensed_rows(condensed: np.ndarray, n: int, rows: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Log-distances ``(len(rows), len(members))`` from the condensed vector (self-pairs: p ~ 1e-127)."""
    i, j = np.asarray(rows)[:, None], np.asarray(members)[None, :]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    k = n * lo - lo * (lo + 1) // 2 + (hi - lo - 1)
    same = lo == hi
    out = condensed[np.where(same, 0, k)]
    out[same] = LOG_OFFSET - 127
    return out


def centroid(condensed: np.ndarray, n: int, members: np.ndarray, chunk: int = 1024) -> int:
    """Member with the largest summed similarity ``1 - distance`` to the other members (rows in chunks,
    so a cluster of 20 000 seqlets needs ~160 MB at a time)."""
    best, best_sum = int(members[0]), -np.inf
    for s in range(0, len(members), chunk):
        rows = members[s:s + chunk]
        d = np.power(10.0, np.minimum(condensed_rows(condensed, n, rows, members) - LOG_OFFSET, 300))
        sim = (1 - d).sum(1) - (1 - 1e-127)  # minus the self-pair
        k = int(np.argmax(sim))
        if sim[k] > best_sum:
            best, best_sum = int(rows[k]), float(sim[k])
    return best


def aligned_cwm(cwms: list[np.ndarray], centre: int, min_overlap: int = 4, trim: float = 0.075,
                pad_value: float = PAD_VALUE, flanked: list[np.ndarray] | None = None,
                flank: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    """Cluster CWM: members aligned to the centroid (best offset and strand), summed, / max coverage, trimmed.

    Parameters
    ----------
    cwms : list of numpy.ndarray
        The members' span CWMs ``(4, w_i)``; they alone decide the alignment.
    centre : int
        Index of the centroid in ``cwms``.
    flanked : list of numpy.ndarray, optional
        The members' flanked CWMs ``(4, w_i + 2 flank)`` (NaN outside their sequence,
        :func:`deepallele.motifs.seqlets.extract_seqlets`): summed instead of the spans, each
        placed ``flank`` columns left of its span; a NaN column adds neither value nor coverage.
    flank : int
        Flank of ``flanked``.

    Returns
    -------
    (numpy.ndarray, pandas.DataFrame)
        The CWM ``(4, w)`` (all zeros, width 1, when fewer than 3 positions survive the trim)
        and per member its ``offset``, ``rc`` and ``r`` to the centroid.
    """
    x, lengths = stack_cwms(cwms)
    x_rc = reverse_complement_stack(x, lengths)
    r, off, rc, _ = best_alignment(x[centre:centre + 1], lengths[centre:centre + 1], x, lengths, x_rc,
                                   min_overlap, pad_value)
    r, off, rc = r[0].numpy(), off[0].numpy(), rc[0].numpy()
    off[centre], rc[centre], r[centre] = 0, False, 1.0
    ok = np.isfinite(r)
    if flanked is None:
        parts, shift = cwms, 0
    else:
        if len(flanked) != len(cwms) or any(f.shape[1] != c.shape[1] + 2 * flank for f, c in zip(flanked, cwms)):
            raise ValueError(f"flanked CWMs do not match the spans with flank {flank}")
        parts, shift = flanked, flank
    widths = np.array([p.shape[1] for p in parts])
    lo = int(min(0, off[ok].min())) - shift
    hi = int(max((off + widths - shift)[ok].max(), widths[centre] - shift))
    acc = np.zeros((4, hi - lo))
    cover = np.zeros(hi - lo)
    for k in np.flatnonzero(ok):
        m = parts[k][::-1, ::-1] if rc[k] else parts[k]
        s = off[k] - shift - lo
        seen = np.isfinite(m).all(axis=0)
        acc[:, s:s + m.shape[1]] += np.where(seen, m, 0.0)
        cover[s:s + m.shape[1]] += seen
    members = pd.DataFrame({"offset": off, "rc": rc, "r": r})
    return trim_cwm(acc / cover.max(), trim), members


def trim_cwm(cwm: np.ndarray, trim: float = 0.075) -> np.ndarray:
    """Cut edge columns whose summed |w| is below ``trim`` x the largest; all zeros ``(4, 1)`` if < 3 remain."""
    col = np.abs(cwm).sum(0)
    keep = np.flatnonzero(col / col.max() >= trim) if col.max() > 0 else np.array([], dtype=int)
    if len(keep) and keep[-1] - keep[0] + 1 >= 3:
        return cwm[:, keep[0]:keep[-1] + 1]
    return np.zeros((4, 1))


def cwm_to_pfm(cwm: np.ndarray, strip: float = 0.1) -> np.ndarray:
    """CWM -> PFM: / RMS, exponentiate, strip edge columns with sum < ``strip`` x max, normalise, round to 3."""
    cwm = np.asarray(cwm, dtype=np.float64)
    rms = np.sqrt(np.mean(cwm ** 2))
    e = np.exp(cwm / rms) if rms > 0 else np.ones_like(cwm)
    s = e.sum(0)
    keep = np.flatnonzero(s >= strip * s.max())
    e = e[:, keep[0]:keep[-1] + 1]
    return np.round(e / e.sum(0), 3)


def cluster_seqlets(cwms: list[np.ndarray], threshold: float = 0.01, min_overlap: int = 4,
                    memory_mb: float = 1500.0, log=None, flanked: list[np.ndarray] | None = None,
                    flank: int = 0) -> tuple[np.ndarray, dict[int, np.ndarray], pd.DataFrame]:
    """Cluster seqlets (by their span CWMs) and build each cluster's CWM (from the flanked CWMs when
    given, :func:`aligned_cwm`).

    Returns
    -------
    (numpy.ndarray, dict, pandas.DataFrame)
        Cluster id of every seqlet; ``{cluster: CWM}``; per cluster ``cluster, n_seqlets,
        centroid`` (seqlet index) and ``width``.
    """
    n = len(cwms)
    condensed = condensed_distances(cwms, min_overlap, memory_mb=memory_mb, log=log) if n > 1 else np.zeros(0)
    labels = cluster_labels(condensed, n, threshold)
    out, rows = {}, []
    for c in range(int(labels.max()) + 1 if n else 0):
        members = np.flatnonzero(labels == c)
        cen = centroid(condensed, n, members) if len(members) > 1 else members[0]
        sub = [cwms[m] for m in members]
        sub_flanked = None if flanked is None else [flanked[m] for m in members]
        cwm, _ = aligned_cwm(sub, int(np.flatnonzero(members == cen)[0]), min_overlap, flanked=sub_flanked,
                             flank=flank)
        out[c] = cwm
        rows.append((c, len(members), int(cen), cwm.shape[1]))
    return labels, out, pd.DataFrame(rows, columns=["cluster", "n_seqlets", "centroid", "width"])


def cluster_model_seqlets(models: list[str], seqlet_tables: list, cwm_files: list, threshold: float = 0.01,
                          min_overlap: int = 4, memory_mb: float = 1500.0, min_seqlets: int = 20,
                          log=None) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, np.ndarray]]:
    """Cluster the seqlets of one or more models jointly (rule motifs_cluster).

    Parameters
    ----------
    models : list of str
        The models, in the order of the files.
    seqlet_tables, cwm_files : list of path
        Each model's seqlet table (``.tsv``) and CWMs (``.npz``, :func:`deepallele.motifs.seqlets.save_cwms`).
    threshold, min_overlap, memory_mb
        As :func:`cluster_seqlets`.
    min_seqlets : int
        Seqlets a cluster needs to be named (sent to TomTom).
    log : logging.Logger, optional
        Progress of the distances, and what the cluster CWMs are built from.

    Returns
    -------
    table : pandas.DataFrame
        The ``S`` seqlets of every model (:func:`deepallele.motifs.seqlets.pool_seqlet_sets`) with
        their ``cluster``.
    summary : pandas.DataFrame
        Per cluster ``cluster, n_seqlets, centroid, width``, ``n_<model>`` (its seqlets of each
        model), ``informative`` (a CWM that is not constant) and ``named`` (informative and at
        least ``min_seqlets`` seqlets).
    cluster_cwms : dict of int to numpy.ndarray
        Cluster -> CWM ``(4, width)``.
    """
    from .seqlets import pool_seqlet_sets

    table, cwms, flanked, flank = pool_seqlet_sets(zip(models, seqlet_tables, cwm_files))
    if log:
        log.info("clustering %d seqlets of %s; cluster CWMs from %s", len(table), ", ".join(models),
                 "the significant spans" if flank is None else f"the spans +- {flank} bp")
    labels, cluster_cwms, summary = cluster_seqlets(cwms, threshold=threshold, min_overlap=min_overlap,
                                                    memory_mb=memory_mb, log=log, flanked=flanked, flank=flank or 0)
    table["cluster"] = labels
    for model in models:
        summary[f"n_{model}"] = [int(((labels == c) & (table["model"] == model)).sum()) for c in summary["cluster"]]
    summary["informative"] = [bool(np.ptp(cluster_cwms[c]) > 0) for c in summary["cluster"]]
    summary["named"] = (summary["n_seqlets"] >= min_seqlets) & summary["informative"]
    return table, summary, cluster_cwms


def write_clusters(table: pd.DataFrame, summary: pd.DataFrame, cluster_cwms: dict[int, np.ndarray],
                   clusters_path, summary_path, cwms_path, pfms_path) -> list[int]:
    """Write :func:`cluster_model_seqlets` output: the two tables, the CWMs and the named clusters' PFMs.

    Parameters
    ----------
    table, summary, cluster_cwms
        :func:`cluster_model_seqlets` output.
    clusters_path, summary_path : path
        TSVs of the seqlets (with their cluster) and of the clusters.
    cwms_path : path
        ``.npz`` of the cluster CWMs (arrays ``cluster<k>``).
    pfms_path : path
        MEME file of the named clusters' PFMs (:func:`cwm_to_pfm`; motifs ``cluster<k>``, ``nsites``
        their seqlets), TomTom's queries.

    Returns
    -------
    list of int
        The named clusters.
    """
    from .jaspar import write_meme

    table.to_csv(clusters_path, sep="\t", index=False, float_format="%.6g")
    summary.to_csv(summary_path, sep="\t", index=False)
    np.savez_compressed(cwms_path, **{f"cluster{c}": m for c, m in cluster_cwms.items()})
    named = summary.loc[summary["named"], "cluster"].tolist()
    write_meme({f"cluster{c}": cwm_to_pfm(cluster_cwms[c]) for c in named}, pfms_path,
               nsites={f"cluster{c}": int(n) for c, n in zip(summary["cluster"], summary["n_seqlets"])})
    return named
