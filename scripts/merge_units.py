"""Snakemake wrapper: check every unit's FASTQ pair of a sample, then merge the units in order."""
from deepallele.logutil import job_logging
from deepallele.reads.fastq import check_and_merge_units

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    total = check_and_merge_units(list(sm.params.units), list(sm.input.fastqs), sm.output.r1, sm.output.r2, log=log)
    log.info("merged %d unit(s) of sample %s: %d read pairs", len(sm.params.units), sm.wildcards.sample, total)
