"""Check a simulated dataset against its own configuration and the biology it should show.

Writes the ``metric, value, goal, n`` table of the simulation stage. The same checks are unit
tests; the table lets a reader see at a glance what the demo data look like.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..validation.table import validation_table


def read_truth_counts(reads: pd.DataFrame) -> pd.DataFrame:
    """Unique fragments per region and allele, recomputed from the read-level truth."""
    uniq = reads[(reads["duplicate_of"] < 0) & (reads["source"] != "background")]
    counts = uniq.groupby(["source", "allele"]).size().unstack(fill_value=0)
    for col in ("ref", "alt"):
        if col not in counts:
            counts[col] = 0
    return counts[["ref", "alt"]]


def simulation_metrics(regions: pd.DataFrame, variants: pd.DataFrame, reads: pd.DataFrame,
                       genome_summary: dict, params: dict, genome_params: dict,
                       primary_truth: tuple[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Metrics of a simulated dataset with their goals.

    Parameters
    ----------
    regions, variants, reads : pandas.DataFrame
        The truth tables ``regions.tsv``, ``variants.tsv`` and ``reads.tsv.gz``.
    genome_summary : dict
        ``truth/summary.tsv`` of the genome, as metric -> value.
    params, genome_params : dict
        The dataset's and the genome's simulation parameters.
    primary_truth : (str, pandas.DataFrame), optional
        The grammar's primary factor and the TomTom matches of its true contributions
        (:func:`deepallele.simulate.truth_motifs.truth_tomtom`): whether the truth itself
        names the factor, which the interpretation stage's ``top_tf_group`` relies on.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, value, goal, n`` (:mod:`deepallele.validation.table`).
    """
    rows = []

    def add(metric, value, goal, n=None):
        rows.append({"metric": metric, "value": value, "goal": goal, "n": n})

    add("genome_gc", round(genome_summary["gc"], 4), f"~{genome_params['gc']} (±0.01)")
    add("genome_cpg_obs_exp", round(genome_summary["cpg_obs_exp"], 3), "< 0.4 (CpG depleted)")
    add("bp_per_snp", round(genome_summary["bp_per_snp"], 1), f"~{genome_params['snp_spacing']} (±15%)")
    add("bp_per_indel", round(genome_summary["bp_per_indel"], 1), f"~{genome_params['indel_spacing']} (±25%)")
    add("n_regions", len(regions), f"= {params['n_regions']}")
    chroms = set(regions["chrom"])
    per_chrom = regions["chrom"].value_counts()
    add("min_regions_on_chr16_chr17_chr18", int(min(per_chrom.get(c, 0) for c in ("chr16", "chr17", "chr18"))),
        "> 0 (validation and test chromosomes)")
    add("chromosomes_with_regions", len(chroms), "= 20 (chr1..chr19, chrX)")
    ratio = regions["true_ln_ratio"].abs()
    add("fraction_balanced_abs_ratio_lt_0.25", round(float((ratio < 0.25).mean()), 3), "> 0.5 (most balanced)", len(ratio))
    add("fraction_imbalanced_abs_ratio_ge_1", round(float((ratio >= 1).mean()), 3), "0.03–0.25 (a minority)", len(ratio))
    in_site = variants[variants["planted_site"].fillna("") != ""]
    out_site = variants[variants["planted_site"].fillna("") == ""]
    add("mean_abs_effect_variant_in_motif", round(float(in_site["effect"].abs().mean()), 3),
        "> 10x the value outside motifs", len(in_site))
    add("mean_abs_effect_variant_outside_motif", round(float(out_site["effect"].abs().mean()), 4), "≈ 0", len(out_site))
    causal = regions["main_causal_variant"].fillna("") != ""
    add("mean_abs_ratio_regions_with_causal", round(float(ratio[causal].mean()), 3), "> without", int(causal.sum()))
    add("mean_abs_ratio_regions_without_causal", round(float(ratio[~causal].mean()), 3), "≈ 0", int((~causal).sum()))

    uniq = reads[reads["duplicate_of"] < 0]
    add("duplicate_rate", round(float((reads["duplicate_of"] >= 0).mean()), 4),
        f"{params['duplicate_rate']} (±0.01)", len(reads))
    add("background_fraction", round(float((uniq["source"] == "background").mean()), 4),
        f"{params['background_fraction'] + params['chrM_fraction']} (±0.02, incl. chrM)", len(uniq))
    add("fragment_length_mean", round(float(uniq["fragment_length"].mean()), 1),
        f"{params.get('fragment_mean', 'ladder')} (±10%)" if "fragment_mean" in params else "ladder mean")
    short = float((uniq["fragment_length"] < params["read_length"]).mean())
    add("fraction_fragments_shorter_than_read", round(short, 4), "> 0 (adapter read-through)", len(uniq))

    counts = read_truth_counts(reads).reindex(regions["region_id"]).fillna(0)
    depth = counts.sum(axis=1).to_numpy()
    ln_ratio = np.log1p(counts["ref"].to_numpy()) - np.log1p(counts["alt"].to_numpy())
    deep = depth >= 100
    r = stats.pearsonr(ln_ratio[deep], regions["true_ln_ratio"].to_numpy()[deep])[0] if deep.sum() > 10 else np.nan
    add("read_ratio_vs_true_pearson_depth100", round(float(r), 3), ">= 0.9", int(deep.sum()))
    add("mean_fragments_per_region", round(float(depth.mean()), 1), f"~{params['fragments_per_region']} (±10%)")
    add("median_fragments_per_region", float(np.median(depth)), "(activity is skewed: median < mean)")
    if primary_truth is not None:
        from .truth_motifs import truth_rank

        primary, matches = primary_truth
        best = matches["target"].iloc[0] if len(matches) else "(none)"
        add("primary_truth_tomtom_best", best, f"= {primary} (the truth's contributions name the primary factor)")
        rank = truth_rank(matches, primary)
        add("primary_truth_tomtom_rank", rank if rank is not None else "(not matched)", "= 1")
    return validation_table(rows)
