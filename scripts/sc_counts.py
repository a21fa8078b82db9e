"""Snakemake wrapper: pseudo-bulk allele counts of the chosen cell types and their peaks x cells matrices."""
from deepallele.logutil import job_logging
from deepallele.scatac.pipeline import counts_stage

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    counts_stage(sm.input.ref, sm.input.alt, sm.input.peaks, sm.input.cell_types, sm.params.cell_type,
                 dict(sm.output.items()), min_cell_fraction=sm.params.min_cell_fraction,
                 count_contigs=sm.params.count_contigs)
