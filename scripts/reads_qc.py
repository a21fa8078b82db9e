"""Snakemake wrapper: the read QC table and plot of one dataset."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.reads.qc import plot_qc, sample_qc

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    per_sample = pd.read_csv(sm.input.counts_per_sample, sep="\t")
    tables = []
    for i, sample in enumerate(sm.params.samples):
        tables.append(sample_qc(sample, (sm.input.trim_r1[i], sm.input.trim_r2[i]), sm.input.split[i],
                                {"ref": sm.input.dedup_ref[i], "alt": sm.input.dedup_alt[i]}, per_sample))
    table = pd.concat(tables, ignore_index=True)
    table.insert(0, "dataset", sm.wildcards.dataset)
    table.to_csv(sm.output.table, sep="\t", index=False)
    plot_qc(table, sm.output.png, sm.output.pdf, f"{sm.wildcards.dataset}: read pairs through the stages",
            dpi=sm.params.dpi)
    log.info("\n%s", table.to_string(index=False))
