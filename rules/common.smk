# Shared setup, the one file every Snakefile includes first: config and sample-sheet
# validation, the dataset lists, wildcard constraints, the units of each dataset; then the file
# layout (rules/layout.smk) and every stage's helpers (rules/*_common.smk), so that a Snakefile
# (the main one, a test harness) includes this and then any stage's rule files, in any order.
import re
import sys
from pathlib import Path

import pandas as pd
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from deepallele import workflow as daw

# resources of the heavy rules double on each retry (profiles/slurm: retries: 2)
attempt_scaled = daw.attempt_scaled

# Tools installed with the workflow's Python (macs3, deeptools, the deepallele CLI) must be
# found by shell jobs even when snakemake is called as .venv/bin/snakemake without activation.
shell.prefix(f'set -euo pipefail; export PATH="{Path(sys.executable).parent}:$PATH"; ')

CONFIG_SOURCE = ", ".join(map(str, workflow.configfiles)) or "config"
try:
    validate(config, schema="../src/deepallele/schemas/config.schema.yaml")
    daw.check_config(config, source=CONFIG_SOURCE)
    # units of datasets whose accessions still have to be resolved are loaded after rule
    # resolve_runs (a checkpoint) has written their run table: see units_of()
    UNITS = {ds: daw.dataset_units(config, ds) for ds in config["datasets"] if not daw.runs_pending(config, ds)}
    for _ds, _units in UNITS.items():
        validate(_units.reset_index(drop=True), schema="../src/deepallele/schemas/samples.schema.yaml")
except (daw.ConfigError, WorkflowError) as err:
    raise WorkflowError(f"configuration problem ({CONFIG_SOURCE}):\n{err}") from None

DATASETS = sorted(config["datasets"])
GENOMES = sorted(config["genomes"])
SIMULATED_GENOMES = [g for g in GENOMES if daw.is_simulated_genome(config, g)]
SIMULATED_DATASETS = [d for d in DATASETS if daw.is_simulated_dataset(config, d)]
GIVEN_GENOMES = [g for g in GENOMES if daw.has_genome_files(config, g) and g not in SIMULATED_GENOMES]
# where each dataset enters the workflow (daw.ENTRY_POINTS)
ENTRY = {d: daw.dataset_entry(config, d) for d in DATASETS}
READ_DATASETS = [d for d in DATASETS if daw.has_reads(config, d)]
ALLELE_BAM_DATASETS = [d for d in DATASETS if ENTRY[d] == "allele_bams"]
# scATAC datasets from reads: barcodes, allele split, then fragments and pseudo-bulk counts
# (rules/scatac.smk) instead of the bulk duplicates/peaks/counts/tracks stages
SCATAC_DATASETS = [d for d in READ_DATASETS if daw.is_scatac(config, d)]
BAM_DATASETS = [d for d in DATASETS if daw.has_allele_bams(config, d) and d not in SCATAC_DATASETS]
COUNT_TABLE_DATASETS = [d for d in DATASETS if ENTRY[d] == "count_table"]
AUTHORS_H5_DATASETS = [d for d in DATASETS if ENTRY[d] == "authors_h5"]
PENDING_DATASETS = [d for d in DATASETS if d not in UNITS]
# what `snakemake` (rule all) and the named target rules build; any file of another dataset is
# still a valid target
TARGET_DATASETS = [d for d in DATASETS if d in config["target_datasets"]] or DATASETS
TARGET_SIMULATED = [d for d in SIMULATED_DATASETS if d in TARGET_DATASETS]


wildcard_constraints:
    dataset="|".join(DATASETS) or "NONE",
    genome="|".join(GENOMES) or "NONE",
    side="ref|strain",
    allele="ref|alt",


def genome_of(dataset):
    return config["datasets"][dataset]["genome"]


def units_of(dataset):
    """Sequencing units of a dataset (see daw.dataset_units); those of a dataset whose run
    table was still to be resolved when the workflow started are read once it exists, and an
    empty table is returned until then."""
    if dataset not in UNITS:
        if daw.runs_pending(config, dataset):
            return _NO_UNITS
        UNITS[dataset] = daw.dataset_units(config, dataset)
        # an absolute schema path: this also runs after a checkpoint, outside any include
        validate(
            UNITS[dataset].reset_index(drop=True),
            schema=str(Path(workflow.basedir) / "src/deepallele/schemas/samples.schema.yaml"),
        )
    return UNITS[dataset]


_NO_UNITS = daw._units_frame([])


def samples_of(dataset):
    """Sample names of a dataset, in sample-sheet order."""
    return list(units_of(dataset)["sample"].unique())


# Every path (layout.smk), then each stage's helpers. They only define names (functions,
# constants, wildcard constraints) and read one another's names when called, so their order is free.
include: "layout.smk"
include: "simulate_common.smk"
include: "reference_common.smk"
include: "imports_common.smk"
include: "reads_common.smk"
include: "counts_common.smk"
include: "scatac_common.smk"
include: "qc_common.smk"
include: "dataset_common.smk"
include: "models_common.smk"
include: "meandiff_common.smk"
include: "interpret_common.smk"
include: "score_variants_common.smk"
include: "targets_common.smk"
