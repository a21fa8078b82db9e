"""Snakemake wrapper: the strain's single-sample VCF, filtered, renamed and normalised to the FASTA."""
from pathlib import Path

from deepallele.genome.strain_vcf import prepare_strain_vcf
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    if Path(sm.output.tbi) != Path(f"{sm.output.vcf}.tbi"):
        raise ValueError(f"output tbi must be {sm.output.vcf}.tbi, not {sm.output.tbi}")
    vcfs = [sm.input.vcfs] if isinstance(sm.input.vcfs, str) else list(sm.input.vcfs)
    prepare_strain_vcf(vcfs, sm.output.vcf, sm.input.fasta, sample=sm.params.sample or None,
                       pass_only=bool(sm.params.pass_only), hom_alt_only=bool(sm.params.hom_alt_only),
                       threads=sm.threads, summary=sm.output.summary)
