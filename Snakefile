# DeepAllele workflow: F1 hybrid reads -> allele-specific counts -> paired-allele models -> figures.
#
#   snakemake --profile profiles/local            # everything, for every dataset in the config
#   snakemake --profile profiles/local simulate   # a named stage (see the target rules below)
#
# Each stage is one rules/*.smk file, its helpers in rules/*_common.smk, every path in
# rules/layout.smk; all logic lives in the `deepallele` package (src/).

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


# Setup first: config checks, dataset lists, the file layout (rules/layout.smk) and every stage's
# helpers. Then the stages' rules, one file each; their order does not matter.
include: "rules/common.smk"
include: "rules/simulate.smk"
include: "rules/resources.smk"
include: "rules/imports.smk"
include: "rules/sra.smk"
include: "rules/trim.smk"
include: "rules/reference.smk"
include: "rules/align.smk"
include: "rules/alleles.smk"
include: "rules/dedup.smk"
include: "rules/atac.smk"
include: "rules/peaks.smk"
include: "rules/counts.smk"
include: "rules/scatac.smk"
include: "rules/qc.smk"
include: "rules/multiqc.smk"
include: "rules/dataset.smk"
include: "rules/train.smk"
include: "rules/evaluate.smk"
include: "rules/jaspar.smk"
include: "rules/meandiff.smk"
include: "rules/motifs.smk"
include: "rules/interpret.smk"
include: "rules/score_variants.smk"
include: "rules/targets.smk"


rule all:
    input:
        all_input,
    default_target: True
