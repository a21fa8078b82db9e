"""Snakemake wrapper: the MultiQC custom content and config of one dataset."""
from deepallele.logutil import job_logging
from deepallele.reads.multiqc import dataset_custom_content

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    written = dataset_custom_content(sm.output[0], sm.wildcards.dataset, list(sm.params.samples),
                                     dict(sm.input.items()), assay=sm.params.assay)
    log.info("wrote %s", ", ".join(p.name for p in written))
