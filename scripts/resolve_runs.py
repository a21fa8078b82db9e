"""Snakemake wrapper: resolve a dataset's accessions (GSE/GSM/SRX/SRR/PRJNA/...) to the pinned run table.

params: rows (sample, accession, title_regex, row; daw.accession_rows), portal_url, eutils_url,
retries, backoff_s, timeout_s; output: runs; log: one file.
"""
from deepallele.logutil import job_logging
from deepallele.reads.accessions import resolve_sheet

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    resolve_sheet(p.rows, sm.output.runs, portal_url=p.portal_url, eutils_url=p.eutils_url,
                  retries=int(p.retries), backoff_s=float(p.backoff_s), timeout_s=float(p.timeout_s), log=log)
