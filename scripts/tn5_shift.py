"""Snakemake wrapper: Tn5 +4/-5 shift of one allele BAM from the reads' exact reference ends."""
from deepallele.logutil import job_logging
from deepallele.reads.tn5 import shift_bam

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    summary = shift_bam(sm.input.bam, sm.output.bam, summary_json=sm.output.summary,
                        command_line=f"deepallele tn5_shift {sm.input.bam} {sm.output.bam}")
    log.info("%s", summary)
