"""Snakemake wrapper: a published per-allele peak count table -> the dataset's counts table.

params.columns holds the config's ``count_table`` keys (id_column, ref_column, alt_column,
chrom_column, start_column, end_column, id_pattern, coordinate_base), the function's own names.
"""
from deepallele.datasets.count_table import import_count_table
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    import_count_table(sm.input.table, sm.output.counts, **dict(sm.params.columns), peaks=sm.input.get("peaks"),
                       fai=sm.input.get("fai"))
