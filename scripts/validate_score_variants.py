"""Snakemake wrapper: score-variants of the strain VCF against the simulator's true effects (rule validate_score_variants)."""
import pandas as pd

from deepallele.interpret.outputs import atomic_path
from deepallele.interpret.validate_score_variants import score_variant_metrics
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    scores = {m: pd.read_csv(p, sep="\t", dtype={"chrom": str, "peak": str}, keep_default_na=False,
                             na_values=["NA"]) for m, p in zip(sm.params.models, sm.input.scores)}
    truth = pd.read_csv(sm.input.truth, sep="\t", dtype={"chrom": str}, keep_default_na=False)
    table = score_variant_metrics(scores, truth, sm.params.models[0], **sm.params.goals)
    with atomic_path(sm.output.table) as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
