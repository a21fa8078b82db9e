"""Snakemake wrapper: the dataset's pairs.h5 -> the authors' HDF5 layout."""
from deepallele.datasets.authors_h5 import export_authors_h5
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    export_authors_h5(sm.input.h5, sm.output.h5, layout=sm.params.layout, target=sm.params.target)
