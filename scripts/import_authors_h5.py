"""Snakemake wrapper: the authors' processed HDF5 -> the dataset's pairs.h5 (+ summary)."""
from deepallele.datasets.authors_h5 import import_authors_h5
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    p = sm.params
    import_authors_h5(sm.input.h5, sm.output.h5, target=p.target, peak_pattern=p.peak_pattern or None,
                      scheme=p.scheme, val=list(p.val), test=list(p.test), reference_name=p.names["reference"],
                      strain_name=p.names.get("strain"), summary=sm.output.summary)
