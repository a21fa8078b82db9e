"""Snakemake wrapper: variant effects averaged over seeds, and each sequence's main variant and additive sum."""
import pandas as pd

from deepallele.interpret.variant_effects import main_variants, mean_effects
from deepallele.logutil import job_logging

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    tables = [pd.read_csv(p, sep="\t", keep_default_na=False, na_values=[""]) for p in sm.input.effects]
    for t in tables:
        t["ref_edit"] = t["ref_edit"].fillna("").astype(str)
        t["alt_edit"] = t["alt_edit"].fillna("").astype(str)
    effects = mean_effects(tables)
    effects.to_csv(sm.output.effects, sep="\t", index=False, float_format="%.6g")
    peaks = dict(zip(effects["peak_index"], effects["peak"]))
    n = int(effects["peak_index"].max()) + 1 if len(effects) else 0
    names = [peaks.get(i, "") for i in range(n)]
    main = main_variants(effects, names)
    pred = effects.groupby("peak_index")["pred_ratio"].first()
    main["pred_ratio"] = main["peak_index"].map(pred)
    main.to_csv(sm.output.main, sep="\t", index=False, float_format="%.6g")
    log.info("%d variants averaged over %d seeds; %d sequences with a main variant", len(effects), len(tables), len(main))
