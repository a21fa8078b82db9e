"""Snakemake wrapper: download one run's FASTQs from ENA (md5-checked), as listed in the run table.

input: runs_table; params: run, keep_technical, retries, backoff_s, timeout_s; output: r1, r2
(and r3, ... when keep_technical), named {run}_{k}.fastq.gz in ENA's file order; log: one file.
"""
from deepallele.logutil import job_logging
from deepallele.reads.accessions import download_run

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    outputs = [sm.output[k] for k in ("r1", "r2", "r3", "r4") if k in sm.output.keys()]
    download_run(sm.input.runs_table, p.run, outputs, keep_technical=bool(p.keep_technical),
                 retries=int(p.retries), backoff_s=float(p.backoff_s), timeout_s=float(p.timeout_s), log=log)
