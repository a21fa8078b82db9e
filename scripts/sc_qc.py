"""Snakemake wrapper: scATAC QC (cells, barcodes per lane, per-allele funnel, fragment lengths, plots)."""
from deepallele.logutil import job_logging
from deepallele.scatac.pipeline import qc_stage

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]):
    qc_stage({k: sm.input[k] for k in ("ref", "alt", "ties")}, sm.input.peaks, sm.input.cell_types,
             sm.params.cell_type, sm.input.match, sm.input.fragment_stats, sm.input.counts, list(sm.input.reports),
             list(sm.input.splits), dict(sm.output.items()))
