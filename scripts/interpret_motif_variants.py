"""Snakemake wrapper: main variants of the trusted sequences in motifs, TF-like groups and their shares."""
import pandas as pd

from deepallele.interpret.variant_effects import read_variant_table
from deepallele.logutil import job_logging
from deepallele.motifs.groups import locate_main_variants

sm = snakemake  # noqa: F821 (injected by Snakemake)


def read(path):
    return pd.read_csv(path, sep="\t", dtype={"peak": str}, keep_default_na=False, na_values=[""])


with job_logging(sm.log[0]) as log:
    p = sm.params
    # the paper's Fig 3b/S6: DeepAllele's main variants (the first model's), located in each model's seqlets
    located, shares, labels = locate_main_variants(read_variant_table(sm.input.main[0]), read(sm.input.clusters),
                                                   read(sm.input.summary), read(sm.input.tomtom),
                                                   read(sm.input.trusted), list(p.models), mode=p.mode, q_threshold=p.q,
                                                   min_share=p.min_share, log=log)
    located.to_csv(sm.output.main, sep="\t", index=False, float_format="%.6g")
    shares.to_csv(sm.output.groups, sep="\t", index=False, float_format="%.6g")
    labels.to_csv(sm.output.labels, sep="\t", index=False)
