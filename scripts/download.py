"""Snakemake wrapper: download one file (https/ftp/file/local path) through a .part file, md5-checked.

params: url, md5 ("" = none), md5_url ("" or a .md5 companion to fetch and parse when md5 is
empty), retries, backoff_s, timeout_s; output: file; log: one file.
"""
from deepallele.logutil import job_logging
from deepallele.resources.http import download

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    download(p.url, sm.output.file, p.md5 or None, md5_url=getattr(p, "md5_url", "") or None,
             retries=int(p.retries), backoff_s=float(p.backoff_s), timeout_s=float(p.timeout_s), log=log)
