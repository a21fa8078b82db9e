"""Snakemake wrapper: a training run's best.ckpt as model.safetensors + model.json (rule export_model)."""
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.models.modelfile import export_checkpoint

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    path = export_checkpoint(sm.input.ckpt, Path(sm.output.meta).parent, seed=int(sm.wildcards.seed),
                             allele_names=dict(sm.params.names), summary=sm.input.summary)
    log.info("wrote %s and %s", path, sm.output.weights)
