"""Snakemake wrapper: one scATAC lane's cell barcodes checked, corrected and written into the reads' headers."""
from deepallele.logutil import job_logging
from deepallele.scatac.barcodes import tag_fastqs

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    report = tag_fastqs(sm.input.r1, sm.input.barcode, sm.input.r3, sm.output.r1, sm.output.r3, sm.input.whitelist,
                        orientation=sm.params.orientation, correction=sm.params.correction,
                        min_posterior=sm.params.min_posterior, suffix=sm.params.suffix, report=sm.output.report)
    log.info("%s", report)
