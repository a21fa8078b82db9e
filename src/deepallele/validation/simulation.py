"""The simulated dataset against its own configuration and the biology it should show.

Writes the ``simulation`` validation table (:mod:`deepallele.validation.table`; goals in
``goals.yaml``). The same checks are unit tests; the table lets a reader see at a glance what
the demo data look like. Goals decided here (``judge: module``):

* ``mean_abs_effect_variant_in_motif``: more than 10 times ``mean_abs_effect_variant_outside_motif``;
* ``mean_abs_ratio_regions_with_causal``: more than ``mean_abs_ratio_regions_without_causal``;
* ``median_fragments_per_region``: below ``mean_fragments_per_region``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .table import share_row, validation_table


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
        The grammar's primary factor (its truth name when planted off-database) and the TomTom
        matches of its true contributions
        (:func:`deepallele.simulate.truth_motifs.truth_tomtom`): whether the truth itself
        names the factor, which the interpretation stage's ``top_tf_group`` relies on.

    Returns
    -------
    pandas.DataFrame
        The ``simulation`` validation table (:mod:`deepallele.validation.table`).
    """
    rows = []

    def add(metric, value, n=None, **extra):
        rows.append({"metric": metric, "value": value, "n": n, **extra})

    def add_share(metric, mask, digits):
        rows.append(share_row(metric, mask, digits))

    add("genome_gc", round(genome_summary["gc"], 4))
    add("genome_cpg_obs_exp", round(genome_summary["cpg_obs_exp"], 3))
    add("bp_per_snp", round(genome_summary["bp_per_snp"], 1))
    add("bp_per_indel", round(genome_summary["bp_per_indel"], 1))
    add("n_regions", len(regions))
    chroms = set(regions["chrom"])
    per_chrom = regions["chrom"].value_counts()
    add("min_regions_on_chr16_chr17_chr18", int(min(per_chrom.get(c, 0) for c in ("chr16", "chr17", "chr18"))))
    add("chromosomes_with_regions", len(chroms))
    ratio = regions["true_ln_ratio"].abs()
    add_share("fraction_balanced_abs_ratio_lt_0.25", ratio < 0.25, 3)
    add_share("fraction_imbalanced_abs_ratio_ge_1", ratio >= 1, 3)
    in_site = variants[variants["planted_site"].fillna("") != ""]
    out_site = variants[variants["planted_site"].fillna("") == ""]
    effect_in, effect_out = float(in_site["effect"].abs().mean()), float(out_site["effect"].abs().mean())
    add("mean_abs_effect_variant_in_motif", round(effect_in, 3), len(in_site), met=bool(effect_in > 10 * effect_out))
    add("mean_abs_effect_variant_outside_motif", round(effect_out, 4), len(out_site))
    causal = regions["main_causal_variant"].fillna("") != ""
    ratio_with, ratio_without = float(ratio[causal].mean()), float(ratio[~causal].mean())
    add("mean_abs_ratio_regions_with_causal", round(ratio_with, 3), int(causal.sum()),
        met=bool(ratio_with > ratio_without))
    add("mean_abs_ratio_regions_without_causal", round(ratio_without, 3), int((~causal).sum()))

    uniq = reads[reads["duplicate_of"] < 0]
    add_share("duplicate_rate", reads["duplicate_of"] >= 0, 4)
    add_share("background_fraction", uniq["source"] == "background", 4)
    add("fragment_length_mean", round(float(uniq["fragment_length"].mean()), 1),
        **({} if "fragment_mean" in params else {"goal_key": "fragment_length_mean (ladder)"}))
    add_share("fraction_fragments_shorter_than_read", uniq["fragment_length"] < params["read_length"], 4)

    counts = read_truth_counts(reads).reindex(regions["region_id"]).fillna(0)
    depth = counts.sum(axis=1).to_numpy()
    ln_ratio = np.log1p(counts["ref"].to_numpy()) - np.log1p(counts["alt"].to_numpy())
    deep = depth >= 100
    r = stats.pearsonr(ln_ratio[deep], regions["true_ln_ratio"].to_numpy()[deep])[0] if deep.sum() > 10 else np.nan
    add("read_ratio_vs_true_pearson_depth100", round(float(r), 3), int(deep.sum()))
    add("mean_fragments_per_region", round(float(depth.mean()), 1))
    add("median_fragments_per_region", float(np.median(depth)), met=bool(np.median(depth) < depth.mean()))
    fields = {"gc": genome_params["gc"], "snp_spacing": genome_params["snp_spacing"],
              "indel_spacing": genome_params["indel_spacing"], "n_regions": params["n_regions"],
              "duplicate_rate": params["duplicate_rate"],
              "background_fraction": round(params["background_fraction"] + params["chrM_fraction"], 6),
              "fragment_mean": params.get("fragment_mean"), "fragments_per_region": params["fragments_per_region"]}
    if primary_truth is not None:
        from ..simulate.truth_motifs import truth_rank

        primary, matches = primary_truth
        add("primary_truth_tomtom_best", matches["target"].iloc[0] if len(matches) else "(none)")
        rank = truth_rank(matches, primary)
        add("primary_truth_tomtom_rank", rank if rank is not None else "(not matched)")
        fields["primary"] = primary
    return validation_table("simulation", rows, fields)
