"""Snakemake wrapper: training/forward throughput of paper-size DeepAllele vs the performance anchors."""
from deepallele.logutil import job_logging
from deepallele.models.benchmark import benchmark_training

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    table = benchmark_training(threads=sm.threads, repeats=sm.params.repeats)
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
