"""Seqlets (motif instances) from attribution maps (reference-spec §3.4).

1. One global scale: the RMS of the whole attribution array (all sequences, positions, bases
   and both alleles); every attribution is divided by it.
2. Ratio attributions: the strain allele's attributions are negated, so that features raising
   either allele's own signal look positive (off for count attributions).
3. The per-base track of each allele is the scaled attribution at the reference base.
4. Segmentation: a seqlet collects significant positions (``|track| > cut``, 1.96) of one sign;
   a non-significant or opposite-sign position counts as a gap unless the mean of the track over
   +-1 bp still exceeds the cut in the seqlet's direction; more than ``max_gap`` (1) gaps close
   it; it is kept with ``>= min_size`` (4) significant positions, and the scan resumes at the
   first gap (so an adjacent motif of the other sign can start there).

Each seqlet carries its contribution weight matrix (CWM): the scaled attributions of the 4 bases
over its span, times the sign of the mean reference-base attribution there. Positions are given
in the seqlet's own allele and, through the dataset's variant map, in the other allele.

Flanks (not in the paper): with ``flank > 0`` each seqlet also carries its *flanked* CWM, the same
matrix over ``flank`` more bases on each side (NaN outside the sequence). The span holds only
positions that pass the cut one by one; a factor's weaker flanks (SPI1's A-rich 5' half, the
part that tells it from the other ETS factors) rarely do in any single seqlet, but they are
consistent, and summed over a cluster's members they show. Clustering still compares the span
CWMs (reference-spec §3.5); the cluster CWM sums the flanked ones and the usual edge trim
(:func:`deepallele.motifs.cluster.trim_cwm`) keeps what the sum carries (TF-MoDISco extends its
seqlets by flanks for the same reason).
"""
from __future__ import annotations

import numba
import numpy as np
import pandas as pd

SEQLET_COLUMNS = ["seqlet", "row", "peak", "allele", "start", "end", "sign", "n_significant", "mean_attr",
                  "other_start", "other_end"]


def global_scale(attr: np.ndarray) -> float:
    """RMS of the whole attribution array (one number, the "SD from zero")."""
    a = np.asarray(attr, dtype=np.float64)
    return float(np.sqrt(np.mean(a * a))) if a.size else 0.0


def reference_track(attr: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Attribution at the reference base, ``(..., L)``, from attributions and one-hot ``(..., 4, L)``.

    N positions (0.25 in every channel) give the mean over bases (0 for centred attributions).
    """
    return (np.asarray(attr) * np.asarray(x)).sum(axis=-2)


@numba.njit(cache=True)
def _segment(track, cut, max_gap, min_size):  # pragma: no cover - compiled
    n = track.shape[0]
    out = np.zeros((n, 4), dtype=np.int64)
    k = 0
    i = 0
    open_ = False
    sign = 0.0
    first = 0
    last = 0
    count = 0
    gap = 0
    gap_start = 0
    while i < n:
        v = track[i]
        sig = abs(v) > cut
        if not open_:
            if sig:
                open_ = True
                sign = 1.0 if v > 0 else -1.0
                first = i
                last = i
                count = 1
                gap = 0
            i += 1
            continue
        if sig and v * sign > 0:
            last = i
            count += 1
            gap = 0
        else:
            lo = i - 1 if i > 0 else 0
            hi = i + 2 if i + 2 < n else n
            local = 0.0
            for j in range(lo, hi):
                local += track[j]
            local /= hi - lo
            if sign * local < cut:
                if gap == 0:
                    gap_start = i
                gap += 1
            if gap > max_gap:
                if count >= min_size:
                    out[k, 0], out[k, 1], out[k, 2], out[k, 3] = first, last, int(sign), count
                    k += 1
                open_ = False
                gap = 0
                i = gap_start
                continue
        i += 1
    if open_ and count >= min_size:
        out[k, 0], out[k, 1], out[k, 2], out[k, 3] = first, last, int(sign), count
        k += 1
    return out[:k]


def find_seqlets(track: np.ndarray, cut: float = 1.96, max_gap: int = 1, min_size: int = 4) -> np.ndarray:
    """Seqlets of one scaled per-base track.

    Parameters
    ----------
    track : numpy.ndarray
        ``(L,)`` scaled attribution at the reference base (only the sequence, no padding).
    cut : float
        Significance cut on ``|track|``.
    max_gap : int
        Gaps tolerated inside a seqlet.
    min_size : int
        Smallest number of significant positions.

    Returns
    -------
    numpy.ndarray
        ``(S, 4)`` int: ``start, end`` (inclusive, first and last significant position),
        ``sign`` (+1/-1) and the number of significant positions.
    """
    t = np.ascontiguousarray(track, dtype=np.float64)
    if t.size == 0:
        return np.zeros((0, 4), dtype=np.int64)
    return _segment(t, float(cut), int(max_gap), int(min_size))


def other_allele_positions(pos: np.ndarray, allele: int, variants: pd.DataFrame) -> np.ndarray:
    """Positions of one allele mapped to the other through a pair's variants.

    Parameters
    ----------
    pos : numpy.ndarray
        Positions in ``allele`` (0 = reference, 1 = strain).
    allele : int
        The allele the positions belong to.
    variants : pandas.DataFrame
        The pair's variants (``ref_pos, alt_pos, ref_edit, alt_edit``), sorted by position.

    Returns
    -------
    numpy.ndarray
        Positions in the other allele; a base inside an edit maps to the start of the other
        allele's edit (deleted bases have no homologue).
    """
    pos = np.asarray(pos, dtype=np.int64)
    own, other = ("ref", "alt") if allele == 0 else ("alt", "ref")
    if variants.empty:
        return pos.copy()
    p_own = variants[f"{own}_pos"].to_numpy(np.int64)
    p_oth = variants[f"{other}_pos"].to_numpy(np.int64)
    l_own = variants[f"{own}_edit"].fillna("").str.len().to_numpy(np.int64)
    l_oth = variants[f"{other}_edit"].fillna("").str.len().to_numpy(np.int64)
    order = np.argsort(p_own, kind="stable")
    p_own, p_oth, l_own, l_oth = p_own[order], p_oth[order], l_own[order], l_oth[order]
    out = pos + (p_oth[0] - p_own[0])
    for k in range(len(p_own)):
        after = pos >= p_own[k] + l_own[k]
        inside = (pos >= p_own[k]) & ~after
        out = np.where(after, pos + (p_oth[k] + l_oth[k]) - (p_own[k] + l_own[k]), out)
        out = np.where(inside, p_oth[k] + np.minimum(pos - p_own[k], max(l_oth[k] - 1, 0)), out)
    return out


def flanked_window(z: np.ndarray, start: int, end: int, flank: int) -> np.ndarray:
    """Columns ``start - flank .. end + flank`` of ``z`` ``(4, length)``, NaN where they fall outside it."""
    length = z.shape[1]
    out = np.full((4, end - start + 1 + 2 * flank), np.nan, dtype=np.float32)
    lo, hi = max(start - flank, 0), min(end + flank + 1, length)
    out[:, lo - (start - flank):hi - (start - flank)] = z[:, lo:hi]
    return out


def extract_seqlets(attr: np.ndarray, x: np.ndarray, peaks, rows=None, variants: pd.DataFrame | None = None,
                    flip_alt: bool = True, cut: float = 1.96, max_gap: int = 1, min_size: int = 4,
                    scale: float | None = None, flank: int = 0
                    ) -> tuple[pd.DataFrame, list[np.ndarray], list[np.ndarray] | None]:
    """Seqlets of both alleles of every pair.

    Parameters
    ----------
    attr : numpy.ndarray
        ``(N, 2, 4, L)`` centred attributions.
    x : numpy.ndarray
        ``(N, 2, 4, L)`` one-hot pairs.
    peaks : array-like of str
        ``(N,)`` peak names.
    rows : array-like of int, optional
        ``(N,)`` rows of the pairs in the dataset (its ``variants.peak_index``); default ``0..N-1``.
    variants : pandas.DataFrame, optional
        The dataset's variant table, for ``other_start``/``other_end``.
    flip_alt : bool
        Negate the strain allele (ratio attributions).
    cut, max_gap, min_size : float, int, int
        Segmentation settings (see :func:`find_seqlets`).
    scale : float, optional
        Global scale (default :func:`global_scale` of ``attr``).
    flank : int
        Bases on each side of the span in the flanked CWMs (module docstring); 0: none made.

    Returns
    -------
    (pandas.DataFrame, list of numpy.ndarray, list of numpy.ndarray or None)
        The seqlet table (:data:`SEQLET_COLUMNS`; ``end`` inclusive; ``mean_attr`` = 4 x mean
        reference-base attribution in the original scale, signed as the seqlet) and each seqlet's
        CWM ``(4, end - start + 1)`` in scaled units, oriented so the motif reads positive; the
        flanked CWMs ``(4, end - start + 1 + 2 flank)`` in the same orientation (NaN outside the
        sequence), None when ``flank`` is 0.
    """
    if flank < 0:
        raise ValueError(f"flank must be >= 0, got {flank}")
    attr = np.asarray(attr, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    scale = global_scale(attr) if scale is None else float(scale)
    if scale <= 0:
        raise ValueError("attributions are all zero: no global scale")
    z = attr / scale
    if flip_alt:
        z[:, 1] *= -1
    rows = np.arange(len(attr)) if rows is None else np.asarray(rows)
    peaks = np.asarray(peaks, dtype=object)
    by_row = dict(tuple(variants.groupby("peak_index"))) if variants is not None and len(variants) else {}
    present = x.sum(axis=2) > 0
    track = reference_track(z, x)
    recs, cwms, flanked = [], [], []
    for n in range(len(z)):
        for a in (0, 1):
            length = int(present[n, a].sum())
            for s, e, g, c in find_seqlets(track[n, a, :length], cut, max_gap, min_size):
                span = slice(s, e + 1)
                sgn = np.sign(track[n, a, span].mean()) or 1.0
                cwms.append((z[n, a, :, span] * sgn).astype(np.float32))
                if flank:
                    flanked.append(flanked_window(z[n, a, :, :length] * sgn, int(s), int(e), flank))
                v = by_row.get(rows[n])
                other = other_allele_positions(np.array([s, e]), a, v) if v is not None else np.array([s, e])
                recs.append((f"{peaks[n]}:{a}:{s}-{e}", int(rows[n]), peaks[n], a, int(s), int(e), int(g), int(c),
                             4 * float(track[n, a, span].mean()) * scale * (1 if a == 0 or not flip_alt else -1),
                             int(other[0]), int(other[1])))
    table = pd.DataFrame(recs, columns=SEQLET_COLUMNS)
    return table, cwms, (flanked if flank else None)


def _concat(cwms: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([c.shape[1] for c in cwms], dtype=np.int64)
    values = np.concatenate(cwms, axis=1) if cwms else np.zeros((4, 0), np.float32)
    return values.astype(np.float32), np.concatenate([[0], np.cumsum(lengths)])


def _split(values: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    return [values[:, offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def save_cwms(path, table: pd.DataFrame, cwms: list[np.ndarray], flanked: list[np.ndarray] | None = None,
              flank: int = 0) -> None:
    """Seqlet CWMs as one ``.npz``: ``values`` (concatenated along positions), ``offsets``, ``names``;
    with ``flanked`` also ``flanked_values``, ``flanked_offsets`` and ``flank``."""
    values, offsets = _concat(cwms)
    extra = {}
    if flanked is not None:
        if len(flanked) != len(cwms):
            raise ValueError(f"{len(flanked)} flanked CWMs for {len(cwms)} seqlets")
        extra["flanked_values"], extra["flanked_offsets"] = _concat(flanked)
        extra["flank"] = np.int64(flank)
    np.savez_compressed(path, values=values, offsets=offsets, names=np.asarray(table["seqlet"], dtype=str), **extra)


def load_cwms(path) -> tuple[list[str], list[np.ndarray]]:
    """Names and CWMs written by :func:`save_cwms`."""
    with np.load(path) as f:
        v, o, names = f["values"], f["offsets"], list(f["names"])
    return names, _split(v, o)


def load_flanked_cwms(path) -> tuple[int, list[np.ndarray]] | None:
    """``(flank, flanked CWMs)`` written by :func:`save_cwms`, or None when the file has none."""
    with np.load(path) as f:
        if "flanked_values" not in f:
            return None
        return int(f["flank"]), _split(f["flanked_values"], f["flanked_offsets"])


def pool_seqlet_sets(sets) -> tuple[pd.DataFrame, list[np.ndarray], list[np.ndarray] | None, int | None]:
    """Seqlets of several models in one table, for joint clustering.

    Parameters
    ----------
    sets : iterable of (str, path, path)
        ``(model, seqlet table .tsv, CWMs .npz)`` per model, as written by the ``motifs_seqlets`` rule.

    Returns
    -------
    table : pandas.DataFrame
        The tables one after the other, with a leading ``model`` column.
    cwms : list of numpy.ndarray
        Span CWMs in table order.
    flanked : list of numpy.ndarray or None
        Flanked CWMs in table order (None when the files have none).
    flank : int or None
        Their flank in bp.

    Raises
    ------
    ValueError
        When a CWM file does not match its table, or the files were written with different flanks
        (the cluster CWMs would mix windows of different widths).
    """
    tables, cwms, flanked, flanks = [], [], [], {}
    for model, table_path, cwm_path in sets:
        t = pd.read_csv(table_path, sep="\t", dtype={"peak": str})
        names, c = load_cwms(cwm_path)
        if list(t["seqlet"]) != names:
            raise ValueError(f"{cwm_path}: CWMs do not match the seqlets of {table_path}")
        t.insert(0, "model", model)
        tables.append(t)
        cwms += c
        f = load_flanked_cwms(cwm_path)
        flanks[str(cwm_path)] = None if f is None else f[0]
        flanked += [] if f is None else f[1]
    if len(set(flanks.values())) > 1:
        found = ", ".join(f"{p}: {'none' if v is None else f'{v} bp'}" for p, v in flanks.items())
        raise ValueError(f"seqlet files with different flanks ({found}); rerun motifs_seqlets for all models")
    flank = next(iter(flanks.values()), None)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["model", "seqlet"])
    return table, cwms, (None if flank is None else flanked), flank
