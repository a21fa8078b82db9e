# Shared setup: config and sample-sheet validation, wildcard constraints, path helpers.
import pandas as pd
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from deepallele import workflow as daw

try:
    validate(config, schema="../src/deepallele/schemas/config.schema.yaml")
    daw.check_config(config, source=", ".join(workflow.configfiles) or "config")
    UNITS = {ds: daw.dataset_units(config, ds) for ds in config["datasets"]}
    for _ds, _units in UNITS.items():
        validate(_units.reset_index(drop=True), schema="../src/deepallele/schemas/samples.schema.yaml")
except (daw.ConfigError, WorkflowError) as err:
    raise WorkflowError(
        f"configuration problem (files: {', '.join(workflow.configfiles) or 'none'}):\n{err}"
    ) from None

DATASETS = sorted(config["datasets"])
GENOMES = sorted(config["genomes"])
SIMULATED_GENOMES = [g for g in GENOMES if daw.is_simulated_genome(config, g)]
SIMULATED_DATASETS = [d for d in DATASETS if daw.is_simulated_dataset(config, d)]
SIM = daw.simulated_dir(config)


wildcard_constraints:
    dataset="|".join(DATASETS) or "NONE",
    genome="|".join(GENOMES) or "NONE",


def genome_of(dataset):
    return config["datasets"][dataset]["genome"]


def all_targets():
    """Final outputs of every stage that exists, for every dataset."""
    return [f"results/{ds}/validation/simulation.tsv" for ds in SIMULATED_DATASETS]
