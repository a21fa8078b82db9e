"""The scATAC path against the simulator's truth: barcodes, fragments, alleles, pseudo-bulk ratios.

Rows of ``results/<dataset>/validation/scatac.tsv`` (:mod:`deepallele.validation.table`; the
goals, in ``goals.yaml``, were fixed with the path's design, before the first run that they
judge; each judged row is decided from at least 20 cases):

``barcode_right``
    Of the read pairs in the allele BAMs that come from true cells and carry at most one
    sequencing error in their barcode: the share whose ``CB`` is the true barcode (goal >= 0.99).
``barcode_wrong_whitelisted``
    Of the same pairs: the share given another (whitelisted) barcode (goal < 0.001).
``fragments_recovered``
    Of the true fragments of the table's cells on the contigs the alignment keeps (its
    ``exclude_contigs``, e.g. chrM, are out of scope by configuration) whose length after the
    Tn5 shift passes the stated filters: the share found at exact coordinates (start + 4,
    end - 5) with their cell in the ref, alt or tie fragment files (goal >= 0.99). The context
    row ``fragments_collapsed_by_design`` is the share of those truth fragments that the
    builder's duplicate collapse (sinto's, by default: one fragment per shared start or end
    within a barcode, one barcode per shared start and end) removes when applied to the truth
    itself; 1 minus it bounds what can be recovered. ``fragments_recovered_not_collapsed`` is
    the recovery among the truth fragments that collapse keeps (what the read stages lose).
``allele_correct``
    Of the recovered fragments that the split called for one allele (ref or alt and not a tie):
    the share called for their true allele (goal >= 0.99).
``pseudobulk_ratio_pearson``
    Pearson r of the chosen type's pseudo-bulk ln ratio with its truth over peaks with >= 50
    fragments (goal >= 0.9).
``type_specific_closer``
    Over peaks whose true ratio differs between the types (>= 50 fragments): mean absolute
    error of the chosen type's pseudo-bulk minus that of all table cells pooled (goal < 0: the
    chosen type is closer to its own truth).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .table import share_row, validation_table

log = logging.getLogger("deepallele.validation.scatac")

#: pseudo-bulk peaks need at least this many fragments (ref + alt) to enter the ratio checks
MIN_PEAK_FRAGMENTS = 50
_SUFFIX = re.compile(r"-\d+$")


def _strip_suffix(barcodes: pd.Series) -> pd.Series:
    return barcodes.astype(str).str.replace(_SUFFIX, "", regex=True)


def bam_barcodes(bams) -> pd.DataFrame:
    """Read name and ``CB`` (empty when absent) of every read pair (its read 1) of the BAMs."""
    import pysam

    names, barcodes = [], []
    for path in bams:
        with pysam.AlignmentFile(str(path)) as bam:
            for read in bam.fetch(until_eof=True):
                if not read.is_read1 or read.is_secondary or read.is_supplementary:
                    continue
                names.append(read.query_name)
                barcodes.append(read.get_tag("CB") if read.has_tag("CB") else "")
    return pd.DataFrame({"read_name": names, "barcode": barcodes}).drop_duplicates("read_name")


def barcode_rows(bams, truth_reads: pd.DataFrame, truth_cells: pd.DataFrame) -> list[dict]:
    """``barcode_right`` and ``barcode_wrong_whitelisted`` (see the module docstring)."""
    seen = bam_barcodes(bams)
    seen["read_name"] = seen["read_name"].str.replace(r"/\d$", "", regex=True)
    truth = truth_reads.assign(read_name=truth_reads["read_name"].astype(str).str.replace(r"/\d$", "", regex=True))
    cells = set(truth_cells.loc[truth_cells["is_cell"].astype(bool), "barcode"].astype(str))
    merged = seen.merge(truth, on="read_name", how="inner")
    judged = merged[merged["true_barcode"].astype(str).isin(cells) & (merged["n_barcode_errors"] <= 1)]
    observed = _strip_suffix(judged["barcode"])
    right = int((observed == judged["true_barcode"].astype(str)).sum())
    wrong = int(((observed != "") & (observed != judged["true_barcode"].astype(str))).sum())
    n = len(judged)
    return [
        {"metric": "barcode_right", "value": right / n if n else np.nan, "n": n, "successes": right},
        {"metric": "barcode_wrong_whitelisted", "value": wrong / n if n else np.nan, "n": n, "successes": wrong},
        {"metric": "barcode_pairs_in_bams_not_in_truth", "value": int(len(seen) - len(merged))},
    ]


def _keys(table: pd.DataFrame) -> pd.Series:
    return (table["chrom"].astype(str) + ":" + table["start"].astype(str) + "-" + table["end"].astype(str) + ":"
            + _strip_suffix(table["barcode"]))


def fragment_rows(truth_fragments: pd.DataFrame, table_cells: set[str], fragments: Mapping[str, pd.DataFrame],
                  min_length: int, max_length: int, shift_plus: int = 4, shift_minus: int = -5,
                  exclude_contigs: Sequence[str] = (), dedup: str = "sinto") -> list[dict]:
    """``fragments_recovered`` and ``allele_correct`` (see the module docstring).

    ``exclude_contigs`` are the alignment's glob patterns of contigs it drops; ``dedup`` the
    builder's duplicate collapse.
    """
    from ..reads.filter import excluded_contigs
    from ..scatac.fragments import collapse_fragments

    shifted = truth_fragments.assign(start=truth_fragments["ref_start"] + shift_plus,
                                     end=truth_fragments["ref_end"] + shift_minus)
    dropped = excluded_contigs(sorted(set(shifted["chrom"].astype(str))), list(exclude_contigs))
    shifted = shifted[~shifted["chrom"].astype(str).isin(dropped)]
    length = shifted["end"] - shifted["start"]
    shifted = shifted[(length >= min_length) & (length <= max_length)]
    # what the duplicate collapse keeps when every true fragment (cells or not) reaches it
    kept = collapse_fragments(shifted[["chrom", "start", "end", "barcode"]].assign(
        count=shifted["n_reads"].astype("int64")), dedup)
    truth = shifted[shifted["barcode"].astype(str).isin(table_cells)]
    keys = _keys(truth)
    collapsed = ~keys.isin(set(_keys(kept)))
    found = {k: set(_keys(t)) for k, t in fragments.items()}
    anywhere = found["ref"] | found["alt"] | found["ties"]
    recovered = keys.isin(anywhere)
    ref_only, alt_only = found["ref"] - found["ties"], found["alt"] - found["ties"]
    called_ref, called_alt = keys.isin(ref_only), keys.isin(alt_only)
    informative = recovered & (called_ref ^ called_alt)
    correct = informative & np.where(truth["allele"].astype(str) == "ref", called_ref, called_alt)
    n_inf, n_recovered = int(informative.sum()), int(recovered.sum())
    ties = int((recovered & keys.isin(found["ties"])).sum())
    return [
        share_row("fragments_recovered", recovered, None),
        {"metric": "allele_correct", "value": correct.sum() / n_inf if n_inf else np.nan, "n": n_inf,
         "successes": int(correct.sum())},
        share_row("fragments_collapsed_by_design", collapsed, None),
        share_row("fragments_recovered_not_collapsed", recovered[~collapsed], None),
        {"metric": "fragments_tie_share", "value": ties / max(n_recovered, 1), "n": n_recovered, "successes": ties},
    ]


def pseudobulk_rows(counts: pd.DataFrame, truth_peaks: pd.DataFrame, cell_type: str,
                    pooled: pd.DataFrame | None = None) -> list[dict]:
    """``pseudobulk_ratio_pearson`` and ``type_specific_closer`` (see the module docstring)."""
    column = f"ln_ratio_{cell_type}"
    if column not in truth_peaks:
        return [{"metric": "pseudobulk_ratio_pearson", "value": np.nan, "n": 0, "note": f"the truth has no {column}"}]
    merged = counts.merge(truth_peaks.rename(columns={"region_id": "peak"}), on="peak", how="inner")
    deep = merged[(merged["ref_count"] + merged["alt_count"]) >= MIN_PEAK_FRAGMENTS]
    r = float(np.corrcoef(deep["ln_ratio"], deep[column])[0, 1]) if len(deep) > 2 else np.nan
    rows = [{"metric": "pseudobulk_ratio_pearson", "value": r, "n": len(deep)},
            {"metric": "pseudobulk_peaks_with_50_fragments", "value": len(deep) / max(len(merged), 1),
             "n": len(merged), "successes": len(deep)}]
    if pooled is not None and "type_specific_ratio" in truth_peaks:
        both = deep.merge(pooled[["peak", "ln_ratio"]].rename(columns={"ln_ratio": "pooled_ln_ratio"}), on="peak")
        specific = both[both["type_specific_ratio"].astype(bool)]
        if len(specific):
            own = float(np.mean(np.abs(specific["ln_ratio"] - specific[column])))
            pool = float(np.mean(np.abs(specific["pooled_ln_ratio"] - specific[column])))
            rows += [{"metric": "type_specific_closer", "value": own - pool, "n": len(specific)},
                     {"metric": "type_specific_mae_chosen", "value": own, "n": len(specific)},
                     {"metric": "type_specific_mae_pooled", "value": pool, "n": len(specific)}]
        else:
            rows.append({"metric": "type_specific_closer", "value": np.nan, "n": 0})
    return rows


def validate_scatac(inputs: Mapping, out_tsv, fragments: Mapping | None = None, cell_type="Treg",
                    exclude_contigs: Sequence[str] = ()) -> pd.DataFrame:
    """Every scATAC validation row, written to ``out_tsv`` (:mod:`deepallele.validation.table`).

    Parameters
    ----------
    inputs : mapping
        ``truth_cells``, ``truth_reads``, ``truth_fragments``, ``truth_peaks`` (the simulator's
        truth), ``cell_types`` (the table the pipeline read), ``bam_ref``/``bam_alt`` (allele
        BAMs), ``ref``/``alt``/``ties`` (fragment files), ``counts`` (pseudo-bulk table),
        ``peaks`` (the counted peak set).
    fragments : mapping, optional
        The fragment filters (``min_length``, ``max_length``) the run used.
    cell_type : str or list of str
        The modelled type(s); the ratio rows judge a single type.
    exclude_contigs : sequence of str
        The alignment's ``exclude_contigs`` glob patterns (their fragments are out of scope).
    """
    from ..scatac.counting import peak_cell_counts, pseudobulk_counts, read_cell_types
    from ..scatac.fragments import read_fragments
    from ..scatac.pipeline import counting_peaks

    options = dict(fragments or {})
    types = [cell_type] if isinstance(cell_type, str) else list(cell_type)
    truth_cells = pd.read_csv(inputs["truth_cells"], sep="\t", dtype={"barcode": str, "cell_type": str},
                              keep_default_na=False)
    truth_reads = pd.read_csv(inputs["truth_reads"], sep="\t")
    truth_fragments = pd.read_csv(inputs["truth_fragments"], sep="\t")
    truth_peaks = pd.read_csv(inputs["truth_peaks"], sep="\t")
    table = read_cell_types(inputs["cell_types"])
    table = table.assign(barcode=_strip_suffix(table["barcode"]))
    bams = [*_as_list(inputs["bam_ref"]), *_as_list(inputs["bam_alt"])]
    rows = barcode_rows(bams, truth_reads, truth_cells)
    sets = {k: read_fragments(inputs[k]) for k in ("ref", "alt", "ties")}
    rows += fragment_rows(truth_fragments, set(table["barcode"]), sets, int(options.get("min_length", 10)),
                          int(options.get("max_length", 5000)), exclude_contigs=exclude_contigs,
                          dedup=options.get("dedup", "sinto"))
    counts = pd.read_csv(inputs["counts"], sep="\t")
    # every table cell, whatever its type, pooled: what a pseudo-bulk without cell types would be
    peaks = counting_peaks(inputs["peaks"])
    cells = sorted(set(table["barcode"]))
    ref = sets["ref"].assign(barcode=_strip_suffix(sets["ref"]["barcode"]))
    alt = sets["alt"].assign(barcode=_strip_suffix(sets["alt"]["barcode"]))
    pooled = pseudobulk_counts(peak_cell_counts(ref, peaks, cells), peak_cell_counts(alt, peaks, cells), peaks)
    if len(types) == 1:
        rows += pseudobulk_rows(counts, truth_peaks, types[0], pooled)
    else:
        rows.append({"metric": "pseudobulk_ratio_pearson", "value": np.nan,
                     "goal_key": "pseudobulk_ratio_pearson (several cell types)",
                     "note": f"several cell types pooled ({', '.join(types)}): no single truth"})
    with_fragments = len(set(table["barcode"]) & set(_strip_suffix(pd.concat([ref["barcode"], alt["barcode"]]))))
    rows.append({"metric": "table_cells_with_fragments", "value": with_fragments / max(len(table), 1),
                 "n": len(table), "successes": with_fragments})
    out = validation_table("scatac", rows)
    path = Path(out_tsv)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    out.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
    tmp.replace(path)
    for row in out.to_dict("records"):
        log.info("%s = %s (goal %s, n %s) %s", row["metric"], row["value"], row["goal"], row["n"], row["status"])
    return out


def _as_list(value) -> list:
    return [value] if isinstance(value, (str, Path)) else list(value)
