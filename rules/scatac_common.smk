# Helpers of the 10x scATAC stage (rules/scatac.smk): its settings, each unit's barcoded reads,
# fragments, QC files and inputs. Functions and constants only, no rules.


def scatac_setting(dataset, key):
    """One key of a scATAC dataset's settings (daw.scatac_settings: the 'scatac' block over the defaults)."""
    return daw.scatac_settings(config, dataset)[key]


def barcoded_fastq_pair(dataset, sample, unit):
    """R1 and R3 of a scATAC unit with each read's cell barcode in its header (rule sc_barcodes)."""
    return tuple(fill(BARCODED_FASTQ, dataset=dataset, sample=sample, unit=unit, read=read) for read in ("R1", "R3"))


def barcode_report(dataset, sample, unit):
    return fill(BARCODE_REPORT, dataset=dataset, sample=sample, unit=unit)


def sc_unit(wildcards):
    """The sample-sheet row of a scATAC unit."""
    units = units_of(wildcards.dataset)
    rows = units[(units["sample"] == wildcards.sample) & (units["unit"] == wildcards.unit)]
    if rows.empty:
        raise WorkflowError(f"dataset '{wildcards.dataset}' has no unit {wildcards.sample}/{wildcards.unit}")
    return rows.iloc[0]


def sc_barcodes_input(wildcards):
    row = sc_unit(wildcards)
    return {
        "r1": row["fastq_1"],
        "barcode": row["fastq_barcode"],
        "r3": row["fastq_2"],
        "whitelist": scatac_setting(wildcards.dataset, "whitelist"),
    }


def sc_barcode_reports(dataset):
    units = units_of(dataset)
    return [barcode_report(dataset, u.sample, u.unit) for u in units.itertuples(index=False)]


SC_FRAGMENT_SETS = ("ref", "alt", "ties")


def sc_fragment_files(dataset):
    """The dataset's fragment files (ref, alt, ties; 10x format, bgzipped) and their tabix indexes."""
    files = {k: fill(FRAGMENTS, dataset=dataset, kind=k) for k in SC_FRAGMENT_SETS}
    return {**files, **{f"{k}_tbi": f"{files[k]}.tbi" for k in SC_FRAGMENT_SETS}}


def sc_allele_bams(dataset):
    """The sorted allele BAMs of every sample of a scATAC dataset: {"ref": [...], "alt": [...]}."""
    return {
        a: [fill(ALLELE_BAM, dataset=dataset, sample=s, allele=a) for s in samples_of(dataset)] for a in ("ref", "alt")
    }


def sc_qc_files(dataset):
    """The QC tables and plots of a scATAC dataset (rule sc_qc)."""
    return {
        "cells": fill(SC_CELL_QC, dataset=dataset),
        "barcodes": fill(SC_BARCODE_TABLE, dataset=dataset),
        "funnel": fill(SC_FUNNEL, dataset=dataset),
        "lengths": fill(SC_FRAGMENT_LENGTHS, dataset=dataset),
        "rank_png": fill(SC_BARCODE_RANK_PLOT, dataset=dataset),
        "lengths_png": fill(SC_FRAGMENT_LENGTHS_PLOT, dataset=dataset),
    }


def scatac_counts_targets(dataset):
    """The counting outputs of a scATAC dataset: fragments, pseudo-bulk table, matrices."""
    return [
        *sc_fragment_files(dataset).values(),
        fill(PEAKS, dataset=dataset),
        fill(COUNTS, dataset=dataset),
        fill(SC_MATRICES, dataset=dataset),
    ]


def scatac_stage_targets(dataset):
    """QC, throughput and (simulated) validation of a scATAC dataset; none for other datasets."""
    if dataset not in SCATAC_DATASETS:
        return []
    targets = list(sc_qc_files(dataset).values()) + [fill(SC_BENCHMARK, dataset=dataset)]
    if dataset in SIMULATED_DATASETS:
        targets.append(fill(VALIDATION_SCATAC, dataset=dataset))
    return targets


def validate_scatac_input(wildcards):
    ds = wildcards.dataset
    bams = sc_allele_bams(ds)
    return {
        "truth_cells": fill(SIM_TRUTH_CELLS, dataset=ds),
        "truth_reads": fill(SIM_TRUTH_READS, dataset=ds),
        "truth_fragments": fill(SIM_TRUTH_FRAGMENTS, dataset=ds),
        "truth_peaks": fill(SIM_TRUTH_PEAKS, dataset=ds),
        "cell_types": scatac_setting(ds, "cell_types"),
        "bam_ref": bams["ref"],
        "bam_alt": bams["alt"],
        **{k: fill(FRAGMENTS, dataset=ds, kind=k) for k in SC_FRAGMENT_SETS},
        "fragment_stats": fill(FRAGMENT_STATS, dataset=ds),
        "counts": fill(COUNTS, dataset=ds),
        "match": fill(CELL_MATCH, dataset=ds),
        "peaks": fill(PEAKS, dataset=ds),
    }
