"""Snakemake wrapper: check every unit's FASTQ pair of a sample, then merge the units in order."""
from deepallele.logutil import job_logging
from deepallele.reads.fastq import check_fastq_pair, merge_units

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    files = list(sm.input.fastqs)
    pairs = list(zip(files[0::2], files[1::2]))
    total = 0
    for label, (fq1, fq2) in zip(sm.params.units, pairs):
        stats = check_fastq_pair(fq1, fq2)
        total += stats["pairs"]
        log.info("unit %s: %d read pairs, %d bases, reads up to %d bp (%s, %s)", label, stats["pairs"],
                 stats["bases"], stats["max_read_length"], fq1, fq2)
    merge_units(pairs, sm.output.r1, sm.output.r2)
    log.info("merged %d unit(s) of sample %s: %d read pairs", len(pairs), sm.wildcards.sample, total)
