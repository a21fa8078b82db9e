# Shared setup: config and sample-sheet validation, wildcard constraints, path helpers.
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
SIM = daw.simulated_dir(config)
# JASPAR 2020 CORE vertebrates non-redundant as MEME, built by jaspar.smk; read by MeanDiff,
# TomTom and the simulator's truth checks
JASPAR_MEME = "resources/motifs/JASPAR2020_CORE_vertebrates_non-redundant.meme"
# what `snakemake` (rule all) and the named target rules build; any file of another dataset is
# still a valid target
TARGET_DATASETS = [d for d in DATASETS if d in config["target_datasets"]] or DATASETS
TARGET_SIMULATED = [d for d in SIMULATED_DATASETS if d in TARGET_DATASETS]


wildcard_constraints:
    dataset="|".join(DATASETS) or "NONE",
    genome="|".join(GENOMES) or "NONE",


def genome_of(dataset):
    return config["datasets"][dataset]["genome"]


def all_targets():
    """Final outputs of every stage that exists, for every target dataset (config ``target_datasets``)."""
    targets = [f"results/{ds}/validation/simulation.tsv" for ds in TARGET_SIMULATED if ds not in SCATAC_DATASETS]
    for ds in TARGET_DATASETS:
        targets += counts_stage_targets(ds)
        targets += scatac_stage_targets(ds)
        targets += dataset_stage_targets(ds)
        targets += models_stage_targets(ds)
        targets += meandiff_stage_targets(ds)
        targets += interpret_stage_targets(ds)
        if ds in READ_DATASETS and ds not in SCATAC_DATASETS:
            targets += [f"results/{ds}/qc/reads_qc.tsv", f"results/benchmarks/reads_{ds}.tsv"]
        targets += multiqc_targets(ds)
    targets += [f"results/{ds}/validation/reads.tsv" for ds in TARGET_SIMULATED if ds not in SCATAC_DATASETS]
    targets.append(SOFTWARE_VERSIONS)
    return targets


def all_input(wildcards):
    """Input of the default target: every target, once the run tables of datasets whose samples come from
    accessions exist (resolve_runs is a checkpoint; until it has run, this raises and
    Snakemake runs it first, then asks again)."""
    for ds in TARGET_DATASETS:
        if ds in PENDING_DATASETS:
            checkpoints.resolve_runs.get(dataset=ds)
            units_of(ds)
    return all_targets()


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


def run_table_of(run):
    """The run table that lists a run (input of download_run); a table still to be resolved is
    resolved first (checkpoint), so a run's FASTQ is a valid target on its own."""
    for ds in DATASETS:
        if not daw.needs_runs(config, ds):
            continue
        if ds in PENDING_DATASETS:
            checkpoints.resolve_runs.get(dataset=ds)
        if run in set(units_of(ds)["unit"]):
            return daw.runs_table_path(config, ds)
    raise WorkflowError(f"run {run} is in no dataset's run table")


def given_allele_bam(dataset, sample, allele):
    """A per-allele BAM given in a dataset's sample sheet (column ref_bam or alt_bam)."""
    rows = units_of(dataset)
    rows = rows[rows["sample"] == sample]
    if rows.empty:
        raise WorkflowError(f"dataset '{dataset}' has no sample '{sample}'")
    if len(rows) > 1:
        raise WorkflowError(
            f"dataset '{dataset}': sample '{sample}' has {len(rows)} rows; give one BAM pair per sample"
        )
    return rows.iloc[0][f"{allele}_bam"]


def count_table_columns(dataset):
    """Column mapping of a dataset's count table (config datasets.<name>.count_table)."""
    spec = dict(config["datasets"][dataset]["count_table"])
    spec.pop("path")
    spec.pop("about", None)
    spec.pop("peaks", None)
    return spec


def import_count_table_input(wildcards):
    spec = config["datasets"][wildcards.dataset]["count_table"]
    files = {
        "table": daw.resource_path(config, spec["path"]),
        "fai": reference_fai(wildcards.dataset),
    }
    if spec.get("peaks"):
        files["peaks"] = daw.resource_path(config, spec["peaks"])
    return files


# --- simulation helpers


def simulated_dataset_params(dataset):
    from deepallele.simulate.run import dataset_params

    d = config["datasets"][dataset]
    return daw.canonical(dataset_params(d["assay"], d["simulate"]))


def simulated_genome_files(wildcards):
    g = genome_of(wildcards.dataset)
    return {
        "fasta": f"{SIM}/genomes/{g}/reference.fa",
        "vcf": f"{SIM}/genomes/{g}/strain.vcf.gz",
        "strain": f"{SIM}/genomes/{g}/truth/strain.fa",
        "regions": f"{SIM}/genomes/{g}/truth/regions.tsv",
    }


def simulated_fastqs(dataset):
    return [f for _, u in units_of(dataset).iterrows() for f in (u["fastq_1"], u["fastq_2"])]


# --- reference genomes


wildcard_constraints:
    side="ref|strain",
    allele="ref|alt",


def genome_inputs(wildcards):
    """Reference FASTA (+ index) and strain VCF of a genome, simulated or given."""
    files = daw.genome_files(config, wildcards.genome)
    return {
        "reference": files["reference_fasta"],
        "vcf": files["strain_vcf"],
    }


def genome_fasta(wildcards):
    """FASTA of one side of a genome: the reference as given, or the built pseudogenome."""
    if wildcards.side == "ref":
        return daw.genome_files(config, wildcards.genome)["reference_fasta"]
    return f"resources/genomes/{wildcards.genome}/strain.fa"


def trimmed_reads(wildcards):
    return {
        "r1": f"results/{wildcards.dataset}/trimmed/{wildcards.sample}_R1.fastq.gz",
        "r2": f"results/{wildcards.dataset}/trimmed/{wildcards.sample}_R2.fastq.gz",
    }


def samples_of(dataset):
    """Sample names of a dataset, in sample-sheet order."""
    return list(units_of(dataset)["sample"].unique())


def bowtie2_index_files(wildcards):
    prefix = f"resources/genomes/{genome_of(wildcards.dataset)}/bowtie2/{wildcards.side}"
    return [prefix + ext for ext in (".1.bt2", ".2.bt2", ".3.bt2", ".4.bt2", ".rev.1.bt2", ".rev.2.bt2")]


def reads_qc_inputs(wildcards):
    ds, samples = wildcards.dataset, samples_of(wildcards.dataset)
    return {
        "trim_r1": [f"results/{ds}/trimmed/{s}_R1.trimming_report.txt" for s in samples],
        "trim_r2": [f"results/{ds}/trimmed/{s}_R2.trimming_report.txt" for s in samples],
        "split": [f"results/{ds}/alleles/{s}.split.json" for s in samples],
        "dedup_ref": [f"results/{ds}/dedup/{s}.ref.metrics.txt" for s in samples],
        "dedup_alt": [f"results/{ds}/dedup/{s}.alt.metrics.txt" for s in samples],
        "counts_per_sample": f"results/{ds}/counts/allele_counts_per_sample.tsv",
    }
