"""Snakemake wrapper: per-allele fragment counts in the dataset's peaks (summed and per sample),
in the configured counting mode, plus every mode side by side."""
from deepallele.logutil import job_logging
from deepallele.reads.counts import (COUNT_MODES, allele_count_table, count_modes_per_sample, mode_table,
                                     write_count_tables, write_tsv)
from deepallele.reads.peaks import read_peaks

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    peaks = read_peaks(sm.input.peaks, fmt="bed")
    mode = sm.params.mode
    per_mode = count_modes_per_sample(sm.params.bams, peaks, [mode, *COUNT_MODES], sm.params.multi_overlap)
    long, qc = per_mode[mode]
    wide = allele_count_table(long, peaks)
    write_count_tables(long, wide, sm.output.counts, sm.output.per_sample)
    write_tsv(mode_table({m: per_mode[m] for m in COUNT_MODES}, peaks), sm.output.modes)
    log.info("counting mode: %s; a fragment hitting several peaks: %s", mode, sm.params.multi_overlap)
    for row in qc.itertuples():
        log.info("%s %s: %d fragments, %d in peaks (FRiP %.3f), %d orphan reads, %d reads skipped by flag (%s)",
                 row.sample, row.allele, row.fragments, row.fragments_in_peaks, row.frip, row.orphan_reads,
                 row.skipped_reads, row.bam)
    for m in COUNT_MODES:
        m_qc = per_mode[m][1]
        log.info("mode %s: %d fragments in peaks of %d (FRiP %.3f)", m, m_qc["fragments_in_peaks"].sum(),
                 m_qc["fragments"].sum(), m_qc["fragments_in_peaks"].sum() / max(m_qc["fragments"].sum(), 1))
    log.info("%d peaks: %d ref and %d alt fragments", len(wide), wide["ref_count"].sum(), wide["alt_count"].sum())
