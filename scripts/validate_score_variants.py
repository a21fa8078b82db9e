"""Snakemake wrapper: score-variants of the strain VCF and of the new SNVs against the simulator's true effects (rule validate_score_variants)."""
import pandas as pd

from deepallele.interpret.outputs import atomic_path
from deepallele.logutil import job_logging
from deepallele.validation.score_variants import score_variant_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)


def _scores(path):
    return pd.read_csv(path, sep="\t", dtype={"chrom": str, "peak": str}, keep_default_na=False, na_values=["NA"])


def _truth(path):
    return pd.read_csv(path, sep="\t", dtype={"chrom": str}, keep_default_na=False)


with job_logging(sm.log[0]) as log:
    truths = {"strain": sm.input.truth, "new_snvs": sm.input.new_snvs_truth}
    per_vcf = {vcf: ({m: _scores(p) for m, p in zip(sm.params.models, getattr(sm.input, vcf))}, _truth(truths[vcf]))
               for vcf in sm.params.vcfs}
    # params.goals: which variants are judged (min_true_effect); the goals are in validation/goals.yaml
    table = score_variant_tables(per_vcf, sm.params.models[0], sm.params.goals["min_true_effect"])
    with atomic_path(sm.output.table) as tmp:
        table.to_csv(tmp, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
