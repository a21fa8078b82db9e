"""Snakemake wrapper: interpretation against the simulator's truth (validation/interpretation.tsv)."""
import numpy as np
import pandas as pd

from deepallele.datasets.store import open_pairs
from deepallele.interpret.data import load_interpret_set
from deepallele.logutil import job_logging
from deepallele.motifs.groups import top_group
from deepallele.motifs.jaspar import read_meme
from deepallele.simulate.run import dataset_grammar
from deepallele.simulate.truth_attributions import truth_cluster_matches
from deepallele.simulate.truth_motifs import primary_truth_matches, truth_equivalents
from deepallele.validation.interpret import (group_cluster_names, interpretation_metrics, match_regions,
                                             truth_attribution_metrics)

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    main = pd.read_csv(sm.input.main, sep="\t", dtype={"peak": str, "motif_name": str}, keep_default_na=False)
    groups = pd.read_csv(sm.input.groups, sep="\t", keep_default_na=False)
    regions = pd.read_csv(sm.input.regions, sep="\t", dtype={"chrom": str, "main_causal_variant": str},
                          keep_default_na=False)
    variants = pd.read_csv(sm.input.variants, sep="\t", dtype={"chrom": str, "planted_site": str},
                           keep_default_na=False)
    stored = open_pairs(sm.input.pairs, ("peak", "chrom", "peak_start", "peak_end"))
    hit = match_regions(stored["chrom"], stored["peak_start"], stored["peak_end"], regions)
    region_of_peak = {p: regions["region_id"].iloc[i] for p, i in zip(stored["peak"], hit) if i >= 0}
    top = top_group(groups[groups["model"] == "deepallele"])
    top_names = group_cluster_names(pd.read_csv(sm.input.cluster_groups, sep="\t", keep_default_na=False),
                                    pd.read_csv(sm.input.cluster_names, sep="\t", keep_default_na=False), top)
    # factors the truth itself cannot tell from the primary (as in validate_simulation)
    primary, matches = primary_truth_matches(sm.params.sim, sm.input.jaspar)
    equivalents = truth_equivalents(matches, primary)
    log.info("TomTom of the truth's %s contributions: %s", primary, ", ".join(matches["target"].head(5)))
    table = interpretation_metrics(main, regions, variants, top, primary, region_of_peak,
                                   primary_equivalents=equivalents, top_group_names=top_names)
    # is the primary nameable from perfect attributions of the same pairs?
    grammar = dataset_grammar(sm.params.sim)
    data = load_interpret_set(sm.input.pairs, sm.params.split)
    variants_of_rows = data.variants[np.isin(data.variants["peak_index"], data.rows)]
    summary, truth_matches = truth_cluster_matches(grammar, data.codes[data.rows], data.peak, data.rows,
                                                   variants_of_rows, read_meme(sm.input.jaspar), sm.params.seqlets,
                                                   sm.params.cluster, log=log)
    table = pd.concat([table, truth_attribution_metrics(summary, truth_matches, primary, equivalents, sm.params.q)],
                      ignore_index=True)
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table.to_string(index=False))
