"""MultiQC custom content of a dataset: the allele-aware sections MultiQC's own modules cannot show.

MultiQC parses the tools' own outputs (FastQC, trim_galore/cutadapt, bowtie2, samtools,
Picard, MACS3); this module writes what only the workflow knows, as MultiQC custom-content
files (``*_mqc.yaml``, one section each, all under one parent section "DeepAllele") plus
the software versions (``*_mqc_versions.yaml``) and the dataset's MultiQC config:

* the read funnel (sequenced -> trimmed -> aligned per genome -> ref / alt / tie /
  unassigned -> deduplicated and duplicates per allele -> in peaks, FRiP), taken as it is from
  the read QC table (:func:`deepallele.reads.qc.sample_qc`, as in results/<dataset>/qc/reads_qc.tsv);
* the allele assignment of each sample's read pairs (bar graph, same table);
* the per-allele count balance in the peaks (per sample: reads in peaks per allele, the ref
  fraction, peaks leaning each way) and the distribution of the per-peak ln((1 + ref) / (1 + alt));
* the fragment-size distribution of each deduplicated allele BAM (``samtools stats`` IS lines;
  the ATAC nucleosome ladder);
* the Tn5 shift summary of ATAC allele BAMs (:mod:`deepallele.reads.tn5`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

PARENT = {
    "parent_id": "deepallele",
    "parent_name": "DeepAllele",
    "parent_description": "Allele-aware QC of the workflow: read pairs through every stage, the allele "
                          "split, the per-allele count balance in the peaks, fragment sizes and the Tn5 shift.",
}
#: ln-ratio histogram: bins of this width, values beyond +-LN_RATIO_LIMIT go to the end bins
LN_RATIO_BIN = 0.25
LN_RATIO_LIMIT = 4.0
#: fragment sizes shown up to this length (bp)
MAX_FRAGMENT = 1000
#: stems of the custom-content files :func:`write_custom_content` can write
SECTIONS = ("allele_funnel", "allele_assignment", "count_balance", "count_balance_ln_ratio",
            "fragment_sizes", "tn5_shift")


def _column(stage: str, part: str) -> str:
    name = stage if part == "both" else f"{stage}_{part}"
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def funnel_section(reads_qc: pd.DataFrame) -> dict:
    """The read funnel as a MultiQC table: one row per sample, one column per (stage, part) of the
    read QC table in its order (read pairs; FRiP rows: the fraction of deduplicated pairs in peaks)."""
    data, headers = {}, {}
    for row in reads_qc.itertuples(index=False):
        col = _column(row.stage, row.part)
        frip = row.stage == "FRiP"
        data.setdefault(row.sample, {})[col] = float(row.fraction) if frip else int(row.pairs)
        if col not in headers:
            title = row.stage if row.part == "both" else f"{row.stage}: {row.part}"
            headers[col] = {"title": title, "format": "{:,.4f}" if frip else "{:,.0f}",
                            "description": ("fraction of the deduplicated pairs of this allele in peaks" if frip
                                            else f"read pairs, {title}"),
                            **({"min": 0, "max": 1} if frip else {"min": 0})}
    return {
        **PARENT,
        "id": "allele_funnel",
        "section_name": "Read funnel",
        "description": "Read pairs of each sample after every stage: sequenced, after trimming, aligned to "
                       "each parental genome (after the pair filter), assigned to the ref or alt allele (tie: "
                       "equal score, assigned by a seeded hash), after duplicate removal per allele, in peaks; "
                       "FRiP per allele. The numbers of the read QC table (qc/reads_qc.tsv).",
        "plot_type": "table",
        "pconfig": {"id": "allele_funnel_table", "title": "DeepAllele: read funnel", "col1_header": "sample"},
        "headers": headers,
        "data": data,
    }


def assignment_section(reads_qc: pd.DataFrame) -> dict:
    """The allele split as a MultiQC bar graph: pairs assigned ref, alt, tie (split between the
    alleles by a seeded hash) and unassigned, per sample."""
    rows = reads_qc[reads_qc["stage"] == "assigned"]
    data = {}
    for row in rows.itertuples(index=False):
        data.setdefault(row.sample, {})[row.part] = int(row.pairs)
    colors = {"ref": "#4c72b0", "alt": "#c44e52", "tie": "#8c8c8c", "unassigned": "#dddddd"}
    return {
        **PARENT,
        "id": "allele_assignment",
        "section_name": "Allele assignment",
        "description": "Read pairs per sample by the allele their alignments support: ref (better score on the "
                       "reference genome), alt (better on the strain pseudogenome), tie (equal scores) and "
                       "unassigned (no proper pair on either genome).",
        "plot_type": "bargraph",
        "pconfig": {"id": "allele_assignment_plot", "title": "DeepAllele: allele assignment",
                    "ylab": "read pairs", "cpswitch_c_active": False},
        "categories": {p: {"name": p, "color": colors.get(p, "#999999")} for p in dict.fromkeys(rows["part"])},
        "data": data,
    }


def _wide_counts(per_sample: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """{sample: DataFrame(peak x [ref, alt])} from the long per-sample count table."""
    out = {}
    for sample, sub in per_sample.groupby("sample", sort=False):
        wide = sub.pivot_table(index="peak", columns="allele", values="count", aggfunc="sum", fill_value=0)
        out[sample] = wide.reindex(columns=["ref", "alt"], fill_value=0).astype(int)
    return out


def count_balance_section(per_sample: pd.DataFrame) -> dict:
    """Per sample: peaks, reads in peaks per allele, the ref fraction of those reads, the median
    per-peak ln((1 + ref) / (1 + alt)) and the fraction of peaks with more ref (alt) reads."""
    data = {}
    for sample, wide in _wide_counts(per_sample).items():
        ref, alt = wide["ref"].to_numpy(), wide["alt"].to_numpy()
        total = int(ref.sum() + alt.sum())
        n = len(wide)
        data[sample] = {
            "peaks": n,
            "ref_reads": int(ref.sum()),
            "alt_reads": int(alt.sum()),
            "ref_fraction": round(float(ref.sum()) / total, 4) if total else 0.0,
            "median_ln_ratio": round(float(np.median(np.log1p(ref) - np.log1p(alt))), 4) if n else 0.0,
            "peaks_ref_higher": round(float((ref > alt).mean()), 4) if n else 0.0,
            "peaks_alt_higher": round(float((alt > ref).mean()), 4) if n else 0.0,
            "peaks_without_reads": int(((ref + alt) == 0).sum()),
        }
    headers = {
        "peaks": {"title": "peaks", "format": "{:,.0f}", "description": "peaks counted"},
        "ref_reads": {"title": "ref in peaks", "format": "{:,.0f}", "description": "ref-allele fragments in peaks"},
        "alt_reads": {"title": "alt in peaks", "format": "{:,.0f}", "description": "alt-allele fragments in peaks"},
        "ref_fraction": {"title": "ref fraction", "format": "{:,.4f}", "min": 0, "max": 1,
                         "description": "ref / (ref + alt) of the fragments in peaks (0.5: balanced)"},
        "median_ln_ratio": {"title": "median ln ratio", "format": "{:,.4f}",
                            "description": "median over peaks of ln((1 + ref) / (1 + alt))"},
        "peaks_ref_higher": {"title": "peaks ref > alt", "format": "{:,.4f}", "min": 0, "max": 1,
                             "description": "fraction of peaks with more ref than alt fragments"},
        "peaks_alt_higher": {"title": "peaks alt > ref", "format": "{:,.4f}", "min": 0, "max": 1,
                             "description": "fraction of peaks with more alt than ref fragments"},
        "peaks_without_reads": {"title": "empty peaks", "format": "{:,.0f}",
                                "description": "peaks with no fragment of either allele"},
    }
    return {
        **PARENT,
        "id": "count_balance",
        "section_name": "Allele count balance",
        "description": "Per-allele fragment counts in the peaks, per sample (counts/allele_counts_per_sample.tsv).",
        "plot_type": "table",
        "pconfig": {"id": "count_balance_table", "title": "DeepAllele: allele count balance", "col1_header": "sample"},
        "headers": headers,
        "data": data,
    }


def ln_ratio_histogram(ref, alt, width: float = LN_RATIO_BIN, limit: float = LN_RATIO_LIMIT) -> dict[float, int]:
    """{bin centre: peaks} of ln((1 + ref) / (1 + alt)) in bins of ``width`` from -limit to +limit
    (values beyond go to the end bins; every bin is listed, empty ones with 0)."""
    r = np.log1p(np.asarray(ref, dtype=float)) - np.log1p(np.asarray(alt, dtype=float))
    n_bins = int(round(2 * limit / width))
    idx = np.clip(np.floor((r + limit) / width).astype(int), 0, n_bins - 1)
    counts = np.bincount(idx, minlength=n_bins)
    return {round(-limit + (i + 0.5) * width, 6): int(c) for i, c in enumerate(counts)}


def count_balance_histogram_section(per_sample: pd.DataFrame) -> dict:
    """The distribution of the per-peak ln((1 + ref) / (1 + alt)) of each sample (line graph)."""
    data = {s: ln_ratio_histogram(w["ref"], w["alt"]) for s, w in _wide_counts(per_sample).items()}
    return {
        **PARENT,
        "id": "count_balance_ln_ratio",
        "section_name": "Per-peak allele ratio",
        "description": f"Peaks per bin of ln((1 + ref) / (1 + alt)) (bins of {LN_RATIO_BIN}; ratios beyond "
                       f"+-{LN_RATIO_LIMIT} in the end bins). Balanced peaks sit at 0.",
        "plot_type": "linegraph",
        "pconfig": {"id": "count_balance_ln_ratio_plot", "title": "DeepAllele: per-peak allele ratio",
                    "xlab": "ln((1 + ref) / (1 + alt))", "ylab": "peaks"},
        "data": data,
    }


def parse_samtools_insert_sizes(path: str | Path, max_size: int = MAX_FRAGMENT) -> dict[int, int]:
    """{insert size: pairs} from the IS lines of ``samtools stats`` output (sizes 1..max_size)."""
    sizes = {}
    for line in Path(path).read_text().splitlines():
        if line.startswith("IS\t"):
            fields = line.split("\t")
            size, pairs = int(fields[1]), int(fields[2])
            if 0 < size <= max_size:
                sizes[size] = pairs
    return sizes


def fragment_size_section(stats: dict[str, str | Path]) -> dict:
    """Fragment-size distributions (line graph) of the BAMs whose ``samtools stats`` files are
    given as {name: path}, each as a fraction of its pairs (so alleles of different depth compare)."""
    data = {}
    for name, path in stats.items():
        sizes = parse_samtools_insert_sizes(path)
        total = sum(sizes.values())
        data[name] = {k: round(v / total, 6) for k, v in sizes.items()} if total else {}
    return {
        **PARENT,
        "id": "fragment_sizes",
        "section_name": "Fragment sizes",
        "description": "Fragment (insert) size distribution of each allele BAM after duplicate removal (before "
                       "any Tn5 shift), from samtools stats; ATAC libraries show the nucleosome ladder "
                       "(nucleosome-free < 150 bp, mono-nucleosome ~200 bp, di- ~400 bp).",
        "plot_type": "linegraph",
        "pconfig": {"id": "fragment_sizes_plot", "title": "DeepAllele: fragment sizes",
                    "xlab": "fragment length (bp)", "ylab": "fraction of pairs", "xmax": MAX_FRAGMENT},
        "data": data,
    }


TN5_FIELDS = ("pairs", "skipped_reads", "orphan_reads", "clamped_reads", "reads_differing_from_alignmentsieve",
              "forward_shift", "reverse_shift")


def tn5_section(summaries: dict[str, str | Path]) -> dict:
    """The Tn5 shift summaries ({name: shift.json}) as a MultiQC table."""
    data = {}
    for name, path in summaries.items():
        s = json.loads(Path(path).read_text())
        data[name] = {k: s[k] for k in TN5_FIELDS if k in s}
    return {
        **PARENT,
        "id": "tn5_shift",
        "section_name": "Tn5 shift",
        "description": "Tn5 shift of the ATAC allele BAMs (forward reads +4, reverse reads -5 from their exact "
                       "reference ends; proper pairs only). 'differing from alignmentSieve': reads whose shifted "
                       "position deeptools alignmentSieve --ATACshift would have put elsewhere.",
        "plot_type": "table",
        "pconfig": {"id": "tn5_shift_table", "title": "DeepAllele: Tn5 shift", "col1_header": "BAM"},
        "headers": {k: {"title": k.replace("_", " "), "format": "{:,.0f}"} for k in TN5_FIELDS},
        "data": data,
    }


def versions_section(versions: pd.DataFrame) -> dict:
    """The software versions table (:mod:`deepallele.versions`) as MultiQC's versions format:
    {"Tools": {name: version}, "Python packages": {name: version}}."""
    groups = {"tool": "Tools", "python": "Python packages"}
    out: dict[str, dict[str, str]] = {}
    for row in versions.itertuples(index=False):
        out.setdefault(groups.get(row.kind, row.kind), {})[row.name] = str(row.version)
    return out


def multiqc_config(dataset: str, assay: str | None = None) -> dict:
    """The MultiQC config of a dataset's report: title, FastQC on raw and on trimmed reads as two
    sections (told apart by folder), our sections after the tools', no network."""
    fastqc = [
        {"fastqc": {"name": "FastQC (raw)", "anchor": "fastqc_raw", "path_filters": ["*/fastqc/raw/*"],
                    "info": "on the raw reads, per sequencing unit (lane or SRA run)"}},
        {"fastqc": {"name": "FastQC (trimmed)", "anchor": "fastqc_trimmed", "path_filters": ["*/fastqc/trimmed/*"],
                    "info": "on the reads after trim_galore, per sample"}},
    ]
    return {
        "title": f"DeepAllele QC: {dataset}",
        "subtitle": f"{assay} dataset" if assay else None,
        "intro_text": "Read and alignment QC of one dataset of the DeepAllele workflow, the allele-aware "
                      "sections (read funnel, allele assignment, count balance, fragment sizes, Tn5 shift) "
                      "at the end, and every tool's version.",
        "no_version_check": True,
        "show_analysis_paths": False,
        "show_analysis_time": False,
        "run_modules": ["fastqc", "cutadapt", "bowtie2", "samtools", "picard", "macs2", "custom_content"],
        "module_order": [*fastqc, "cutadapt", "bowtie2", "samtools", "picard", "macs2", "custom_content"],
        "custom_content": {"order": [f"{s}" for s in SECTIONS]},
        # sample names from our file names: <sample>.genome_<side>.<tool>.txt -> <sample>.genome_<side>,
        # <sample>.<allele>.stats.txt -> <sample>.<allele> (as Picard's, from the allele BAM's name)
        "extra_fn_clean_exts": [".stats", ".flagstat", ".idxstats", ".bowtie2"],
    }


def _dump(obj, path: Path) -> Path:
    path.write_text(yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True))
    return path


def write_custom_content(outdir: str | Path, dataset: str, *, reads_qc: pd.DataFrame | None = None,
                         per_sample_counts: pd.DataFrame | None = None,
                         fragment_stats: dict[str, str | Path] | None = None,
                         tn5_summaries: dict[str, str | Path] | None = None,
                         versions: pd.DataFrame | None = None, assay: str | None = None) -> list[Path]:
    """Write the custom-content files of a dataset to ``outdir`` (made if needed): the sections
    whose inputs are given (``<section>_mqc.yaml``), ``software_versions_mqc_versions.yaml`` and
    ``multiqc_config.yaml``. Returns the paths written."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    sections = []
    if reads_qc is not None and not reads_qc.empty:
        sections += [funnel_section(reads_qc), assignment_section(reads_qc)]
    if per_sample_counts is not None:
        sections += [count_balance_section(per_sample_counts), count_balance_histogram_section(per_sample_counts)]
    if fragment_stats:
        sections.append(fragment_size_section(fragment_stats))
    if tn5_summaries:
        sections.append(tn5_section(tn5_summaries))
    written = [_dump(s, out / f"{s['id']}_mqc.yaml") for s in sections]
    if versions is not None:
        written.append(_dump(versions_section(versions), out / "software_versions_mqc_versions.yaml"))
    config = {k: v for k, v in multiqc_config(dataset, assay).items() if v is not None}
    written.append(_dump(config, out / "multiqc_config.yaml"))
    return written


def dataset_custom_content(outdir: str | Path, dataset: str, samples: list[str], inputs: Mapping,
                           assay: str | None = None) -> list[Path]:
    """:func:`write_custom_content` from the files rule ``multiqc_custom_content`` gathers.

    Parameters
    ----------
    outdir : str or pathlib.Path
        The custom-content folder.
    dataset : str
        Dataset name (the report's title).
    samples : list of str
        ``S`` sample names, in the order of the per-sample lists below.
    inputs : mapping
        ``counts_per_sample`` (TSV), ``versions`` (the software versions TSV) and
        ``fragment_stats`` (``2 S`` samtools stats files: sample 1 ref, sample 1 alt, sample 2
        ref ...); with reads also ``trim_r1``, ``trim_r2``, ``split``, ``dedup_ref``,
        ``dedup_alt`` (``S`` each: the read QC table's inputs, :func:`deepallele.reads.qc.reads_qc_table`);
        for Tn5-shifted datasets ``tn5`` (``2 S`` shift summaries, ordered as ``fragment_stats``).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from .qc import reads_qc_table

    per_sample = pd.read_csv(inputs["counts_per_sample"], sep="\t")
    reads_qc = None
    if "split" in inputs:   # a dataset with reads, not one that starts from allele BAMs
        reads_qc = reads_qc_table(samples, inputs["trim_r1"], inputs["trim_r2"], inputs["split"], inputs["dedup_ref"],
                                  inputs["dedup_alt"], per_sample)
    names = [f"{s}.{a}" for s in samples for a in ("ref", "alt")]
    return write_custom_content(
        outdir, dataset, reads_qc=reads_qc, per_sample_counts=per_sample,
        fragment_stats=dict(zip(names, inputs["fragment_stats"])),
        tn5_summaries=dict(zip(names, inputs["tn5"])) if "tn5" in inputs else None,
        versions=pd.read_csv(inputs["versions"], sep="\t", dtype=str, keep_default_na=False), assay=assay)
