# Named targets: one rule per stage and per figure family, for `snakemake <name>`.
#
#   snakemake --profile profiles/local counts      # allele count tables + tracks, every dataset
#   snakemake --profile profiles/local fig1        # Fig 1c/1d of every dataset
#   snakemake --profile profiles/local qc          # read QC tables and plots, MultiQC reports
#
# Any single output file is a target too (e.g. results/demo_chip/figures/fig1c_counts.png).
# The target functions are in rules/targets_common.smk.


FIGURE_FAMILIES = figure_families()


rule reads:
    input:
        _all_datasets(reads_stage_targets),


rule counts:
    input:
        _all_datasets(counts_stage_targets),


rule datasets:
    input:
        _all_datasets(dataset_stage_targets),


rule models:
    input:
        _all_datasets(models_stage_targets),


rule interpret:
    input:
        _all_datasets(interpret_stage_targets),


rule meandiff:
    input:
        _all_datasets(meandiff_stage_targets),


rule score_variants:
    input:
        sorted(set(_all_datasets(score_variants_stage_targets))),


rule qc:
    input:
        _all_datasets(qc_targets),
        SOFTWARE_VERSIONS,


rule validation:
    input:
        validation_targets(),


rule figures:
    input:
        [f for files in FIGURE_FAMILIES.values() for f in files],


# one target rule per figure family: fig1, fig2, fig3, figS2, ..., training_curves, qc_plots
for _family, _files in FIGURE_FAMILIES.items():

    rule:
        name:
            _family
        input:
            _files,
