"""Snakemake wrapper: effective genome size (reference contigs minus excluded ones) for MACS3/deeptools."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.reads.peaks import effective_genome_size, read_chrom_sizes

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    sizes = read_chrom_sizes(sm.input.fai)
    size = effective_genome_size(sizes, sm.params.exclude)
    Path(sm.output[0]).write_text(f"{size}\n")
    log.info("effective genome size %d bp (%d contigs; excluded patterns %s)", size, len(sizes), sm.params.exclude)
