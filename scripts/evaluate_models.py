"""Snakemake wrapper: test-set correlations of every model and seed of a dataset, and their mean/SD."""
from deepallele.logutil import job_logging
from deepallele.models.evaluate import parse_runs, performance_table, summarize

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    runs = parse_runs(sm.params.runs)
    table = performance_table(sm.wildcards.dataset, dict(zip(runs, sm.input.predictions)))
    table.to_csv(sm.output.table, sep="\t", index=False, float_format="%.6g")
    summary = summarize(table)
    summary.to_csv(sm.output.summary, sep="\t", index=False, float_format="%.6g")
    log.info("\n%s", summary.to_string(index=False))
