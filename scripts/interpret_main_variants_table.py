"""Snakemake wrapper: results/<dataset>/interpret/main_variants.tsv, DeepAllele's main variant per sequence.

Columns ``peak, main_variant, effect, in_motif`` (inside any seqlet of either allele),
``motif_name`` (its TF-like group, empty when outside or unnamed) -- the MeanDiff comparison
reads them -- then ``in_named_motif, trusted, cluster, seqlet, additive, pred_ratio, ...``
(:func:`deepallele.motifs.groups.main_variant_table`).
"""
import pandas as pd

from deepallele.logutil import job_logging
from deepallele.motifs.groups import main_variant_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    t = main_variant_table(pd.read_csv(sm.input.main, sep="\t", dtype={"peak": str, "motif_name": str},
                                       keep_default_na=False))
    t.to_csv(sm.output.main, sep="\t", index=False, float_format="%.6g")
    log.info("%d sequences, %d trusted, %d trusted main variants in a motif", len(t), t["trusted"].sum(),
             (t["trusted"] & t["in_motif"]).sum())
