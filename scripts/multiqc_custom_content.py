"""Snakemake wrapper: the MultiQC custom content and config of one dataset."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.reads.multiqc import write_custom_content
from deepallele.reads.qc import sample_qc

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    inputs = dict(sm.input.items())
    samples = list(sm.params.samples)
    per_sample = pd.read_csv(sm.input.counts_per_sample, sep="\t")
    reads_qc = None
    if "split" in inputs:  # a dataset with reads: the read QC table, as rule reads_qc makes it
        reads_qc = pd.concat([
            sample_qc(s, (sm.input.trim_r1[i], sm.input.trim_r2[i]), sm.input.split[i],
                      {"ref": sm.input.dedup_ref[i], "alt": sm.input.dedup_alt[i]}, per_sample)
            for i, s in enumerate(samples)
        ], ignore_index=True)
    names = [f"{s}.{a}" for s in samples for a in ("ref", "alt")]
    written = write_custom_content(
        sm.output[0],
        sm.wildcards.dataset,
        reads_qc=reads_qc,
        per_sample_counts=per_sample,
        fragment_stats=dict(zip(names, sm.input.fragment_stats)),
        tn5_summaries=dict(zip(names, inputs["tn5"])) if "tn5" in inputs else None,
        versions=pd.read_csv(sm.input.versions, sep="\t", dtype=str, keep_default_na=False),
        assay=sm.params.assay,
    )
    log.info("wrote %s", ", ".join(p.name for p in written))
