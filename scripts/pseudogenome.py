"""Snakemake wrapper: build the strain pseudogenome and its coordinate map (chain)."""
import json

from deepallele.genome.pseudogenome import build_pseudogenome, check_vcf_contigs
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    check_vcf_contigs(sm.input.reference, sm.input.vcf)
    summary = build_pseudogenome(sm.input.reference, sm.input.vcf, sm.output.fasta, sm.output.chain,
                                 sample=sm.params.sample, report=sm.output.report, summary=sm.output.summary)
    log.info("%s", json.dumps(summary))
