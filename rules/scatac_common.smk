# Path helpers and inputs of the 10x scATAC stage (rules/scatac.smk). Functions only (no rules);
# include after rules/common.smk, which defines config, SCATAC_DATASETS and units_of().


def scatac_setting(dataset, key):
    """One key of a scATAC dataset's settings (daw.scatac_settings: the 'scatac' block over the defaults)."""
    return daw.scatac_settings(config, dataset)[key]


def barcoded_fastq_pair(dataset, sample, unit):
    """R1 and R3 of a scATAC unit with each read's cell barcode in its header (rule sc_barcodes)."""
    return tuple(f"results/{dataset}/barcodes/{sample}_{unit}_{read}.fastq.gz" for read in ("R1", "R3"))


def barcode_report(dataset, sample, unit):
    return f"results/{dataset}/barcodes/{sample}_{unit}.json"


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
    return {
        **{k: f"results/{dataset}/fragments/{k}.tsv.gz" for k in SC_FRAGMENT_SETS},
        **{f"{k}_tbi": f"results/{dataset}/fragments/{k}.tsv.gz.tbi" for k in SC_FRAGMENT_SETS},
    }


def sc_allele_bams(dataset):
    """The sorted allele BAMs of every sample of a scATAC dataset: {"ref": [...], "alt": [...]}."""
    return {a: [f"results/{dataset}/alleles/{s}.{a}.bam" for s in samples_of(dataset)] for a in ("ref", "alt")}


def sc_qc_files(dataset):
    base = f"results/{dataset}/qc/scatac"
    return {
        "cells": f"{base}/cell_qc.tsv",
        "barcodes": f"{base}/barcodes.tsv",
        "funnel": f"{base}/funnel.tsv",
        "lengths": f"{base}/fragment_lengths.tsv",
        "rank_png": f"{base}/barcode_rank.png",
        "lengths_png": f"{base}/fragment_lengths.png",
    }


def scatac_counts_targets(dataset):
    """The counting outputs of a scATAC dataset: fragments, pseudo-bulk table, matrices."""
    return [
        *sc_fragment_files(dataset).values(),
        f"results/{dataset}/peaks/peaks.bed",
        f"results/{dataset}/counts/allele_counts.tsv",
        f"results/{dataset}/counts/matrices",
    ]


def scatac_stage_targets(dataset):
    """QC, throughput and (simulated) validation of a scATAC dataset; none for other datasets."""
    if dataset not in SCATAC_DATASETS:
        return []
    targets = list(sc_qc_files(dataset).values()) + [f"results/benchmarks/scatac_{dataset}.tsv"]
    if dataset in SIMULATED_DATASETS:
        targets.append(f"results/{dataset}/validation/scatac.tsv")
    return targets


def validate_scatac_input(wildcards):
    ds = wildcards.dataset
    truth = f"{SIM}/datasets/{ds}/truth"
    bams = sc_allele_bams(ds)
    return {
        "truth_cells": f"{truth}/cells.tsv",
        "truth_reads": f"{truth}/reads.tsv.gz",
        "truth_fragments": f"{truth}/fragments.tsv.gz",
        "truth_peaks": f"{truth}/peaks.tsv",
        "cell_types": scatac_setting(ds, "cell_types"),
        "bam_ref": bams["ref"],
        "bam_alt": bams["alt"],
        **{k: f"results/{ds}/fragments/{k}.tsv.gz" for k in SC_FRAGMENT_SETS},
        "fragment_stats": f"results/{ds}/fragments/stats.json",
        "counts": f"results/{ds}/counts/allele_counts.tsv",
        "match": f"results/{ds}/counts/cell_match.json",
        "peaks": f"results/{ds}/peaks/peaks.bed",
    }
