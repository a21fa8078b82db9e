"""Snakemake wrapper: per-allele fragment counts in the dataset's peaks (summed and per sample)."""
from deepallele.logutil import job_logging
from deepallele.reads.counts import allele_count_table, count_fragments_per_sample, write_count_tables
from deepallele.reads.peaks import read_peaks

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    peaks = read_peaks(sm.input.peaks, fmt="bed")
    long, qc = count_fragments_per_sample(sm.params.bams, peaks)
    wide = allele_count_table(long, peaks)
    write_count_tables(long, wide, sm.output.counts, sm.output.per_sample)
    for row in qc.itertuples():
        log.info("%s %s: %d fragments, %d in peaks (FRiP %.3f), %d orphan reads, %d reads skipped by flag (%s)",
                 row.sample, row.allele, row.fragments, row.fragments_in_peaks, row.frip, row.orphan_reads,
                 row.skipped_reads, row.bam)
    log.info("%d peaks: %d ref and %d alt fragments", len(wide), wide["ref_count"].sum(), wide["alt_count"].sum())
