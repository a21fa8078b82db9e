"""The three per-motif tests of the delta scores against the ln ratio, BH over all motifs (step 3).

- ``meandiff`` (the paper's method): Welch two-sided t-test of the ln ratio between sequences
  with delta > 0 and delta < 0; the effect is the t statistic (> 0: the allele with more motif
  score has more signal). Needs >= 2 sequences on each side.
- ``correlation``: Pearson r between delta and ln ratio over sequences with a delta (>= 3 and
  not constant).
- ``maggie`` (MAGGIE-style): over the affected sequences (|ln ratio| >= 1),
  ``sign(ratio) * delta`` (0 without hits), Wilcoxon signed-rank test (zeros dropped); the
  effect is the mean of that value.

Each is Benjamini-Hochberg-corrected over *all* motifs (a motif without enough data gets
p = 1), significant at q < ``alpha``. The authors' notebook halves the two-sided p-values of
MeanDiff and MAGGIE before BH (a one-sided test in the observed direction); not by default
(``halve_p=False``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .scan import Scan

METHODS = ("meandiff", "correlation", "maggie")
#: |ln ratio| at or above which a sequence is affected (a 2.7-fold allelic imbalance)
AFFECTED_LN_RATIO = 1.0
#: columns of :func:`motif_tests`, in order
TEST_COLUMNS = ("rank", "motif", "n_hit_ref", "n_hit_alt", "n_with_delta", "n_pos", "n_neg", "mean_ratio_pos",
                "mean_ratio_neg", "meandiff_t", "meandiff_p", "meandiff_q", "pearson_n", "pearson_r", "pearson_p",
                "pearson_q", "maggie_n_nonzero", "maggie_effect", "maggie_statistic", "maggie_p", "maggie_q",
                "n_consistent", "n_opposite", "significant_meandiff", "significant_correlation", "significant_maggie")


def meandiff_test(delta: np.ndarray, ratio: np.ndarray) -> dict:
    """Welch two-sided t-test of the ln ratio between sequences with delta > 0 and delta < 0.

    Parameters
    ----------
    delta : numpy.ndarray
        (N,) delta scores of one motif (NaN: no hit in either allele; such rows are ignored,
        as are rows with delta == 0).
    ratio : numpy.ndarray
        (N,) ln ratios.

    Returns
    -------
    dict
        ``n_pos, n_neg, mean_ratio_pos, mean_ratio_neg, t, p``; ``t`` NaN and ``p`` 1 when
        either side has fewer than 2 sequences or both sides are constant.
    """
    pos, neg = ratio[delta > 0], ratio[delta < 0]
    out = {"n_pos": int(pos.size), "n_neg": int(neg.size),
           "mean_ratio_pos": float(pos.mean()) if pos.size else np.nan,
           "mean_ratio_neg": float(neg.mean()) if neg.size else np.nan, "t": np.nan, "p": 1.0}
    if pos.size >= 2 and neg.size >= 2:
        res = stats.ttest_ind(pos, neg, equal_var=False)
        if np.isfinite(res.pvalue):
            out["t"], out["p"] = float(res.statistic), float(res.pvalue)
    return out


def correlation_test(delta: np.ndarray, ratio: np.ndarray) -> dict:
    """Pearson correlation of delta and ln ratio over sequences with a delta.

    Parameters
    ----------
    delta, ratio : numpy.ndarray
        (N,) delta scores of one motif (NaN: no hit, left out) and ln ratios.

    Returns
    -------
    dict
        ``n, r, p``; ``r`` NaN and ``p`` 1 with fewer than 3 sequences or a constant input.
    """
    have = np.isfinite(delta)
    d, y = delta[have], ratio[have]
    out = {"n": int(have.sum()), "r": np.nan, "p": 1.0}
    if d.size >= 3 and np.ptp(d) > 0 and np.ptp(y) > 0:
        res = stats.pearsonr(d, y)
        out["r"], out["p"] = float(res.statistic), float(res.pvalue)
    return out


def maggie_test(delta: np.ndarray, ratio: np.ndarray, affected: np.ndarray) -> dict:
    """MAGGIE-style test: ``sign(ratio) * delta`` over affected sequences, Wilcoxon signed-rank.

    Parameters
    ----------
    delta, ratio : numpy.ndarray
        (N,) delta scores (NaN = no hit, counted as 0) and ln ratios.
    affected : numpy.ndarray
        (N,) bool, the sequences with |ln ratio| >= 1.

    Returns
    -------
    dict
        ``n_nonzero, effect`` (mean of ``sign(ratio) * delta`` over the affected sequences),
        ``statistic, p``; p = 1 with fewer than 2 non-zero values.
    """
    x = np.sign(ratio[affected]) * np.nan_to_num(delta[affected], nan=0.0)
    nonzero = int(np.count_nonzero(x))
    out = {"n_nonzero": nonzero, "effect": float(x.mean()) if x.size else np.nan, "statistic": np.nan, "p": 1.0}
    if nonzero >= 2:
        res = stats.wilcoxon(x, zero_method="wilcox", alternative="two-sided")
        if np.isfinite(res.pvalue):
            out["statistic"], out["p"] = float(res.statistic), float(res.pvalue)
    return out


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values (NaN p-values count as 1).

    Parameters
    ----------
    p : array-like
        (M,) p-values.

    Returns
    -------
    numpy.ndarray
        (M,) float64 q-values.
    """
    p = np.nan_to_num(np.asarray(p, dtype=np.float64), nan=1.0)
    return stats.false_discovery_control(np.clip(p, 0.0, 1.0), method="bh")


def motif_tests(scan: Scan, alpha: float = 0.05, affected_cutoff: float = AFFECTED_LN_RATIO,
                halve_p: bool = False) -> pd.DataFrame:
    """The three tests for every motif, BH over all motifs, ranked by MeanDiff.

    Parameters
    ----------
    scan : Scan
        FIMO results of both alleles, ``M`` motifs x ``N`` sequences.
    alpha : float
        q-value cutoff for the ``significant_*`` columns.
    affected_cutoff : float
        |ln ratio| at or above which a sequence is affected (MAGGIE-style test).
    halve_p : bool
        Halve the two-sided p of MeanDiff and MAGGIE before BH (the authors' notebook).

    Returns
    -------
    pandas.DataFrame
        One row per motif (``M`` rows), columns :data:`TEST_COLUMNS`: ``rank, motif, n_hit_ref,
        n_hit_alt, n_with_delta, n_pos, n_neg, mean_ratio_pos, mean_ratio_neg, meandiff_t,
        meandiff_p, meandiff_q, pearson_n, pearson_r, pearson_p, pearson_q, maggie_n_nonzero,
        maggie_effect, maggie_statistic, maggie_p, maggie_q, n_consistent, n_opposite`` and
        ``significant_<method>`` (q < alpha), sorted by MeanDiff q, then p, then -|t|, then name
        (``rank`` 1 is the top motif). ``n_consistent`` / ``n_opposite``: affected sequences
        (|ln ratio| >= ``affected_cutoff``) whose motif score changes between the alleles in the
        direction of the motif's MeanDiff association (``sign(ratio) * sign(delta) * sign(t) > 0``)
        or against it (``< 0``); the paper's per-motif "subset of sequences in which the
        direction was consistent". Both 0 when the motif has no MeanDiff direction.
    """
    delta, ratio = scan.delta, scan.ratio
    affected = np.abs(ratio) >= affected_cutoff
    rows = []
    for i, name in enumerate(scan.motifs):
        md = meandiff_test(delta[i], ratio)
        co = correlation_test(delta[i], ratio)
        mg = maggie_test(delta[i], ratio, affected)
        association = np.sign(md["t"]) if np.isfinite(md["t"]) else 0
        direction = np.sign(ratio) * np.sign(np.nan_to_num(delta[i])) * association
        rows.append({"motif": name, "n_hit_ref": int((scan.ref_counts[i] > 0).sum()),
                     "n_hit_alt": int((scan.alt_counts[i] > 0).sum()), "n_with_delta": co["n"],
                     "n_pos": md["n_pos"], "n_neg": md["n_neg"], "mean_ratio_pos": md["mean_ratio_pos"],
                     "mean_ratio_neg": md["mean_ratio_neg"], "meandiff_t": md["t"], "meandiff_p": md["p"],
                     "pearson_n": co["n"], "pearson_r": co["r"], "pearson_p": co["p"],
                     "maggie_n_nonzero": mg["n_nonzero"], "maggie_effect": mg["effect"],
                     "maggie_statistic": mg["statistic"], "maggie_p": mg["p"],
                     "n_consistent": int((affected & (direction > 0)).sum()),
                     "n_opposite": int((affected & (direction < 0)).sum())})
    table = pd.DataFrame(rows)
    if halve_p:
        for col in ("meandiff_p", "maggie_p"):
            table[col] = np.where(table[col] < 1.0, table[col] / 2.0, 1.0)
    for method, col in (("meandiff", "meandiff"), ("correlation", "pearson"), ("maggie", "maggie")):
        table[f"{col}_q"] = bh_qvalues(table[f"{col}_p"].to_numpy()) if len(table) else []
        table[f"significant_{method}"] = table[f"{col}_q"] < alpha
    table["_abs_t"] = -table["meandiff_t"].abs().fillna(0.0)
    table = table.sort_values(["meandiff_q", "meandiff_p", "_abs_t", "motif"], kind="mergesort")
    table = table.drop(columns="_abs_t").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table[list(TEST_COLUMNS)]


def effect_column(method: str) -> str:
    """The column of :func:`motif_tests` holding a method's effect (its sign is the direction).

    Parameters
    ----------
    method : {"meandiff", "correlation", "maggie"}

    Returns
    -------
    str
        ``meandiff_t``, ``pearson_r`` or ``maggie_effect``.

    Raises
    ------
    ValueError
        Another method name.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    return {"meandiff": "meandiff_t", "correlation": "pearson_r", "maggie": "maggie_effect"}[method]
