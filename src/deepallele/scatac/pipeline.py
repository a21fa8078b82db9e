"""The scATAC stages as the workflow runs them: files in, files out, one call per rule.

Each function reads its inputs, calls the operation modules (:mod:`.barcodes`,
:mod:`.fragments`, :mod:`.counting`, :mod:`.qc`) and writes every output atomically, so the
rule scripts stay one call long and the stages can be run (and tested) without Snakemake.
"""
from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

log = logging.getLogger("deepallele.scatac")


def _write_json(data: dict, path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=_json_default) + "\n")
    os.replace(tmp, path)


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _write_tsv(table: pd.DataFrame, path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    table.to_csv(tmp, sep="\t", index=False, float_format="%.6g")
    os.replace(tmp, path)


def fragments_stage(ref_bams: Sequence, alt_bams: Sequence, outputs: Mapping[str, str], *, seed: int = 0,
                    tie_split: str = "binomial_reads", fragments: Mapping | None = None,
                    barcode_regex: str | None = None) -> dict:
    """Per-allele fragment files of a dataset from its allele BAMs (all samples pooled).

    Parameters
    ----------
    ref_bams, alt_bams : sequence of path
        The sorted, indexed allele BAMs of every sample (``results/<ds>/alleles/<s>.{ref,alt}.bam``).
    outputs : mapping
        Paths for ``ref``, ``alt`` and ``ties`` (bgzipped 10x fragment files, tabix-indexed)
        and ``stats`` (JSON).
    seed, tie_split :
        The tie split (see :func:`deepallele.scatac.fragments.allele_fragments`).
    fragments : mapping, optional
        ``min_mapq``, ``min_length``, ``max_length``, ``dedup``, ``contigs`` (config
        ``scatac.fragments``).
    barcode_regex : str, optional
        Read the barcode from the read name (the authors' route) instead of the ``CB`` tag.

    Returns
    -------
    dict
        Fragment and read-pair counts per set, and the builder's skip counts.
    """
    from .fragments import allele_fragments, write_fragments

    options = dict(fragments or {})
    build = {"min_mapq": options.get("min_mapq", 30), "min_length": options.get("min_length", 10),
             "max_length": options.get("max_length", 5000), "dedup": options.get("dedup", "sinto"),
             "contigs": options.get("contigs", r"(?i)^chr")}
    if barcode_regex:
        build["barcode_regex"] = barcode_regex
    result = allele_fragments(list(ref_bams), list(alt_bams), seed=seed, tie_split=tie_split, **build)
    stats = {"tie_split": tie_split, "seed": seed, **build, "builder": result.get("stats", {})}
    for key in ("ref", "alt", "ties"):
        table = result[key]
        write_fragments(table, outputs[key])
        stats[f"{key}_fragments"] = int(len(table))
        stats[f"{key}_reads"] = int(table["count"].sum()) if len(table) else 0
        stats[f"{key}_barcodes"] = int(table["barcode"].nunique()) if len(table) else 0
        log.info("%s: %d fragments of %d barcodes (%d read pairs) -> %s", key, stats[f"{key}_fragments"],
                 stats[f"{key}_barcodes"], stats[f"{key}_reads"], outputs[key])
    _write_json(stats, outputs["stats"])
    return stats


def counting_peaks(peaks_bed, count_contigs: str = r"^chr([0-9]+|X|Y)$") -> pd.DataFrame:
    """The dataset's peak set restricted to the counted contigs (the paper: chr1-19, X, Y)."""
    from ..reads.peaks import read_peaks

    peaks = read_peaks(peaks_bed, fmt="bed")
    keep = peaks["chrom"].astype(str).map(lambda c: re.search(count_contigs, c) is not None)
    dropped = int((~keep).sum())
    if dropped:
        log.info("%d of %d peaks are on contigs outside %s and are not counted", dropped, len(peaks), count_contigs)
    peaks = peaks[keep].reset_index(drop=True)
    if peaks.empty:
        raise ValueError(f"{peaks_bed}: no peak on a contig matching {count_contigs!r} (scatac.count_contigs)")
    return peaks


def counts_stage(ref_fragments, alt_fragments, peaks_bed, cell_types_path, cell_type, outputs: Mapping[str, str], *,
                 min_cell_fraction: float = 0.5, count_contigs: str = r"^chr([0-9]+|X|Y)$") -> dict:
    """Pseudo-bulk allele counts of the chosen cell types, and their peaks x cells matrices.

    Parameters
    ----------
    ref_fragments, alt_fragments : path
        The allele fragment files (:func:`fragments_stage`).
    peaks_bed : path
        The dataset's peak set (``results/<ds>/peaks/peaks.bed``).
    cell_types_path : path
        ``barcode<TAB>cell_type`` table.
    cell_type : str or list of str
        The type(s) whose cells are pooled.
    outputs : mapping
        ``counts`` (the bulk path's ``allele_counts.tsv`` form), ``matrices`` (folder: the
        authors' layout, ``ocr_list.txt`` and per type ``barcodes_list_<ct>.txt``,
        ``ref_counts_<ct>.mtx``, ``alt_counts_<ct>.mtx``), ``match`` (JSON: how the table's
        barcodes were found).

    Returns
    -------
    dict
        The barcode match report, cells and totals.
    """
    from ..reads.counts import write_tsv
    from .counting import cell_type_counts, read_cell_types
    from .fragments import read_fragments

    types = [cell_type] if isinstance(cell_type, str) else list(cell_type)
    table = read_cell_types(cell_types_path)
    missing = [t for t in types if t not in set(table["cell_type"])]
    if missing:
        raise ValueError(f"{cell_types_path}: no cell of type {', '.join(missing)} (scatac.cell_type); "
                         f"types in the table: {', '.join(sorted(set(table['cell_type'])))}")
    peaks = counting_peaks(peaks_bed, count_contigs)
    ref, alt = read_fragments(ref_fragments), read_fragments(alt_fragments)
    matrices = Path(outputs["matrices"])
    tmp = matrices.with_name(matrices.name + ".part")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    result = cell_type_counts(ref, alt, peaks, table, types if len(types) > 1 else types[0], outdir=tmp,
                              min_fraction=min_cell_fraction)
    if matrices.exists():
        import shutil

        shutil.rmtree(matrices)
    os.replace(tmp, matrices)
    write_tsv(result["counts"], outputs["counts"])
    counts = result["counts"]
    report = {"cell_type": types, "n_cells": len(result["cells"]), **result["match"],
              "n_peaks": int(len(counts)), "ref_count": int(counts["ref_count"].sum()),
              "alt_count": int(counts["alt_count"].sum())}
    _write_json(report, outputs["match"])
    log.info("%s: %d cells (%.1f %% of the table's barcodes found), %d peaks, %d ref and %d alt fragments",
             "+".join(types), report["n_cells"], 100 * report.get("fraction_found", float("nan")), report["n_peaks"],
             report["ref_count"], report["alt_count"])
    return report


def _read_json(path) -> dict:
    return json.loads(Path(path).read_text())


def qc_stage(fragment_paths: Mapping[str, str], peaks_bed, cell_types_path, cell_type, match_json, fragment_stats,
             counts_tsv, barcode_reports: Sequence, split_summaries: Sequence, outputs: Mapping[str, str]) -> None:
    """The scATAC QC tables and plots of a dataset.

    Writes ``cells`` (per barcode: fragments, reads, in peaks, FRiP, type, rank), ``barcodes``
    (per lane: exact / corrected / ambiguous / invalid / N), ``funnel`` (read pairs ->
    barcoded -> assigned per allele -> fragments -> in the chosen cells -> in peaks),
    ``lengths`` (fragment-length histogram) and the two plots ``rank_png`` and ``lengths_png``.
    """
    from .counting import match_cell_barcodes, read_cell_types
    from .fragments import combine_fragments, read_fragments
    from .qc import cell_qc, fragment_length_histogram, plot_barcode_rank, plot_fragment_lengths, pseudobulk_funnel

    types = [cell_type] if isinstance(cell_type, str) else list(cell_type)
    tables = {k: read_fragments(p) for k, p in fragment_paths.items()}
    both = combine_fragments(tables["ref"], tables["alt"])
    peaks = counting_peaks(peaks_bed)
    table = read_cell_types(cell_types_path)
    mapping, _ = match_cell_barcodes(table["barcode"], both["barcode"].unique(), min_fraction=0.0,
                                     source=str(cell_types_path))
    table = table[table["barcode"].isin(mapping)].assign(barcode=lambda t: t["barcode"].map(mapping))
    cells = cell_qc(both, peaks, table)
    _write_tsv(cells, outputs["cells"])
    hist = fragment_length_histogram(both)
    _write_tsv(hist, outputs["lengths"])
    plot_barcode_rank(cells, outputs["rank_png"])
    plot_fragment_lengths(hist, outputs["lengths_png"])

    rows = []
    for path in barcode_reports:
        report = _read_json(path)
        rows.append({"lane": Path(path).stem, **{k: report.get(k) for k in (
            "read_pairs", "orientation", "exact", "corrected", "ambiguous", "invalid", "n", "fraction_exact",
            "fraction_corrected", "fraction_with_barcode")}})
    _write_tsv(pd.DataFrame(rows), outputs["barcodes"])

    splits = [_read_json(p) for p in split_summaries]
    counts = pd.read_csv(counts_tsv, sep="\t")
    stats = _read_json(fragment_stats)
    barcoded = sum(int(r.get("exact", 0)) + int(r.get("corrected", 0)) for r in (_read_json(p) for p in barcode_reports))
    chosen = set(table.loc[table["cell_type"].isin(types), "barcode"])
    funnel_stats = {
        "read_pairs": sum(int(r.get("read_pairs", 0)) for r in (_read_json(p) for p in barcode_reports)),
        "barcoded": barcoded,
        "assigned": {"ref": sum(s.get("ref", 0) for s in splits), "alt": sum(s.get("alt", 0) for s in splits),
                     "tie": sum(s.get("tie", 0) for s in splits)},
        "fragments": {"ref": stats.get("ref_fragments", 0), "alt": stats.get("alt_fragments", 0),
                      "tie": stats.get("ties_fragments", 0)},
        "in_cells": {k: int(tables[k]["barcode"].isin(chosen).sum()) for k in ("ref", "alt")}
        | {"tie": int(tables["ties"]["barcode"].isin(chosen).sum())},
        "in_peaks": {"ref": int(counts["ref_count"].sum()), "alt": int(counts["alt_count"].sum())},
    }
    _write_tsv(pseudobulk_funnel(funnel_stats), outputs["funnel"])
    in_table = cells[cells["cell_type"] != ""]
    log.info("%d barcodes with fragments, %d of them cells of the table (median %.0f fragments, FRiP %.2f)",
             len(cells), len(in_table), in_table["n_fragments"].median() if len(in_table) else 0,
             in_table["frip"].median() if len(in_table) else 0)


#: read pairs of the library the throughput is extrapolated to
LIBRARY_PAIRS = 200_000_000


def _job_benchmark(path) -> dict:
    """Seconds and peak memory of one job from its Snakemake benchmark file."""
    table = pd.read_csv(path, sep="\t")
    return {"seconds": float(table["s"].iloc[0]),
            "max_rss_mb": float(pd.to_numeric(table["max_rss"], errors="coerce").iloc[0])}


def benchmark_stage(barcode_jobs: Sequence, barcode_reports: Sequence, fragment_job, fragment_stats, out_tsv) -> pd.DataFrame:
    """Read pairs per second of barcode correction (all lanes) and fragment building on this run.

    The times are the jobs' own (Snakemake ``benchmark:`` files, wall clock, one thread); the
    200 M-pair figure assumes the same rate (both steps stream, so time grows with the reads).
    """
    rows = []
    seconds = sum(_job_benchmark(p)["seconds"] for p in barcode_jobs)
    rss = max(_job_benchmark(p)["max_rss_mb"] for p in barcode_jobs)
    pairs = sum(int(_read_json(p)["read_pairs"]) for p in barcode_reports)
    rows.append({"step": "barcode correction (sc_barcodes)", "read_pairs": pairs, "seconds": seconds, "max_rss_mb": rss})
    job = _job_benchmark(fragment_job)
    stats = _read_json(fragment_stats)
    builder = stats.get("builder", {})
    # every record of the allele BAMs is read once (scan), two per read pair
    pairs = int(builder.get("scan", {}).get("records", 0)) // 2
    rows.append({"step": "fragment building (sc_fragments)", "read_pairs": pairs, "seconds": job["seconds"],
                 "max_rss_mb": job["max_rss_mb"]})
    table = pd.DataFrame(rows)
    table["pairs_per_second"] = table["read_pairs"] / table["seconds"].clip(lower=1e-9)
    table["hours_for_200M_pairs"] = LIBRARY_PAIRS / table["pairs_per_second"].clip(lower=1e-9) / 3600
    _write_tsv(table, out_tsv)
    for row in table.itertuples():
        log.info("%s: %d read pairs in %.1f s = %.0f pairs/s; 200 M pairs: %.1f h", row.step, row.read_pairs,
                 row.seconds, row.pairs_per_second, row.hours_for_200M_pairs)
    return table
