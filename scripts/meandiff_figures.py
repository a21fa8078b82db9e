"""Snakemake wrapper: Fig S7 panels and the DeepAllele-vs-MeanDiff comparison table."""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.motifs.jaspar import read_meme
from deepallele.motifs.meandiff.compare import compare_with_deepallele, read_main_variants
from deepallele.plots.meandiff import plot_effects, plot_motifs, plot_pie

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    p = sm.params
    title = f"{sm.wildcards.dataset}: {p.label}"
    tests = pd.read_csv(sm.input.tests, sep="\t", keep_default_na=False, na_values=[""])
    effects = pd.read_csv(sm.input.sequences, sep="\t", keep_default_na=False, na_values=[""],
                          dtype={"peak": str, "top_motif": str, "best_agreement_motif": str, "direction": str})
    plot_motifs(tests, sm.output.motifs[0], title=title, method=p.method, alpha=p.alpha, motifs=read_meme(sm.input.meme))
    plot_effects(effects, sm.output.effects[0], title=title, method=p.method)
    plot_pie(effects, sm.output.pie[0], title=title)
    main = read_main_variants(sm.input.main_variants) if "main_variants" in sm.input.keys() else None
    if main is None:
        log.info("no DeepAllele main-variant table: comparison has the MeanDiff side only")
    compare_with_deepallele(effects, main).to_csv(sm.output.comparison, sep="\t", index=False, float_format="%.4g")
