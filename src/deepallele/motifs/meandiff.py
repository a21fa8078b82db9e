"""The classical motif baseline of Fig S7: FIMO on both alleles, per-motif delta scores, tests.

Steps (reference-spec §3.8; project decisions in ``docs``/README):

1. **Scan.** memelite's FIMO scans every sequence of one allele in one call (one-hot
   ``(N, 4, L)``; padding and N are all-zero columns, which FIMO skips), against every motif on
   both strands, with ``bin_size = 0.1``, ``eps = 1e-4`` and p < ``0.05 / L``. Hits whose window
   runs into the padding are dropped (the sequence ends there).
2. **Delta score.** Per motif and sequence with at least one hit in either allele:
   ``delta = sum(scores of hits in ref) - sum(scores of hits in alt)`` (FIMO's log-odds score,
   log2 units); sequences without hits in both alleles have no delta (NaN).
3. **Tests** per motif, each Benjamini-Hochberg-corrected over *all* motifs (a motif without
   enough data gets p = 1), significant at q < ``alpha`` (0.05):

   - ``meandiff`` (the paper's method): Welch two-sided t-test of the ln ratio between
     sequences with delta > 0 and delta < 0; the effect is the t statistic (> 0: the allele
     with more motif score has more signal). Needs >= 2 sequences on each side.
   - ``correlation``: Pearson r between delta and ln ratio over sequences with a delta
     (>= 3 and not constant).
   - ``maggie`` (MAGGIE-style): over the affected sequences (|ln ratio| >= 1),
     ``sign(ratio) * delta`` (0 without hits), Wilcoxon signed-rank test (zeros dropped); the
     effect is the mean of that value.

   The authors' notebook halves the two-sided p-values of MeanDiff and MAGGIE before BH (a
   one-sided test in the observed direction). Not done by default (``halve_p=False``).
4. **Per sequence** (Fig S7c-f), over the significant motifs of one method: the predicted motif
   effect is ``delta * sign(effect)`` of the motif with the largest ``|delta|``; the direction
   of an affected sequence is the largest ``sign(ratio) * delta * sign(effect)``: > 0 "Same
   direction", < 0 "Opposite direction", 0 "No motif change"; no significant motif hit in
   either allele: "No motif hit". (The notebook uses ``sign(ratio) * delta``, which is the
   same for activating motifs; with ``sign(effect)`` a repressive motif counts the right way.)

All logs are natural logs except FIMO's scores (log2 odds, as FIMO reports them).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..alphabet import PAD_CODE, one_hot
from ..datasets.store import open_pairs
from ..logutil import Progress

log = logging.getLogger("deepallele.motifs.meandiff")
#: motifs per memelite FIMO call (a progress line between calls)
FIMO_CHUNK = 100

METHODS = ("meandiff", "correlation", "maggie")
DIRECTIONS = ("Same direction", "Opposite direction", "No motif change", "No motif hit")
AFFECTED_LN_RATIO = 1.0
PAPER_SCAN_SECONDS = 774.0
TARGET_SCAN_SECONDS = 77.0
#: columns of the per-sequence main-variant table written by the interpretation stage
MAIN_VARIANT_COLUMNS = ("peak", "in_motif", "motif_name")


# ----------------------------------------------------------------------------- inputs

@dataclass
class PairSet:
    """The sequences of one split of a paired dataset.

    Attributes
    ----------
    ref_codes, alt_codes : numpy.ndarray
        (N, L) uint8 codes (A=0 C=1 G=2 T=3 N=4 padding=5).
    ratio : numpy.ndarray
        (N,) float64 ln((1 + ref) / (1 + alt)).
    peak : numpy.ndarray
        (N,) peak names.
    split : str
        The split label the rows carry in the file.
    """

    ref_codes: np.ndarray
    alt_codes: np.ndarray
    ratio: np.ndarray
    peak: np.ndarray
    split: str

    @property
    def length(self) -> int:
        """L, the padded sequence length."""
        return int(self.ref_codes.shape[1])


def load_pair_set(path: str | Path, split: str = "test") -> PairSet:
    """Read one split of a ``pairs.h5`` (:func:`deepallele.datasets.store.open_pairs`).

    Parameters
    ----------
    path : str or pathlib.Path
        The dataset's ``pairs.h5``.
    split : {"test", "val", "train", "all"}
        Which rows; ``"test"`` reads the ``"val"`` rows when the file says ``test_is_val``.

    Raises
    ------
    ValueError
        A missing dataset in the file, a ``y`` without the ratio column, or no rows of the split.
    """
    path = Path(path)
    stored = open_pairs(path, ("ref_codes", "alt_codes", "y", "split", "peak"))
    y = stored["y"]
    if y.ndim != 2 or y.shape[1] < 3:
        raise ValueError(f"{path}: 'y' has shape {y.shape}, expected (N, 3) with the ln ratio last")
    label, rows = stored.label(split), stored.rows(split)
    if rows.size == 0:
        raise ValueError(f"{path}: no rows in split {label!r} (splits present: {sorted(set(stored['split']))})")
    return PairSet(stored["ref_codes"][rows].astype(np.uint8), stored["alt_codes"][rows].astype(np.uint8),
                   y[rows, 2].astype(np.float64), stored["peak"][rows], label)


def sequence_lengths(codes: np.ndarray) -> np.ndarray:
    """Unpadded length of each row: the position of the first padding code, else L."""
    pad = codes == PAD_CODE
    return np.where(pad.any(axis=1), pad.argmax(axis=1), codes.shape[1]).astype(np.int64)


# ----------------------------------------------------------------------------- scan

def scan_threshold(length: int, alpha: float = 0.05) -> float:
    """FIMO p-value threshold ``alpha / L`` (9.07e-5 for the paper's 551 bp ChIP sequences)."""
    return alpha / float(length)


def fimo_hits(motifs: dict[str, np.ndarray], codes: np.ndarray, threshold: float, bin_size: float = 0.1,
              eps: float = 1e-4) -> pd.DataFrame:
    """FIMO hits of every motif in every sequence of one allele (memelite, motifs in chunks).

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        Name -> (4, W) probabilities; ``motif_idx`` in the result is the position in this dict.
    codes : numpy.ndarray
        (N, L) uint8 codes of one allele.
    threshold : float
        p-value threshold.
    bin_size, eps : float
        FIMO's score bin size and the pseudocount added before the log.

    Returns
    -------
    pandas.DataFrame
        ``motif_idx, sequence, start, end, strand, score, p-value`` of the hits that lie wholly
        inside their sequence (not in its padding).
    """
    from memelite import fimo

    if codes.ndim != 2:
        raise ValueError(f"codes must be (N, L), got shape {codes.shape}")
    x = one_hot(codes, n=0, dtype=np.int8)   # N and padding all-zero columns, which FIMO skips
    names = list(motifs)
    frames = []
    # motifs in chunks, each a memelite call, so the log shows how far the scan has come
    progress = Progress(log, f"FIMO {len(codes)} sequences", total=len(names), unit="motifs")
    for start in range(0, len(names), FIMO_CHUNK):
        progress.update(start)
        chunk = {m: motifs[m] for m in names[start:start + FIMO_CHUNK]}
        for f in fimo(chunk, x, bin_size=bin_size, eps=eps, threshold=threshold, reverse_complement=True, dim=0):
            if len(f):
                f = f.copy()
                f["motif_idx"] = f["motif_idx"].astype(np.int64) + start   # index into the whole dict
                frames.append(f)
    progress.update(len(names))
    columns = ["motif_idx", "sequence", "start", "end", "strand", "score", "p-value"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("score", "p-value") else
                                          (object if c == "strand" else np.int64)) for c in columns})
    hits = pd.concat(frames, ignore_index=True).rename(columns={"sequence_name": "sequence"})
    hits = hits[columns].astype({"motif_idx": np.int64, "sequence": np.int64, "start": np.int64, "end": np.int64})
    inside = hits["end"].to_numpy() <= sequence_lengths(codes)[hits["sequence"].to_numpy()]
    return hits[inside].reset_index(drop=True)


def score_sums(hits: pd.DataFrame, n_motifs: int, n_sequences: int) -> tuple[np.ndarray, np.ndarray]:
    """Summed hit scores and hit counts per (motif, sequence).

    Returns
    -------
    sums : numpy.ndarray
        (n_motifs, n_sequences) float64 sum of scores (0 without hits).
    counts : numpy.ndarray
        (n_motifs, n_sequences) int32 number of hits.
    """
    key = hits["motif_idx"].to_numpy() * n_sequences + hits["sequence"].to_numpy()
    size = n_motifs * n_sequences
    sums = np.bincount(key, weights=hits["score"].to_numpy(dtype=np.float64), minlength=size)
    counts = np.bincount(key, minlength=size).astype(np.int32)
    return sums.reshape(n_motifs, n_sequences), counts.reshape(n_motifs, n_sequences)


def delta_scores(ref_sums: np.ndarray, alt_sums: np.ndarray, ref_counts: np.ndarray,
                 alt_counts: np.ndarray) -> np.ndarray:
    """``ref_sums - alt_sums`` where either allele has a hit, NaN elsewhere (no data)."""
    delta = ref_sums - alt_sums
    delta[(ref_counts + alt_counts) == 0] = np.nan
    return delta


@dataclass
class Scan:
    """Per-(motif, sequence) FIMO results of both alleles of a pair set.

    Attributes
    ----------
    motifs : list of str
        Motif names (rows).
    peak : numpy.ndarray
        (N,) peak names (columns).
    ratio : numpy.ndarray
        (N,) ln ratio.
    ref_sums, alt_sums : numpy.ndarray
        (M, N) summed hit scores per allele.
    ref_counts, alt_counts : numpy.ndarray
        (M, N) hit counts per allele.
    """

    motifs: list
    peak: np.ndarray
    ratio: np.ndarray
    ref_sums: np.ndarray
    alt_sums: np.ndarray
    ref_counts: np.ndarray
    alt_counts: np.ndarray

    @property
    def delta(self) -> np.ndarray:
        """(M, N) delta scores, NaN where neither allele has a hit."""
        return delta_scores(self.ref_sums, self.alt_sums, self.ref_counts, self.alt_counts)


def scan_pairs(motifs: dict[str, np.ndarray], pairs: PairSet, threshold: float | None = None,
               bin_size: float = 0.1, eps: float = 1e-4) -> Scan:
    """FIMO on both alleles of every sequence and the per-(motif, sequence) sums.

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        Name -> (4, W) probabilities.
    pairs : PairSet
        The sequences.
    threshold : float, optional
        FIMO p-value threshold; default ``0.05 / L``.
    bin_size, eps : float
        FIMO settings.
    """
    threshold = scan_threshold(pairs.length) if threshold is None else threshold
    n_m, n = len(motifs), len(pairs.ratio)
    out = {}
    for allele, codes in (("ref", pairs.ref_codes), ("alt", pairs.alt_codes)):
        t0 = time.perf_counter()
        hits = fimo_hits(motifs, codes, threshold, bin_size, eps)
        out[allele] = score_sums(hits, n_m, n)
        log.info("FIMO %s allele: %d sequences x %d motifs, %d hits, %.1f s", allele, n, n_m, len(hits),
                 time.perf_counter() - t0)
    return Scan(list(motifs), pairs.peak, pairs.ratio, out["ref"][0], out["alt"][0], out["ref"][1], out["alt"][1])


def write_scan(scan: Scan, path: str | Path) -> Path:
    """Save a :class:`Scan` as a compressed ``.npz`` (written to ``<path>.tmp.npz`` and renamed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, motifs=np.array(scan.motifs, dtype=str), peak=np.array(scan.peak, dtype=str),
                        ratio=scan.ratio, ref_sums=scan.ref_sums.astype(np.float32),
                        alt_sums=scan.alt_sums.astype(np.float32), ref_counts=scan.ref_counts,
                        alt_counts=scan.alt_counts)
    tmp.replace(path)
    return path


def read_scan(path: str | Path) -> Scan:
    """Load a :class:`Scan` written by :func:`write_scan`.

    Raises
    ------
    ValueError
        A missing array or arrays whose shapes disagree (the message names the file).
    """
    path = Path(path)
    with np.load(path, allow_pickle=False) as z:
        keys = ("motifs", "peak", "ratio", "ref_sums", "alt_sums", "ref_counts", "alt_counts")
        missing = [k for k in keys if k not in z.files]
        if missing:
            raise ValueError(f"{path}: not a MeanDiff scan (missing {missing})")
        scan = Scan(list(z["motifs"].astype(str)), z["peak"].astype(object), z["ratio"].astype(np.float64),
                    z["ref_sums"].astype(np.float64), z["alt_sums"].astype(np.float64),
                    z["ref_counts"], z["alt_counts"])
    shape = (len(scan.motifs), len(scan.peak))
    for name in ("ref_sums", "alt_sums", "ref_counts", "alt_counts"):
        if getattr(scan, name).shape != shape:
            raise ValueError(f"{path}: {name} has shape {getattr(scan, name).shape}, expected {shape}")
    return scan


# ----------------------------------------------------------------------------- tests

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
    """Benjamini-Hochberg q-values (NaN p-values count as 1)."""
    p = np.nan_to_num(np.asarray(p, dtype=np.float64), nan=1.0)
    return stats.false_discovery_control(np.clip(p, 0.0, 1.0), method="bh")


def motif_tests(scan: Scan, alpha: float = 0.05, affected_cutoff: float = AFFECTED_LN_RATIO,
                halve_p: bool = False) -> pd.DataFrame:
    """The three tests for every motif, BH over all motifs, ranked by MeanDiff.

    Parameters
    ----------
    scan : Scan
        FIMO results of both alleles.
    alpha : float
        q-value cutoff for the ``significant_*`` columns.
    affected_cutoff : float
        |ln ratio| at or above which a sequence is affected (MAGGIE-style test).
    halve_p : bool
        Halve the two-sided p of MeanDiff and MAGGIE before BH (the authors' notebook).

    Returns
    -------
    pandas.DataFrame
        One row per motif: ``rank, motif, n_hit_ref, n_hit_alt, n_with_delta, n_pos, n_neg,
        mean_ratio_pos, mean_ratio_neg, meandiff_t, meandiff_p, meandiff_q, pearson_n,
        pearson_r, pearson_p, pearson_q, maggie_n_nonzero, maggie_effect, maggie_statistic,
        maggie_p, maggie_q, n_consistent, n_opposite`` and ``significant_<method>`` (q < alpha),
        sorted by MeanDiff q, then p, then -|t|, then name (``rank`` 1 is the top motif).
        ``n_consistent`` / ``n_opposite``: affected sequences (|ln ratio| >= ``affected_cutoff``)
        whose motif score changes between the alleles in the direction of the motif's MeanDiff
        association (``sign(ratio) * sign(delta) * sign(t) > 0``) or against it (``< 0``); the
        paper's per-motif "subset of sequences in which the direction was consistent". Both 0
        when the motif has no MeanDiff direction.
    """
    delta, ratio = scan.delta, scan.ratio
    affected = np.abs(ratio) >= affected_cutoff
    rows = []
    for i, name in enumerate(scan.motifs):
        md = meandiff_test(delta[i], ratio)
        co = correlation_test(delta[i], ratio)
        mg = maggie_test(delta[i], ratio, affected)
        direction = np.sign(ratio) * np.sign(np.nan_to_num(delta[i])) * (np.sign(md["t"]) if np.isfinite(md["t"]) else 0)
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
    order = ["rank", "motif", "n_hit_ref", "n_hit_alt", "n_with_delta", "n_pos", "n_neg", "mean_ratio_pos",
             "mean_ratio_neg", "meandiff_t", "meandiff_p", "meandiff_q", "pearson_n", "pearson_r", "pearson_p",
             "pearson_q", "maggie_n_nonzero", "maggie_effect", "maggie_statistic", "maggie_p", "maggie_q",
             "n_consistent", "n_opposite", "significant_meandiff", "significant_correlation", "significant_maggie"]
    return table[order]


def effect_column(method: str) -> str:
    """The column of :func:`motif_tests` holding a method's effect (its sign is the direction)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    return {"meandiff": "meandiff_t", "correlation": "pearson_r", "maggie": "maggie_effect"}[method]


# ----------------------------------------------------------------------------- per sequence

def sequence_effects(scan: Scan, tests: pd.DataFrame, method: str = "meandiff",
                     affected_cutoff: float = AFFECTED_LN_RATIO) -> pd.DataFrame:
    """Per sequence, the predicted motif effect and the direction class (Fig S7c-f).

    Parameters
    ----------
    scan : Scan
        FIMO results.
    tests : pandas.DataFrame
        :func:`motif_tests` output.
    method : {"meandiff", "correlation", "maggie"}
        Whose significant motifs count.
    affected_cutoff : float
        |ln ratio| at or above which a sequence is affected.

    Returns
    -------
    pandas.DataFrame
        ``peak, ratio, affected, n_sig_motifs_hit, top_motif, predicted_effect, best_agreement,
        best_agreement_motif, direction``: ``predicted_effect`` = ``delta * sign(effect)`` of the
        significant motif with the largest |delta| (NaN: no significant motif hit);
        ``best_agreement`` = max over those motifs of ``sign(ratio) * delta * sign(effect)``;
        ``direction`` one of :data:`DIRECTIONS` for affected sequences, empty otherwise.
    """
    col = effect_column(method)
    sig = tests[tests[f"significant_{method}"]]
    index = {m: i for i, m in enumerate(scan.motifs)}
    rows = np.array([index[m] for m in sig["motif"]], dtype=np.int64)
    sign = np.sign(sig[col].to_numpy(dtype=np.float64))
    n = len(scan.peak)
    ratio = scan.ratio
    affected = np.abs(ratio) >= affected_cutoff
    out = pd.DataFrame({"peak": scan.peak, "ratio": ratio, "affected": affected})
    if rows.size == 0:
        out["n_sig_motifs_hit"] = 0
        out["top_motif"] = ""
        out["predicted_effect"] = np.nan
        out["best_agreement"] = np.nan
        out["best_agreement_motif"] = ""
    else:
        signed = scan.delta[rows] * sign[:, None]  # (S, N), NaN where no hit
        hit = np.isfinite(signed)
        any_hit = hit.any(axis=0)
        names = sig["motif"].to_numpy(dtype=object)
        strongest = np.argmax(np.where(hit, np.abs(signed), -1.0), axis=0)
        agreement = np.sign(ratio)[None, :] * signed
        best = np.argmax(np.where(hit, agreement, -np.inf), axis=0)
        cols = np.arange(n)
        out["n_sig_motifs_hit"] = hit.sum(axis=0)
        out["top_motif"] = np.where(any_hit, names[strongest], "")
        out["predicted_effect"] = np.where(any_hit, signed[strongest, cols], np.nan)
        out["best_agreement"] = np.where(any_hit, agreement[best, cols], np.nan)
        out["best_agreement_motif"] = np.where(any_hit, names[best], "")
    b = out["best_agreement"].to_numpy()
    direction = np.select([~np.isfinite(b), b > 0, b < 0], [DIRECTIONS[3], DIRECTIONS[0], DIRECTIONS[1]],
                          default=DIRECTIONS[2])
    out["direction"] = np.where(affected, direction, "")
    return out


def direction_summary(effects: pd.DataFrame) -> pd.DataFrame:
    """Counts and percentages of the direction classes among affected sequences.

    Returns
    -------
    pandas.DataFrame
        ``direction, n, percent`` in :data:`DIRECTIONS` order (all four rows, zeros included).
    """
    aff = effects[effects["affected"]]
    counts = aff["direction"].value_counts().reindex(list(DIRECTIONS), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({"direction": list(DIRECTIONS), "n": counts.to_numpy(dtype=int),
                         "percent": 100.0 * counts.to_numpy() / total if total else np.zeros(len(DIRECTIONS))})


# ----------------------------------------------------------------------------- DeepAllele comparison

def read_main_variants(path: str | Path) -> pd.DataFrame:
    """Read the interpretation stage's per-sequence main variants.

    Expected file (``results/<dataset>/interpret/main_variants.tsv``): one row per interpreted
    sequence with at least ``peak`` (str), ``in_motif`` (bool: the main variant lies in a named
    motif) and ``motif_name`` (str, empty when outside).

    Raises
    ------
    ValueError
        Missing columns or a duplicated peak (the message names the file).
    """
    path = Path(path)
    table = pd.read_csv(path, sep="\t", dtype={"peak": str, "motif_name": str}, keep_default_na=False)
    missing = [c for c in MAIN_VARIANT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(MAIN_VARIANT_COLUMNS)}")
    if table["peak"].duplicated().any():
        raise ValueError(f"{path}: duplicated peak(s) {table.loc[table['peak'].duplicated(), 'peak'].head().tolist()}")
    as_bool = table["in_motif"].astype(str).str.strip().str.lower().map(
        {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False, "": False})
    if as_bool.isna().any():
        raise ValueError(f"{path}: in_motif must be true/false, got {table.loc[as_bool.isna(), 'in_motif'].head().tolist()}")
    table["in_motif"] = as_bool.astype(bool)
    return table


def compare_with_deepallele(effects: pd.DataFrame, main_variants: pd.DataFrame | None) -> pd.DataFrame:
    """How many affected sequences each method explains.

    MeanDiff explains an affected sequence when a significant motif changes in the same
    direction as the ratio (``direction == "Same direction"``); DeepAllele explains it when its
    main variant lies in a named motif (``in_motif``). Affected sequences absent from
    ``main_variants`` count as not explained by DeepAllele.

    Parameters
    ----------
    effects : pandas.DataFrame
        :func:`sequence_effects` output.
    main_variants : pandas.DataFrame or None
        :func:`read_main_variants` output; ``None`` when the interpretation stage has not run
        (DeepAllele rows then say ``not available``).

    Returns
    -------
    pandas.DataFrame
        ``category, n, percent, status``: rows ``affected``, ``meandiff_explains``,
        ``deepallele_explains`` (main variant in a motif), ``deepallele_explains_tf_named`` (in a
        motif that TomTom named after a TF, i.e. ``motif_name`` not empty and not ``cluster <k>``),
        ``both``, ``deepallele_only``, ``meandiff_only``, ``neither``; percentages of the affected
        sequences.
    """
    aff = effects[effects["affected"]]
    total = len(aff)
    md = (aff["direction"] == DIRECTIONS[0]).to_numpy()
    pct = (lambda k: 100.0 * k / total if total else np.nan)
    rows = [("affected", total, 100.0 if total else np.nan, "ok"),
            ("meandiff_explains", int(md.sum()), pct(md.sum()), "ok")]
    if main_variants is None:
        for cat in ("deepallele_explains", "deepallele_explains_tf_named", "both", "deepallele_only", "meandiff_only",
                    "neither"):
            rows.append((cat, np.nan, np.nan, "not available"))
    else:
        in_motif = dict(zip(main_variants["peak"], main_variants["in_motif"]))
        names = dict(zip(main_variants["peak"], main_variants["motif_name"].fillna("").astype(str)))
        da = np.array([bool(in_motif.get(p, False)) for p in aff["peak"]], dtype=bool)
        # the interpretation stage names a motif "cluster <k>" when TomTom found no TF for it
        tf_named = da & np.array([bool(names.get(p, "")) and not names.get(p, "").startswith("cluster")
                                  for p in aff["peak"]], dtype=bool)
        n_covered = int(aff["peak"].isin(main_variants["peak"]).sum())
        status = "ok" if n_covered == total else f"ok ({n_covered} of {total} affected sequences interpreted)"
        for cat, mask in (("deepallele_explains", da), ("deepallele_explains_tf_named", tf_named),
                          ("both", da & md), ("deepallele_only", da & ~md), ("meandiff_only", ~da & md),
                          ("neither", ~da & ~md)):
            rows.append((cat, int(mask.sum()), pct(mask.sum()), status))
    return pd.DataFrame(rows, columns=["category", "n", "percent", "status"])


# ----------------------------------------------------------------------------- motif similarity (TomTom)

def tomtom_pvalues(names: list[str], motifs: dict[str, np.ndarray]) -> np.ndarray:
    """TomTom p-values (memelite, both strands) of some motifs against the whole database.

    The named motifs are the queries and every motif of ``motifs`` a target: TomTom's p-values
    use the target columns as the null, which needs a large target set.

    Parameters
    ----------
    names : list of str
        Query motifs (keys of ``motifs``).
    motifs : dict of str to numpy.ndarray
        The database (name -> (4, W)).

    Returns
    -------
    numpy.ndarray
        (len(names), len(motifs)) p-values, columns in ``motifs`` order.
    """
    from memelite import tomtom

    missing = [m for m in names if m not in motifs]
    if missing:
        raise ValueError(f"motif(s) {missing} are not in the motif database")
    p, *_ = tomtom([motifs[m] for m in names], list(motifs.values()))
    return np.asarray(p, dtype=np.float64)


def similar_to(motifs: dict[str, np.ndarray], planted: list[str], max_p: float = 1e-2) -> dict[str, str]:
    """Motifs TomTom-similar to a planted one.

    Parameters
    ----------
    motifs : dict of str to numpy.ndarray
        The database (name -> (4, W)).
    planted : list of str
        Names of the planted motifs (keys of ``motifs``).
    max_p : float
        TomTom p-value at or below which a motif counts as similar. 0.01 takes in the ETS
        relatives of SPI1 (ETS1, ERG, FLI1: p ~ 1e-3) and the MAF relatives of AP-1; about 80
        of the 746 JASPAR 2020 motifs resemble SPI1 or FOS::JUN at this level.

    Returns
    -------
    dict of str to str
        Name of each non-planted similar motif -> the planted motif it is most similar to.
    """
    p = tomtom_pvalues(planted, motifs)  # (planted, database)
    out = {}
    for i, name in enumerate(motifs):
        j = int(np.argmin(p[:, i]))
        if name not in planted and p[j, i] <= max_p:
            out[name] = planted[j]
    return out


def motif_distances(names: list[str], motifs: dict[str, np.ndarray], cap: float = 10.0) -> np.ndarray:
    """Pairwise distances of some motifs from TomTom (for ordering them as a tree).

    ``d = 1 - min(-log10 p, cap) / cap`` with ``p`` the smaller of the two directions' TomTom
    p-values against the whole database: 0 for (near-)identical motifs, 1 for unrelated ones.

    Returns
    -------
    numpy.ndarray
        (k, k) symmetric distances with a zero diagonal.
    """
    p = tomtom_pvalues(names, motifs)
    cols = [list(motifs).index(n) for n in names]
    pair = p[:, cols]
    pair = np.minimum(pair, pair.T)
    d = 1.0 - np.minimum(-np.log10(np.clip(pair, 1e-300, 1.0)), cap) / cap
    np.fill_diagonal(d, 0.0)
    return d


# ----------------------------------------------------------------------------- benchmark

def random_pair_set(n_pairs: int, length: int, snp_rate: float = 0.01, seed: int = 0) -> PairSet:
    """Random sequence pairs (uniform bases, the alt allele with ``snp_rate`` SNPs) and random
    ln ratios, for timing the scan at the paper's size."""
    rng = np.random.default_rng(seed)
    ref = rng.integers(0, 4, (n_pairs, length), dtype=np.uint8)
    alt = ref.copy()
    snp = rng.random((n_pairs, length)) < snp_rate
    alt[snp] = (alt[snp] + rng.integers(1, 4, int(snp.sum()), dtype=np.uint8)) % 4
    ratio = rng.normal(0.0, 0.7, n_pairs)
    peak = np.array([f"bench{i}" for i in range(n_pairs)], dtype=object)
    return PairSet(ref, alt, ratio, peak, "test")


def benchmark_scan(motifs: dict[str, np.ndarray], n_pairs: int = 8380, length: int = 551, seed: int = 0,
                   threads: int | None = None) -> pd.DataFrame:
    """Time the FIMO scan + delta scores + tests on a random pair set of the paper's size.

    The numba JIT is paid before timing (a one-sequence warm-up scan), so the numbers are the
    steady-state cost a workflow job pays once memelite's cache exists.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_pairs, length, n_motifs, threads, scan_seconds, tests_seconds, seconds,
        hits_ref, hits_alt, target_seconds, paper_seconds, speedup_vs_paper, meets_target``
        (``seconds`` = scan + tests, compared with the target).
    """
    import numba

    previous = numba.get_num_threads()
    if threads:
        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    used = numba.get_num_threads()
    try:
        pairs = random_pair_set(n_pairs, length, seed=seed)
        warm = PairSet(pairs.ref_codes[:1], pairs.alt_codes[:1], pairs.ratio[:1], pairs.peak[:1], "test")
        scan_pairs(motifs, warm)
        t0 = time.perf_counter()
        scan = scan_pairs(motifs, pairs)
        t1 = time.perf_counter()
        motif_tests(scan)
        t2 = time.perf_counter()
    finally:
        numba.set_num_threads(previous)
    seconds = t2 - t0
    return pd.DataFrame([{
        "n_pairs": n_pairs, "length": length, "n_motifs": len(motifs), "threads": used,
        "scan_seconds": round(t1 - t0, 4), "tests_seconds": round(t2 - t1, 4), "seconds": round(seconds, 4),
        "hits_ref": int(scan.ref_counts.sum()), "hits_alt": int(scan.alt_counts.sum()),
        "target_seconds": TARGET_SCAN_SECONDS, "paper_seconds": PAPER_SCAN_SECONDS,
        "speedup_vs_paper": round(PAPER_SCAN_SECONDS / seconds, 1), "meets_target": bool(seconds <= TARGET_SCAN_SECONDS),
    }])
