"""Snakemake wrapper: the user's reference FASTA as a plain, indexed FASTA under resources/."""
from pathlib import Path

from deepallele.genome.reference import prepare_reference_fasta
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    if Path(sm.output.fai) != Path(f"{sm.output.fasta}.fai"):
        raise ValueError(f"output fai must be {sm.output.fasta}.fai, not {sm.output.fai}")
    prepare_reference_fasta(sm.input.fasta, sm.output.fasta)
