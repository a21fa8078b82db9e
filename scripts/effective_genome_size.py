"""Snakemake wrapper: effective genome size for MACS3/deeptools (configured, or the non-N bases of
the reference outside the excluded contigs)."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.reads.peaks import genome_size

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    size = genome_size(sm.params.configured, sm.input.fasta, sm.params.exclude, log=log)
    Path(sm.output[0]).write_text(f"{size}\n")
