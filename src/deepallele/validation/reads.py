"""The read stages against the simulator's truth (``validation/reads.tsv``).

Every read pair of a simulated dataset has a known allele and known origin in both genomes,
every region a known allelic ratio. This module compares the workflow's allele BAMs and count
table with that truth.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pysam
from scipy import stats

from ..reads.liftover import cigar_from_string
from ..simulate.variants import ShiftMap, Variant
from .table import share_row, validation_table


def _variant_intervals(vcf: str | Path) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per chromosome: sorted REF starts, ends (0-based, half-open) and an is-indel flag."""
    rows: dict[str, list] = {}
    with pysam.VariantFile(str(vcf)) as vf:
        for rec in vf:
            rows.setdefault(rec.chrom, []).append((rec.pos - 1, rec.pos - 1 + len(rec.ref),
                                                   len(rec.ref) != len(rec.alts[0])))
    return {c: tuple(np.array(col) for col in zip(*sorted(v))) for c, v in rows.items()}


def _vcf_records(vcf) -> dict[str, tuple[list, list, list]]:
    """Per chromosome: 0-based positions, REF and ALT of the VCF's records."""
    out: dict[str, tuple[list, list, list]] = {}
    with pysam.VariantFile(str(vcf)) as vf:
        for rec in vf:
            cols = out.setdefault(rec.chrom, ([], [], []))
            cols[0].append(rec.pos - 1)
            cols[1].append(rec.ref)
            cols[2].append(rec.alts[0])
    return out


def _overlaps(intervals, chrom: np.ndarray, start: np.ndarray, end: np.ndarray,
              indels_only: bool = False) -> np.ndarray:
    """Whether each [start, end) overlaps a variant's REF span on its chromosome."""
    out = np.zeros(start.size, dtype=bool)
    for c in np.unique(chrom):
        if c not in intervals:
            continue
        vstart, vend, is_indel = intervals[c]
        if indels_only:
            vstart, vend = vstart[is_indel], vend[is_indel]
        sel = np.flatnonzero(chrom == c)
        # variants starting before each read's end; the latest of them must end after its start
        j = np.searchsorted(vstart, end[sel], side="left") - 1
        ok = j >= 0
        hit = np.zeros(sel.size, dtype=bool)
        # spans are non-overlapping and sorted, so ends are sorted too: the max end is vend[j]
        hit[ok] = vend[j[ok]] > start[sel][ok]
        out[sel] = hit
    return out


def _ref_len(cigartuples) -> int:
    return sum(n for op, n in cigartuples if op in (0, 2, 3, 7, 8))


def allele_bam_table(bam_path: str | Path) -> pd.DataFrame:
    """Per pair in an allele BAM: name, ``po``, and where its fragment starts and ends.

    A fragment's ends are the 5' ends of its two reads (forward mate: unclipped start; reverse
    mate: unclipped end), which adapter trimming never touches. ``left``/``right`` are these
    in the file's (reference) coordinates; ``left_aligned``/``right_aligned`` the first and
    last aligned base; ``left_mate_end``/``right_mate_start`` the inner aligned ends. For lifted
    records (``OP``/``OC`` tags) the same is kept for the strain-side alignment
    (``strain_left``, ``strain_right``, ``strain_left_aligned``, ``strain_right_aligned``).
    """
    rows = []
    firsts = {}
    with pysam.AlignmentFile(str(bam_path)) as bam:
        for rec in bam.fetch(until_eof=True):
            if rec.is_unmapped or rec.is_secondary or rec.is_supplementary:
                continue
            other = firsts.pop(rec.query_name, None)
            if other is None:
                firsts[rec.query_name] = rec
                continue
            fwd, rev = (other, rec) if (rec.is_reverse and not other.is_reverse) or \
                (rec.is_reverse == other.is_reverse and other.reference_start <= rec.reference_start) else (rec, other)
            row = [rec.query_name, rec.get_tag("po"), rec.reference_name,
                   fwd.reference_start - _clip(fwd.cigartuples, 0), rev.reference_end + _clip(rev.cigartuples, -1),
                   fwd.reference_start, rev.reference_end, fwd.reference_end, rev.reference_start]
            if fwd.has_tag("OP") and rev.has_tag("OP"):
                fcig, rcig = cigar_from_string(fwd.get_tag("OC")), cigar_from_string(rev.get_tag("OC"))
                fstart = fwd.get_tag("OP") - 1
                rend = rev.get_tag("OP") - 1 + _ref_len(rcig)
                row += [fstart - _clip(fcig, 0), rend + _clip(rcig, -1), fstart, rend]
            else:
                row += [-1, -1, -1, -1]
            rows.append(row)
    cols = ["read_name", "po", "chrom", "left", "right", "left_aligned", "right_aligned", "left_mate_end",
            "right_mate_start", "strain_left", "strain_right", "strain_left_aligned", "strain_right_aligned"]
    return pd.DataFrame(rows, columns=cols).set_index("read_name")


def _clip(cigartuples, side: int) -> int:
    """Soft-clipped bases at the start (``side=0``) or end (``side=-1``) of a CIGAR."""
    op, n = cigartuples[side]
    return n if op == 4 else 0


def reads_metrics(truth_reads: str | Path, vcf: str | Path, allele_bams: dict[str, list[str]],
                  counts: str | Path | None = None, truth_regions: str | Path | None = None,
                  strain_fasta: str | Path | None = None, truth_strain_fasta: str | Path | None = None,
                  min_fragments: int = 50, count_modes: str | Path | None = None) -> pd.DataFrame:
    """Validation metrics of the read stages.

    Parameters
    ----------
    truth_reads : str or pathlib.Path
        The simulator's ``truth/reads.tsv.gz``.
    vcf : str or pathlib.Path
        The strain VCF (variant positions).
    allele_bams : dict
        ``{"ref": [...], "alt": [...]}`` allele BAMs (before duplicate removal) of all samples.
    counts : str or pathlib.Path, optional
        ``counts/allele_counts.tsv``; with ``truth_regions`` gives the per-peak ratio metric.
    truth_regions : str or pathlib.Path, optional
        The simulator's ``truth/regions.tsv``.
    strain_fasta, truth_strain_fasta : str or pathlib.Path, optional
        The workflow's pseudogenome and the simulator's strain genome.
    min_fragments : int
        Peaks with at least this many fragments enter the ratio correlation.
    count_modes : str or pathlib.Path, optional
        ``counts/count_modes.tsv`` (every counting mode side by side); with ``truth_regions``
        gives context rows comparing the modes on the same peaks.

    Returns
    -------
    pandas.DataFrame
        The ``reads`` validation table (:mod:`deepallele.validation.table`).
    """
    rows = []

    def add(metric, value, n=None):
        rows.append({"metric": metric, "value": value, "n": n})

    def add_share(metric, mask, digits):
        rows.append(share_row(metric, mask, digits))

    if strain_fasta and truth_strain_fasta:
        with pysam.FastaFile(str(strain_fasta)) as a, pysam.FastaFile(str(truth_strain_fasta)) as b:
            same = set(a.references) == set(b.references) and all(a.fetch(c) == b.fetch(c) for c in a.references)
        add("pseudogenome_matches_truth", int(same))

    truth = pd.read_csv(truth_reads, sep="\t", usecols=["read_name", "allele", "chrom", "ref_start", "ref_end",
                                                        "allele_start", "allele_end",
                                                        "fragment_length"]).set_index("read_name")
    intervals = _variant_intervals(vcf)
    chrom = truth["chrom"].to_numpy()
    spans_indel = _overlaps(intervals, chrom, truth["ref_start"].to_numpy(), truth["ref_end"].to_numpy(),
                            indels_only=True)

    tables = []
    for allele, paths in allele_bams.items():
        for p in paths:
            t = allele_bam_table(p)
            t["assigned_to"] = allele
            tables.append(t)
    assigned = pd.concat(tables)
    assigned = assigned[~assigned.index.duplicated()]  # a pair appears in one allele BAM only
    joined = assigned.join(truth.drop(columns="chrom"), how="inner")
    # a pair "overlaps a variant" when the aligned bases of either mate (reference coordinates,
    # after trimming and clipping) cover one: only then can the reads tell the alleles apart
    jchrom = joined["chrom"].to_numpy()
    joined["over_variant"] = (
        _overlaps(intervals, jchrom, joined["left_aligned"].to_numpy(), joined["left_mate_end"].to_numpy())
        | _overlaps(intervals, jchrom, joined["right_mate_start"].to_numpy(), joined["right_aligned"].to_numpy()))
    joined["spans_indel"] = pd.Series(spans_indel, index=truth.index).reindex(joined.index).to_numpy()
    true_po = np.where(joined["allele"] == "ref", 1, 2)

    v = joined[joined["over_variant"]]
    v_true = true_po[joined["over_variant"].to_numpy()]
    add_share("assignment_accuracy_variant_reads", v["po"].to_numpy() == v_true, 5)
    add_share("variant_reads_wrong_allele", (v["po"] != 3) & (v["po"].to_numpy() != v_true), 5)
    add_share("tie_fraction_variant_reads", v["po"] == 3, 5)
    add_share("tie_fraction", joined["po"] == 3, 4)
    add_share("tie_fraction_no_variant_reads", joined.loc[~joined["over_variant"], "po"] == 3, 4)
    specific = joined["po"] != 3
    add_share("specific_assignment_accuracy", joined["po"][specific].to_numpy() == true_po[specific.to_numpy()], 5)
    # ties split half/half
    ties = joined[joined["po"] == 3]
    add_share("tie_share_to_ref", ties["assigned_to"] == "ref", 4)

    strain_ok = joined[(joined["po"] == 2) & (joined["allele"] == "alt")]
    # placed where they came from in the strain (alignment) ...
    placed = (strain_ok["strain_left"] == strain_ok["allele_start"]) & \
        (strain_ok["strain_right"] == strain_ok["allele_end"])
    # ... and their aligned ends lifted to the reference bases the truth's variant map gives
    # (the simulator's own map, independent of the workflow's chain)
    shift_maps = {c: ShiftMap([Variant(c, int(p), r, a) for p, r, a in zip(*cols)])
                  for c, cols in _vcf_records(vcf).items()}
    expect_left = np.empty(len(strain_ok), dtype=np.int64)
    expect_right = np.empty(len(strain_ok), dtype=np.int64)
    for c in strain_ok["chrom"].unique():
        sel = np.flatnonzero(strain_ok["chrom"].to_numpy() == c)
        m = shift_maps.get(c, ShiftMap([]))
        expect_left[sel] = m.to_ref_nearest(strain_ok["strain_left_aligned"].to_numpy()[sel])
        expect_right[sel] = m.to_ref_nearest(strain_ok["strain_right_aligned"].to_numpy()[sel] - 1, side="left") + 1
    lifted_ok = (strain_ok["left_aligned"].to_numpy() == expect_left) & \
        (strain_ok["right_aligned"].to_numpy() == expect_right)
    exact = placed & lifted_ok
    add_share("lift_position_exact", exact, 5)
    add_share("lift_only_exact", lifted_ok, 5)
    indel = strain_ok["spans_indel"]
    add_share("lift_position_exact_indel_spanning", exact[indel], 5)
    add("lift_pairs_spanning_indels", int(indel.sum()))
    ref_ok = joined[(joined["po"] == 1) & (joined["allele"] == "ref")]
    add_share("ref_position_exact", (ref_ok["left"] == ref_ok["ref_start"]) & (ref_ok["right"] == ref_ok["ref_end"]), 5)
    add_share("pairs_assigned_of_simulated", truth.index.isin(joined.index), 4)

    if counts is not None and truth_regions is not None:
        peaks = pd.read_csv(counts, sep="\t")
        regions = pd.read_csv(truth_regions, sep="\t")
        matched = _match_peaks(peaks, regions)
        deep = matched[(matched["ref_count"] + matched["alt_count"]) >= min_fragments]
        r = stats.pearsonr(deep["ln_ratio"], deep["true_ln_ratio"])[0] if len(deep) > 10 else float("nan")
        add("peak_ratio_pearson_vs_truth", round(float(r), 4), len(deep))
        add("peaks_with_min_fragments", len(deep))
        add_share("peak_recall", regions["region_id"].isin(matched["region_id"]), 4)
        add_share("peak_precision", peaks["peak"].isin(matched["peak"]), 4)
    if count_modes is not None and truth_regions is not None:
        rows += count_mode_rows(count_modes, truth_regions, min_fragments)
    return validation_table("reads", rows, {"min_fragments": min_fragments})


def count_mode_rows(count_modes: str | Path | pd.DataFrame, truth_regions: str | Path,
                    min_fragments: int = 50) -> list[dict]:
    """Context rows comparing the counting modes (``reads``, ``cutsites``, ``span``) on one peak set.

    The peaks compared are those on a simulated region with at least ``min_fragments`` in every
    mode. Per mode: the Pearson r of the peak ratio against the planted ratio, and the fragments
    counted in all peaks (both alleles). Rows are dicts for :func:`deepallele.validation.table.validation_table`
    (goals ``count_mode_<mode>_*`` of the ``reads`` table).
    """
    table = pd.read_csv(count_modes, sep="\t") if not isinstance(count_modes, pd.DataFrame) else count_modes
    regions = pd.read_csv(truth_regions, sep="\t")
    modes = list(dict.fromkeys(table["mode"]))
    depth = table.assign(n=table["ref_count"] + table["alt_count"]).pivot(index="peak", columns="mode", values="n")
    deep = set(depth.index[(depth[modes] >= min_fragments).all(axis=1)])
    rows = []
    for mode in modes:
        t = table[table["mode"] == mode]
        matched = _match_peaks(t, regions)
        sel = matched[matched["peak"].isin(deep)]
        r = stats.pearsonr(sel["ln_ratio"], sel["true_ln_ratio"])[0] if len(sel) > 10 else float("nan")
        rows.append({"metric": f"count_mode_{mode}_ratio_pearson_vs_truth", "value": round(float(r), 4),
                     "n": len(sel), "goal_key": "count_mode_<mode>_ratio_pearson_vs_truth",
                     "fields": {"n_peaks": len(sel)}})
    for mode in modes:
        t = table[table["mode"] == mode]
        rows.append({"metric": f"count_mode_{mode}_fragments", "value": int((t["ref_count"] + t["alt_count"]).sum()),
                     "goal_key": "count_mode_<mode>_fragments"})
    return rows


def _match_peaks(peaks: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Peaks joined to the simulated region whose summit they contain (one region per peak)."""
    out = []
    for chrom, group in peaks.groupby("chrom"):
        reg = regions[regions["chrom"] == chrom].sort_values("summit")
        if reg.empty:
            continue
        summits = reg["summit"].to_numpy()
        i = np.searchsorted(summits, group["start"].to_numpy(), side="left")
        ok = (i < summits.size)
        ok[ok] &= summits[i[ok]] < group["end"].to_numpy()[ok]
        g = group[ok].copy()
        g["region_id"] = reg["region_id"].to_numpy()[i[ok]]
        g["true_ln_ratio"] = reg["true_ln_ratio"].to_numpy()[i[ok]]
        out.append(g)
    return pd.concat(out) if out else peaks.assign(region_id=[], true_ln_ratio=[])
