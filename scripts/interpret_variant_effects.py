"""Snakemake wrapper: effect of every variant of the interpreted split for one model and seed."""
import torch

from deepallele.interpret.data import load_interpret_set
from deepallele.interpret.variant_effects import variant_effects
from deepallele.logutil import job_logging
from deepallele.models.module import load_module

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    torch.set_num_threads(sm.threads)
    module = load_module(sm.input.ckpt)
    data = load_interpret_set(sm.input.pairs, sm.params.split)
    table = variant_effects(module.model, data.codes, data.variants)
    table.insert(1, "peak", table["peak_index"].map(dict(zip(data.rows, data.peak))))
    table.to_csv(sm.output.table, sep="\t", index=False, float_format="%.6g")
    log.info("%d variants (%d scored) in %d sequences", len(table), table["effect"].notna().sum(), len(data.rows))
