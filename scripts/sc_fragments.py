"""Snakemake wrapper: per-allele 10x fragment files of a scATAC dataset from its allele BAMs."""
from deepallele.logutil import job_logging
from deepallele.scatac.pipeline import fragments_stage

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    fragments_stage(sm.input.ref, sm.input.alt, dict(sm.output.items()), seed=sm.params.seed,
                    tie_split=sm.params.tie_split, fragments=sm.params.fragments, barcode_regex=sm.params.barcode_regex)
