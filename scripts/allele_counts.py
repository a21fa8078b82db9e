"""Snakemake wrapper: per-allele fragment counts in the dataset's peaks (summed and per sample),
in the configured counting mode, plus every mode side by side."""
from deepallele.logutil import job_logging
from deepallele.reads.counts import count_alleles
from deepallele.reads.peaks import read_peaks

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    count_alleles(sm.params.bams, read_peaks(sm.input.peaks, fmt="bed"), sm.params.mode, sm.params.multi_overlap,
                  sm.output.counts, sm.output.per_sample, sm.output.modes)
