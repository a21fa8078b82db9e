"""Checks of a paired-allele dataset against its sources and the simulator's truth.

:func:`dataset_metrics` reads the finished ``pairs.h5`` (so storage and encoding are checked
too) and compares it with

* the reference FASTA (``ref_matches_fasta``);
* the simulator's own strain genome and its own variant map (the simulator's
  :class:`~deepallele.simulate.variants.ShiftMap` built from the VCF, independent of the
  workflow's chain): the homologous interval and the strain sequence of every peak;
* the variant table's positions (SNPs and every complete edit in both alleles), the net
  indel length of each window, and the simulator's per-region variant truth;
* the counts table (targets) and the planted regions (peaks on a region).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pysam

from ..alphabet import PAD_CODE, decode
from ..datasets.pairs import check_variants
from ..datasets.store import read_pairs_h5
from .table import share_row, validation_table


def _shift_maps(vcf) -> dict:
    from ..simulate.variants import ShiftMap, Variant

    variants: dict[str, list] = {}
    with pysam.VariantFile(str(vcf)) as vf:
        for rec in vf:
            variants.setdefault(rec.chrom, []).append(Variant(rec.chrom, rec.pos - 1, rec.ref, rec.alts[0]))
    return {c: ShiftMap(sorted(v, key=lambda x: x.pos)) for c, v in variants.items()}


def truth_strain_intervals(chrom, start, end, vcf) -> tuple[np.ndarray, np.ndarray]:
    """Homologous strain interval of each reference window by the simulator's variant map.

    The interval runs from the strain base of the first reference base at or after ``start``
    that survives in the strain to just after the strain base of the last one before ``end``
    (no trimming; see :func:`trim_interval`).
    """
    from ..simulate.variants import ShiftMap

    maps = _shift_maps(vcf)
    chrom = np.asarray(chrom, dtype=object)
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    t_start = np.zeros(start.shape, dtype=np.int64)
    t_end = np.zeros(start.shape, dtype=np.int64)
    for c in (np.unique(chrom) if chrom.size else []):
        sel = np.flatnonzero(chrom == c)
        m = maps.get(c, ShiftMap([]))
        t_start[sel] = m.to_strain_nearest(start[sel])
        last = m.to_strain(end[sel] - 1)
        t_end[sel] = np.where(last >= 0, last + 1, m.to_strain_nearest(end[sel] - 1))
    return t_start, np.maximum(t_end, t_start)


def trim_interval(start, end, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Intervals longer than ``length`` lose ``excess // 2`` bases on the left and the rest on
    the right (the dataset's rule)."""
    start, end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
    excess = np.maximum(end - start - length, 0)
    return start + excess // 2, end - (excess - excess // 2)


def dataset_metrics(h5: str | Path, reference_fasta, vcf, truth_strain_fasta=None, truth_regions=None,
                    truth_variants=None, counts=None) -> pd.DataFrame:
    """Validation metrics of a paired-allele dataset.

    Parameters
    ----------
    h5 : str or pathlib.Path
        ``data/pairs.h5``.
    reference_fasta : str or pathlib.Path
        Reference FASTA.
    vcf : str or pathlib.Path
        Strain VCF (the simulator's: every record applied, homozygous).
    truth_strain_fasta : str or pathlib.Path, optional
        The simulator's strain genome (``truth/strain.fa``).
    truth_regions, truth_variants : str or pathlib.Path, optional
        The dataset's ``truth/regions.tsv`` and ``truth/variants.tsv``.
    counts : str or pathlib.Path, optional
        ``counts/allele_counts.tsv`` the dataset was built from.

    Returns
    -------
    pandas.DataFrame
        The ``dataset`` validation table (:mod:`deepallele.validation.table`).
    """
    data = read_pairs_h5(h5)
    length = int(data["attrs"]["sequence_length"])
    n = len(data["peak"])
    rows = []

    def add(metric, value, n=None, **extra):
        rows.append({"metric": metric, "value": value, "n": n, **extra})

    def add_share(metric, mask):
        rows.append(share_row(metric, mask, 6))

    chrom, start, end = data["chrom"], data["start"], data["end"]
    ref_len, alt_len = data["ref_length"], data["alt_length"]
    add("n_peaks", n)
    for label in ("train", "val", "test"):
        # the paper's scheme has no test split of its own (test = val): its goal is 0
        paper_scheme = label == "test" and data["attrs"].get("test_is_val")
        add(f"n_{label}", int((data["split"] == label).sum()),
            goal_key="n_test (paper scheme)" if paper_scheme else f"n_{label}")

    pos = np.arange(length)
    padding_ok = np.ones(n, dtype=bool)
    for codes, lens in ((data["ref_codes"], ref_len), (data["alt_codes"], alt_len)):
        inside = pos[None, :] < lens[:, None]
        padding_ok &= ((codes == PAD_CODE) != inside).all(axis=1)
    add_share("padding_consistent", padding_ok)
    add_share("ref_length_is_window", ref_len == end - start)

    with pysam.FastaFile(str(reference_fasta)) as fa:
        same = [decode(data["ref_codes"][i, :ref_len[i]]) == fa.fetch(chrom[i], int(start[i]), int(end[i])).upper()
                for i in range(n)]
    add_share("ref_matches_fasta", same)

    if truth_strain_fasta is not None:
        ts_full, te_full = truth_strain_intervals(chrom, start, end, vcf)
        t_start, t_end = trim_interval(ts_full, te_full, length)
        homologous = ((data["strain_start"] - data["strain_trim_left"] == ts_full)
                      & (data["strain_end"] + data["strain_trim_right"] == te_full))
        add_share("strain_interval_matches_truth", homologous)
        with pysam.FastaFile(str(truth_strain_fasta)) as truth:
            same = [decode(data["alt_codes"][i, :alt_len[i]]) == truth.fetch(chrom[i], int(t_start[i]), int(t_end[i])).upper()
                    for i in range(n)]
        add_share("strain_sequence_matches_truth", same)

    variants = data["variants"]
    complete = variants["complete"].to_numpy(dtype=bool)
    ok = check_variants(data["ref_codes"], data["alt_codes"], variants)
    snp = (variants["kind"] == "snp").to_numpy() & complete
    add("variants", len(variants))
    add_share("variants_complete", complete)
    add_share("variants_snp_check", ok[snp])
    add_share("variants_edit_check", ok[complete])
    indel = variants["kind"].isin(["ins", "del", "complex"]).to_numpy()
    add_share("peaks_with_indel", np.isin(np.arange(n), variants["peak_index"].to_numpy()[indel]))

    # net indel length of each window = allele length difference (untrimmed, all edits complete)
    delta = np.zeros(n, dtype=np.int64)
    cut = np.zeros(n, dtype=bool)
    pi = variants["peak_index"].to_numpy()
    np.add.at(delta, pi, variants["alt_edit"].str.len().to_numpy() - variants["ref_edit"].str.len().to_numpy())
    cut[pi[~complete]] = True
    untrimmed = (data["strain_trim_left"] + data["strain_trim_right"] == 0) & ~cut
    add_share("length_difference_matches_variants", (alt_len - ref_len == delta)[untrimmed])
    add("strain_alleles_trimmed", int((~(data["strain_trim_left"] + data["strain_trim_right"] == 0)).sum()))

    if truth_regions is not None:
        regions = pd.read_csv(truth_regions, sep="\t", dtype={"chrom": str})
        hit = np.zeros(n, dtype=bool)
        for c, grp in regions.groupby("chrom"):
            summits = np.sort(grp["summit"].to_numpy())
            sel = np.flatnonzero(chrom == c)
            i = np.searchsorted(summits, data["peak_start"][sel])
            ok_i = i < summits.size
            hit[sel[ok_i]] = summits[i[ok_i]] < data["peak_end"][sel][ok_i]
        add_share("peaks_with_truth_region", hit)

    if truth_variants is not None:
        truth = pd.read_csv(truth_variants, sep="\t", dtype={"chrom": str})
        listed = set(zip(pi.tolist(), variants["id"]))
        expected = found = 0
        for c, grp in truth.groupby("chrom"):
            sel = np.flatnonzero(chrom == c)
            if not sel.size:
                continue
            v0 = grp["pos"].to_numpy() - 1
            v1 = v0 + grp["ref"].str.len().to_numpy()
            inside = (start[sel][None, :] <= v0[:, None]) & (end[sel][None, :] >= v1[:, None])
            inside &= (data["strain_trim_left"][sel] + data["strain_trim_right"][sel] == 0)[None, :]
            for k, j in zip(*np.nonzero(inside)):
                expected += 1
                found += (int(sel[j]), grp["variant_id"].iloc[k]) in listed
        add("truth_variants_listed", round(found / expected, 6) if expected else float("nan"), expected,
            successes=found)
        add("truth_variants_in_windows", expected)

    if counts is not None:
        table = pd.read_csv(counts, sep="\t").set_index("peak").reindex(data["peak"])
        y = data["y"]
        same = ((table["ref_count"].to_numpy() == data["ref_count"]) & (table["alt_count"].to_numpy() == data["alt_count"])
                & (np.abs(y[:, 2] - table["ln_ratio"].to_numpy()) < 1e-5)
                & (np.abs(y[:, 0] - np.log1p(data["ref_count"])) < 1e-5))
        add_share("targets_match_counts", same)
    return validation_table("dataset", rows)
