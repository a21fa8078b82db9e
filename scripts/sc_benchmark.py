"""Snakemake wrapper: barcode and fragment throughput of this run, extrapolated to a 200 M-pair library."""
from deepallele.logutil import job_logging
from deepallele.scatac.pipeline import benchmark_stage

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    benchmark_stage(list(sm.input.barcode_jobs), list(sm.input.reports), sm.input.fragment_job,
                    sm.input.fragment_stats, sm.output.table)
