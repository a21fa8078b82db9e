# Settings and input functions of the MeanDiff stage (rules/meandiff.smk). Functions only (no
# rules); included by rules/meandiff.smk, after rules/common.smk (config, SIMULATED_DATASETS,
# simulated_dataset_params).


def meandiff_setting(key):
    return config["meandiff"][key]


def meandiff_main_variants(dataset):
    """DeepAllele's main-variant table, when it is to be compared (see config meandiff.compare_deepallele).

    ``auto`` compares whenever this workflow interprets DeepAllele. It is decided from the
    workflow and config, never from files on disk: an input that appears only once another
    job has written it would make every finished run look out of date.
    """
    path = f"results/{dataset}/interpret/main_variants.tsv"
    mode = meandiff_setting("compare_deepallele")
    # the dataset's own model types (datasets.<name>.models.types, else models.types); interpret_models
    # (rules/interpret_common.smk) is there whenever the interpretation rules are
    interpreted = rules.has("interpret_main_variants_table") and "deepallele" in interpret_models(dataset)
    if mode == "required" or (mode == "auto" and interpreted):
        return {"main_variants": path}
    return {}


def planted_motifs(dataset):
    """Names of the motifs the simulator's grammar planted in a simulated dataset."""
    from deepallele.simulate.run import grammar_spec

    return list(grammar_spec(simulated_dataset_params(dataset))["motifs"])


def meandiff_stage_targets(dataset):
    """Final outputs of the MeanDiff stage of a dataset (validation for simulated ones)."""
    targets = [
        f"results/{dataset}/meandiff/motif_tests.tsv",
        f"results/{dataset}/meandiff/comparison.tsv",
        f"results/{dataset}/figures/figS7_motifs.png",
    ]
    if dataset in SIMULATED_DATASETS:
        targets += [
            f"results/{dataset}/validation/meandiff.tsv",
            f"results/{dataset}/figures/figS7_all_peaks_motifs.png",
        ]
    return targets
