"""Snakemake wrapper: the read QC table and plot of one dataset."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.reads.qc import plot_qc, reads_qc_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    i = sm.input
    table = reads_qc_table(sm.params.samples, i.trim_r1, i.trim_r2, i.split, i.dedup_ref, i.dedup_alt,
                           pd.read_csv(i.counts_per_sample, sep="\t"), dataset=sm.wildcards.dataset)
    table.to_csv(sm.output.table, sep="\t", index=False)
    plot_qc(table, sm.output.png, sm.output.pdf, f"{sm.wildcards.dataset}: read pairs through the stages",
            dpi=sm.params.dpi)
    log.info("\n%s", table.to_string(index=False))
