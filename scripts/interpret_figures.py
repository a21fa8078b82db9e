"""Snakemake wrapper: the interpretation figures of a dataset (Fig 2a-d, 3a/b, S3a-c, S4, S5, S6)."""
from deepallele.interpret.figures import write_interpretation_figures
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    thresholds = sm.config.get("interpretation", {}).get("trusted", {})   # the cut-offs Fig S4 draws
    write_interpretation_figures(dict(sm.input.items()), list(sm.output), sm.params.seeds, loci=sm.params.loci,
                                 baseline=sm.params.baseline, min_obs=thresholds.get("min_obs", 1.0),
                                 min_z=thresholds.get("min_z", 1.65), log=log)
