# Settings and input functions of the MeanDiff stage (rules/meandiff.smk). Functions and
# constants only, no rules.

# the Fig S7 panels of rule figure_meandiff (configured split)
MEANDIFF_FIGURES = ["figS7_motifs", "figS7_effects", "figS7_pie"]


def meandiff_setting(key):
    return config["meandiff"][key]


def meandiff_main_variants(dataset):
    """DeepAllele's main-variant table, when it is to be compared (see config meandiff.compare_deepallele).

    ``auto`` compares whenever this workflow interprets DeepAllele. It is decided from the
    workflow and config, never from files on disk: an input that appears only once another
    job has written it would make every finished run look out of date.
    """
    path = fill(MAIN_VARIANTS, dataset=dataset)
    mode = meandiff_setting("compare_deepallele")
    # the dataset's own model types (datasets.<name>.models.types, else models.types; interpret_models,
    # rules/interpret_common.smk), when the interpretation rules are part of this workflow
    interpreted = rules.has("interpret_main_variants_table") and "deepallele" in interpret_models(dataset)
    if mode == "required" or (mode == "auto" and interpreted):
        return {"main_variants": path}
    return {}


def meandiff_stage_targets(dataset):
    """Final outputs of the MeanDiff stage of a dataset (validation for simulated ones)."""
    targets = [
        fill(MEANDIFF_TESTS, dataset=dataset),
        fill(MEANDIFF_COMPARISON, dataset=dataset),
        figure("figS7_motifs", "png", dataset),
    ]
    if dataset in SIMULATED_DATASETS:
        targets += [
            fill(VALIDATION_MEANDIFF, dataset=dataset),
            figure("figS7_all_peaks_motifs", "png", dataset),
        ]
    return targets


def meandiff_figure_files(dataset):
    """Every file of the MeanDiff figures (Fig S7) of a dataset, in rule figure_meandiff's order."""
    return [figure(f, ext, dataset) for f in MEANDIFF_FIGURES for ext in ("pdf", "tsv", "png")]
