"""True attributions: in-silico mutagenesis of the simulator's activity model itself.

The "oracle model" of a simulated dataset predicts the true allelic log ratio
``f(s_ref) - f(s_alt)`` (:mod:`deepallele.simulate.regions`). Its ISM, computed like a trained
model's (reference-spec §3.3: mutant minus reference, each allele mutated with the other held
fixed, centred over the four bases), is what a perfect model's attributions would be. Sent
through the same seqlet -> cluster -> TomTom chain, it tells whether that chain can name a
planted factor at all, independently of any model.

``f`` is evaluated on the whole interpreted sequence (the simulator uses the central
``activity_width`` bp): motif hits near the edges then get attributions they do not have in the
truth, which adds seqlets of the same motifs and does not change which motifs there are.

Speed: a point mutation changes only the scores of the motif windows that cover it, so each
factor's occupancy is recomputed for those windows only (``4 x L x width`` scores per factor
instead of ``4 x L`` whole-sequence scans).
"""
from __future__ import annotations

import numpy as np

from ..alphabet import N_CODE, PAD_CODE, one_hot
from .motifs import Motif, occupancy, site_scores
from .regions import Grammar


def mutant_occupancies(codes: np.ndarray, motif: Motif, threshold: float,
                       temperature: float) -> tuple[float, np.ndarray]:
    """A factor's total occupancy of a sequence and of each of its single-base mutants.

    Parameters
    ----------
    codes : numpy.ndarray
        ``(L,)`` base codes 0-3.
    motif : Motif
        The factor's motif (both strands are scored).
    threshold, temperature : float
        Occupancy midpoint and width (:func:`deepallele.simulate.motifs.occupancy`).

    Returns
    -------
    (float, numpy.ndarray)
        ``O(s)`` and ``(4, L)`` ``O`` of ``s`` with base ``b`` at position ``i`` (``O(s)`` at the
        reference base).
    """
    length, width = codes.size, motif.width
    if length < width:
        return 0.0, np.zeros((4, length))
    log_odds = motif.log_odds
    rc = log_odds[::-1, ::-1]
    n = length - width + 1
    scores = site_scores(codes, motif)  # (2, n)
    occ = occupancy(scores, threshold, temperature)
    total = float(occ.sum())
    # window j = i - k covers position i at its column k
    pos = np.arange(length)[:, None]
    k = np.arange(width)[None, :]
    j = pos - k
    valid = (j >= 0) & (j < n)
    jc = np.clip(j, 0, n - 1)
    ref = codes[:, None]
    out = np.empty((4, length))
    old = (occ[:, jc] * valid).sum(axis=(0, 2))  # (L,) occupancy of the windows a mutation touches
    for b in range(4):
        new = np.zeros(length)
        for strand, lo in enumerate((log_odds, rc)):
            delta = lo[b, k] - lo[ref, k]                      # (L, W)
            new += (occupancy(scores[strand, jc] + delta, threshold, temperature) * valid).sum(axis=1)
        out[b] = total - old + new
    return total, out


def mutant_log_activity(grammar: Grammar, codes: np.ndarray) -> tuple[float, np.ndarray]:
    """``f(s)`` and ``(4, L)`` ``f`` of every single-base mutant (:meth:`Grammar.log_activity`)."""
    base, mutants = {}, {}
    for name, gm in grammar.motifs.items():
        base[name], mutants[name] = mutant_occupancies(codes, gm.motif, gm.threshold, grammar.temperature)
    return float(grammar.activity(base)), np.broadcast_to(grammar.activity(mutants), (4, codes.size)).astype(np.float64)


def true_ratio_ism(grammar: Grammar, codes: np.ndarray) -> np.ndarray:
    """Centred ISM of the true log ratio for pairs of dataset codes.

    Parameters
    ----------
    grammar : Grammar
        The dataset's motif grammar.
    codes : numpy.ndarray
        ``(N, 2, L)`` uint8 codes (reference, strain allele), right-padded with 5.

    Returns
    -------
    numpy.ndarray
        ``(N, 2, 4, L)`` float32: for the reference allele ``f(mutant) - f(ref)``, for the strain
        allele ``-(f(mutant) - f(alt))`` (the ratio falls when the strain allele rises), centred
        over the bases; 0 at padding.

    Raises
    ------
    ValueError
        When a sequence holds an N (the activity model scores A, C, G, T only).
    """
    codes = np.asarray(codes)
    out = np.zeros(codes.shape[:2] + (4, codes.shape[-1]), dtype=np.float32)
    for n in range(codes.shape[0]):
        for allele, sign in ((0, 1.0), (1, -1.0)):
            seq = codes[n, allele]
            seq = seq[seq != PAD_CODE]
            if (seq == N_CODE).any():
                raise ValueError(f"pair {n}, allele {allele}: N in the sequence; true attributions need A/C/G/T")
            f0, fm = mutant_log_activity(grammar, seq)
            ism = fm - f0
            out[n, allele, :, :seq.size] = sign * (ism - ism.mean(axis=0, keepdims=True))
    return out


def truth_cluster_matches(grammar: Grammar, codes: np.ndarray, peaks, rows, variants, targets: dict,
                          seqlets: dict, cluster: dict, log=None):
    """The seqlet -> cluster -> TomTom chain of the motifs stage on the true attributions.

    Parameters
    ----------
    grammar : Grammar
        The dataset's motif grammar.
    codes : numpy.ndarray
        ``(N, 2, L)`` codes of the interpreted pairs.
    peaks, rows : array-like
        Their peak names and dataset rows.
    variants : pandas.DataFrame
        The dataset's variant table (``peak_index`` = row).
    targets : dict
        JASPAR matrices (:func:`deepallele.motifs.jaspar.read_meme`).
    seqlets, cluster : dict
        The ``interpretation.seqlets`` and ``interpretation.cluster`` settings.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        Cluster summary (``cluster, n_seqlets, centroid, width``) and TomTom matches
        (:data:`deepallele.motifs.tomtom.MATCH_COLUMNS`, query ``cluster<k>``) of the clusters
        with at least ``min_seqlets`` seqlets.
    """
    from ..motifs.cluster import cluster_seqlets, cwm_to_pfm
    from ..motifs.seqlets import extract_seqlets
    from ..motifs.tomtom import tomtom_table

    attr = true_ratio_ism(grammar, codes)
    x = one_hot(codes)
    table, cwms, flanked = extract_seqlets(attr, x, peaks, rows=rows, variants=variants, flip_alt=True,
                                           cut=seqlets["cut"], max_gap=seqlets["max_gap"],
                                           min_size=seqlets["min_size"], flank=int(seqlets.get("flank", 0)))
    if log:
        log.info("true attributions of %d pairs: %d seqlets", len(codes), len(table))
    labels, cwm_of, summary = cluster_seqlets(cwms, threshold=cluster["threshold"],
                                              min_overlap=cluster["min_overlap"], memory_mb=cluster["memory_mb"],
                                              flanked=flanked, flank=int(seqlets.get("flank", 0)))
    big = summary.loc[summary["n_seqlets"] >= cluster["min_seqlets"], "cluster"]
    queries = {f"cluster{c}": cwm_to_pfm(cwm_of[c]) for c in big}
    return summary, tomtom_table(queries, targets)
