"""Snakemake wrapper: effective genome size for MACS3/deeptools (configured, or the non-N bases of
the reference outside the excluded contigs)."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.reads.peaks import configured_genome_size, effective_genome_size, non_n_bases

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    size = configured_genome_size(sm.params.configured)
    if size is not None:
        log.info("effective genome size %d bp (configured: peaks.genome_size = %r)", size, sm.params.configured)
    else:
        bases = non_n_bases(sm.input.fasta, sm.params.exclude)
        size = effective_genome_size(bases, sm.params.exclude)
        log.info("effective genome size %d bp: non-N bases of %s (%d contigs; excluded patterns %s)",
                 size, sm.input.fasta, len(bases), sm.params.exclude)
    Path(sm.output[0]).write_text(f"{size}\n")
