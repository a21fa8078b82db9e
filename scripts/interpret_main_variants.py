"""Snakemake wrapper: variant effects averaged over seeds, and each sequence's main variant and additive sum."""
from deepallele.interpret.variant_effects import read_variant_table, seed_main_variants
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    effects, main = seed_main_variants([read_variant_table(p) for p in sm.input.effects])
    effects.to_csv(sm.output.effects, sep="\t", index=False, float_format="%.6g")
    main.to_csv(sm.output.main, sep="\t", index=False, float_format="%.6g")
    log.info("%d variants averaged over %d seeds; %d sequences with a main variant", len(effects),
             len(sm.input.effects), len(main))
