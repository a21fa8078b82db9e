"""Snakemake wrapper: paired-allele HDF5 (sequences, targets, split, variants) of one dataset."""
from deepallele.datasets.store import build_paired_dataset
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    p = sm.params
    build_paired_dataset(sm.input.counts, sm.input.reference, sm.input.strain, sm.input.chain, sm.input.vcf,
                         sm.output.h5, p.length, scheme=p.scheme, val=list(p.val), test=list(p.test),
                         reference_name=p.names["reference"], strain_name=p.names["strain"], sample=p.sample,
                         summary=sm.output.summary, window=p.window)
