"""The simulation table on a hand-built truth: configured goals filled in, module-judged rows, statuses."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.validation.simulation import simulation_metrics

CHROMS = [f"chr{i}" for i in range(1, 20)] + ["chrX"]
PARAMS = {"n_regions": 40, "duplicate_rate": 0.12, "background_fraction": 0.04, "chrM_fraction": 0.01,
          "fragment_mean": 200, "read_length": 50, "fragments_per_region": 150}
GENOME = {"gc": 0.42, "snp_spacing": 1000, "indel_spacing": 8000}
SUMMARY = {"gc": 0.415, "cpg_obs_exp": 0.2, "bp_per_snp": 1100.0, "bp_per_indel": 8000.0}


def _truth():
    """40 regions on 20 chromosomes: 30 balanced (|ratio| 0.1), 6 at 0.5 and 4 at 1.5, the last 20 with a
    causal variant; unique fragments per region skewed (median below the mean); 5 % background, 12 % duplicates."""
    ratio = np.array([0.1] * 30 + [0.5] * 6 + [1.5] * 4)
    regions = pd.DataFrame({"region_id": [f"r{i}" for i in range(40)], "chrom": [CHROMS[i // 2] for i in range(40)],
                            "true_ln_ratio": ratio, "main_causal_variant": [""] * 20 + [f"v{i}" for i in range(20)]})
    variants = pd.DataFrame({"variant_id": [f"v{i}" for i in range(50)], "planted_site": ["SPI1"] * 25 + [""] * 25,
                             "effect": [1.0] * 25 + [0.01] * 25})
    sources, alleles = [], []
    for i, r in enumerate(ratio):
        total = 100 + i * i // 10
        n_ref = round(total / (1 + np.exp(-r)))
        sources += [f"r{i}"] * total
        alleles += ["ref"] * n_ref + ["alt"] * (total - n_ref)
    n_background = round(0.05 / 0.95 * len(sources))
    sources += ["background"] * n_background
    alleles += ["ref"] * n_background
    n_duplicates = round(0.12 / 0.88 * len(sources))
    unique = len(sources)
    reads = pd.DataFrame({"source": sources + sources[:n_duplicates], "allele": alleles + alleles[:n_duplicates],
                          "duplicate_of": [-1] * unique + list(range(n_duplicates))})
    reads["fragment_length"] = np.where(np.arange(len(reads)) % 10 == 0, 40, 200)
    return regions, variants, reads


def test_configured_goals_and_statuses():
    regions, variants, reads = _truth()
    primary = ("SPI1", pd.DataFrame({"target": ["SPI1", "SPIB"], "rank": [0, 1]}))
    t = simulation_metrics(regions, variants, reads, SUMMARY, PARAMS, GENOME, primary).set_index("metric")
    goals = t["goal"].to_dict()
    assert goals["genome_gc"] == "~0.42 (±0.01)" and goals["bp_per_snp"] == "~1000 (±15%)"
    assert goals["n_regions"] == "= 40" and goals["duplicate_rate"] == "0.12 (±0.01)"
    assert goals["background_fraction"] == "0.05 (±0.02, incl. chrM)"
    assert goals["primary_truth_tomtom_best"] == "= SPI1 (the truth's contributions name the primary factor)"
    status = t["status"].to_dict()
    # 0.415 within 0.01 of 0.42; 1100 within 15 % of 1000; 30/40 balanced > 0.5; 4/40 imbalanced in 0.03–0.25
    for metric in ("genome_gc", "bp_per_snp", "n_regions", "chromosomes_with_regions",
                   "min_regions_on_chr16_chr17_chr18", "fraction_balanced_abs_ratio_lt_0.25", "fraction_imbalanced_abs_ratio_ge_1", "duplicate_rate",
                   "background_fraction", "fraction_fragments_shorter_than_read", "mean_fragments_per_region",
                   "primary_truth_tomtom_best", "primary_truth_tomtom_rank"):
        assert status[metric] == "pass", (metric, t.loc[metric, "value"], goals[metric])
    # judged by the module: 1.0 > 10 x 0.01; regions with a causal variant more imbalanced; median < mean
    assert [status[m] for m in ("mean_abs_effect_variant_in_motif", "mean_abs_ratio_regions_with_causal",
                                "median_fragments_per_region")] == ["pass", "pass", "pass"]
    assert status["mean_abs_effect_variant_outside_motif"] == "context"  # "≈ 0" names no threshold
    assert t.loc["fraction_balanced_abs_ratio_lt_0.25", ["value", "n"]].tolist() == [0.75, 40]
    assert t.loc["fraction_balanced_abs_ratio_lt_0.25", "ci_low"] < 0.75 < t.loc["fraction_balanced_abs_ratio_lt_0.25",
                                                                               "ci_high"]
    assert t.loc["read_ratio_vs_true_pearson_depth100", "n"] == 40


def test_missed_and_undecided_goals():
    regions, variants, reads = _truth()
    params = {k: v for k, v in PARAMS.items() if k != "fragment_mean"} | {"n_regions": 41}
    variants = variants.assign(effect=[0.05] * 25 + [0.01] * 25)  # in motifs only 5x the rest
    t = simulation_metrics(regions.iloc[20:35], variants, reads, SUMMARY | {"gc": 0.44}, params, GENOME)
    t = t.set_index("metric")
    assert t.loc["genome_gc", "status"] == "miss" and t.loc["n_regions", "status"] == "miss"
    assert t.loc["mean_abs_effect_variant_in_motif", "status"] == "miss"
    assert t.loc["fragment_length_mean", ["goal", "status"]].tolist() == ["ladder mean", "context"]
    # 15 regions cannot decide the shares that need 20
    assert t.loc["fraction_balanced_abs_ratio_lt_0.25", ["n", "status"]].tolist() == [15, "insufficient"]
    assert "primary_truth_tomtom_best" not in t.index
    assert t.loc["mean_abs_effect_variant_in_motif", "value"] == pytest.approx(0.05)
