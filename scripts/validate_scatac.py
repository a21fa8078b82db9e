"""Snakemake wrapper: the scATAC path against the simulator's truth (validation/scatac.tsv)."""
from deepallele.logutil import job_logging
from deepallele.validation.scatac import validate_scatac

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    validate_scatac(dict(sm.input.items()), sm.output.table, fragments=sm.params.fragments,
                    cell_type=sm.params.cell_type, exclude_contigs=sm.params.exclude_contigs)
