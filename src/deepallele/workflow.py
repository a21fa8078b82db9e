"""Configuration helpers shared by the Snakefile and the CLI: validation and path resolution.

Everything here runs before any job starts, so a bad config or sample sheet fails fast with
a message that names the file and the problem, and nothing is half-written.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd

NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
SAMPLE_COLUMNS = ["sample", "unit", "fastq_1", "fastq_2", "sra"]


class ConfigError(ValueError):
    """A problem in the workflow configuration or a sample sheet."""


def canonical(value):
    """``value`` with every dict's keys sorted, recursively (lists keep their order).

    Snakemake compares a job's params by their ``repr``, so a dict param taken straight from
    the config would change, and rerun its job, whenever the config file lists the same keys
    in another order.
    """
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return type(value)(canonical(v) for v in value)
    return value


def is_simulated_genome(config: dict, genome: str) -> bool:
    return "simulate" in config["genomes"][genome]


def is_simulated_dataset(config: dict, dataset: str) -> bool:
    return "simulate" in config["datasets"][dataset]


def simulated_dir(config: dict) -> str:
    return config.get("simulated_dir", "resources/simulated")


def genome_files(config: dict, genome: str) -> dict[str, str]:
    """Reference FASTA and strain VCF of a genome (simulated or given)."""
    g = config["genomes"][genome]
    if "simulate" in g:
        base = f"{simulated_dir(config)}/genomes/{genome}"
        return {"reference_fasta": f"{base}/reference.fa", "strain_vcf": f"{base}/strain.vcf.gz"}
    return {"reference_fasta": g["reference_fasta"], "strain_vcf": g["strain_vcf"]}


def sample_sheet_path(config: dict, dataset: str) -> str:
    d = config["datasets"][dataset]
    if "simulate" in d:
        return f"{simulated_dir(config)}/datasets/{dataset}/samples.tsv"
    return d["samples"]


def datasets_on_genome(config: dict, genome: str) -> list[str]:
    """Datasets that use a genome, sorted (their simulated regions are planted together)."""
    return sorted(d for d, v in config["datasets"].items() if v["genome"] == genome)


def check_config(config: dict, source: str = "config") -> None:
    """Semantic checks the schema cannot express; raises :class:`ConfigError`.

    Parameters
    ----------
    config : dict
        The schema-validated configuration.
    source : str
        Name of the config file(s), used in messages.
    """
    problems = []
    for name, d in config["datasets"].items():
        genome = d["genome"]
        if genome not in config["genomes"]:
            problems.append(f"datasets.{name}.genome: '{genome}' is not a key of 'genomes' "
                            f"(known: {', '.join(sorted(config['genomes']))})")
            continue
        if "simulate" in d and "simulate" not in config["genomes"][genome]:
            problems.append(f"datasets.{name}: a simulated dataset needs a simulated genome, "
                            f"but genome '{genome}' is given as files")
        for key in ("samples", "peaks"):
            if key in d and not Path(d[key]).exists():
                problems.append(f"datasets.{name}.{key}: file not found: {d[key]}")
    for name, g in config["genomes"].items():
        for key in ("reference_fasta", "strain_vcf"):
            if key in g and not Path(g[key]).exists():
                problems.append(f"genomes.{name}.{key}: file not found: {g[key]}")
        if "strain_vcf" in g and Path(g["strain_vcf"]).exists() and g["strain_vcf"].endswith(".gz"):
            if not (Path(g["strain_vcf"] + ".tbi").exists() or Path(g["strain_vcf"] + ".csi").exists()):
                problems.append(f"genomes.{name}.strain_vcf: {g['strain_vcf']} has no .tbi/.csi index "
                                f"(run: tabix -p vcf {g['strain_vcf']})")
        if g.get("reference_name") == g.get("strain_name") and "reference_name" in g:
            problems.append(f"genomes.{name}: reference_name and strain_name must differ")
    unknown_targets = [d for d in config.get("target_datasets", []) if d not in config["datasets"]]
    if unknown_targets:
        problems.append(f"target_datasets: {', '.join(unknown_targets)} not a key of 'datasets' "
                        f"(known: {', '.join(sorted(config['datasets']))})")
    problems += _simulation_problems(config)
    problems += _dataset_models_problems(config)
    if problems:
        raise ConfigError(f"{source}: " + "\n  ".join(["invalid configuration:"] + problems))


def config_schema() -> dict:
    """The config's JSON schema (``deepallele/schemas/config.schema.yaml``) as a dict."""
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files("deepallele.schemas").joinpath("config.schema.yaml").read_text())


def dataset_models(config: dict, dataset: str) -> dict:
    """The ``models`` settings of one dataset: the top-level block with the dataset's own laid over it.

    ``datasets.<name>.models`` may set ``preset`` and any keys of ``architecture`` and
    ``training``; keys it does not name keep their top-level values (e.g. a larger dataset
    trains for more epochs with every other setting shared).

    Parameters
    ----------
    config : dict
        The schema-validated configuration (top-level defaults filled in).
    dataset : str
        A key of ``config["datasets"]``.

    Returns
    -------
    dict
        ``types``, ``seeds``, ``preset``, ``architecture`` and ``training`` of the dataset.
    """
    models = copy.deepcopy(config.get("models", {}))
    own = config["datasets"][dataset].get("models") or {}
    if "preset" in own:
        models["preset"] = own["preset"]
    for key in ("architecture", "training"):
        models[key] = {**models.get(key, {}), **copy.deepcopy(own.get(key, {}))}
    return models


def _dataset_models_problems(config: dict) -> list[str]:
    """A dataset's ``models`` block, checked merged with the top-level one against the schema."""
    datasets_with_models = [n for n, d in config["datasets"].items() if d.get("models")]
    if not datasets_with_models:
        return []
    import jsonschema

    models_schema = config_schema()["properties"]["models"]
    problems = []
    for name in datasets_with_models:
        for err in jsonschema.Draft202012Validator(models_schema).iter_errors(dataset_models(config, name)):
            where = ".".join(str(p) for p in err.absolute_path)
            problems.append(f"datasets.{name}.models{'.' + where if where else ''}: {err.message}")
    return problems


def _simulation_problems(config: dict) -> list[str]:
    """Simulation settings that would only fail inside a job (e.g. too many regions)."""
    from .simulate.genome import chromosome_sizes
    from .simulate.regions import check_regions_fit
    from .simulate.run import dataset_params, genome_params, grammar_spec

    problems = []
    for genome, g in config["genomes"].items():
        if "simulate" not in g:
            continue
        gp = genome_params(g["simulate"])
        sizes = gp["chrom_sizes"] if gp.get("chrom_sizes") else chromosome_sizes(int(gp["genome_size"]))
        n, spacing, flank = 0, 0, 0
        for ds in datasets_on_genome(config, genome):
            d = config["datasets"][ds]
            if "simulate" not in d:
                continue
            try:
                p = dataset_params(d["assay"], d["simulate"])
                grammar_spec(p)
            except ValueError as err:
                problems.append(f"datasets.{ds}.simulate: {err}")
                continue
            n += int(p["n_regions"])
            spacing = max(spacing, int(p["min_spacing"]))
            flank = max(flank, int(p["activity_width"]), 1000)
            if p["background_fraction"] + p["chrM_fraction"] >= 0.95:
                problems.append(f"datasets.{ds}.simulate: background_fraction + chrM_fraction must be < 0.95")
        if n:
            try:
                check_regions_fit(sizes, n, spacing, flank)
            except ValueError as err:
                problems.append(f"genomes.{genome}.simulate: {err}")
    return problems


def read_sample_sheet(path: str | Path, check_files: bool = True) -> pd.DataFrame:
    """Read and check a sample sheet; FASTQ paths become absolute-or-workdir-relative paths.

    Parameters
    ----------
    path : str or pathlib.Path
        TSV with columns ``sample, unit, fastq_1, fastq_2, sra`` (see the schema). Relative
        FASTQ paths are relative to the sheet's own folder.
    check_files : bool
        Whether FASTQ files must already exist.

    Returns
    -------
    pandas.DataFrame
        One row per unit, indexed by (sample, unit).
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: sample sheet not found")
    sheet = pd.read_csv(path, sep="\t", dtype=str, comment="#").fillna("")
    unknown = [c for c in sheet.columns if c not in SAMPLE_COLUMNS]
    missing = [c for c in ("sample", "unit") if c not in sheet.columns]
    if unknown or missing:
        raise ConfigError(f"{path}: " + "; ".join(
            ([f"unknown column(s) {unknown}"] if unknown else []) + ([f"missing column(s) {missing}"] if missing else []))
            + f" (expected {SAMPLE_COLUMNS})")
    for col in SAMPLE_COLUMNS:
        if col not in sheet:
            sheet[col] = ""
    problems = []
    for i, row in sheet.iterrows():
        where = f"row {i + 2}"
        for col in ("sample", "unit"):
            if not NAME.match(row[col]):
                problems.append(f"{where}: {col} '{row[col]}' must match [A-Za-z0-9_.-]+")
        has_fq = bool(row["fastq_1"] or row["fastq_2"])
        if has_fq and not (row["fastq_1"] and row["fastq_2"]):
            problems.append(f"{where}: give both fastq_1 and fastq_2 (paired-end reads)")
        if has_fq == bool(row["sra"]):
            problems.append(f"{where}: give either a FASTQ pair or an SRA accession, not {'both' if has_fq else 'neither'}")
        if row["sra"] and not re.match(r"^[SED]RR[0-9]+$", row["sra"]):
            problems.append(f"{where}: sra '{row['sra']}' is not a run accession (SRR/ERR/DRR + digits)")
        for col in ("fastq_1", "fastq_2"):
            if row[col] and not Path(row[col]).is_absolute():
                sheet.at[i, col] = str(path.parent / row[col])
            if row[col] and check_files and not Path(sheet.at[i, col]).exists():
                problems.append(f"{where}: {col} file not found: {sheet.at[i, col]}")
    dup = sheet.duplicated(["sample", "unit"], keep=False)
    if dup.any():
        problems.append(f"duplicate (sample, unit) pairs: {sorted(set(zip(sheet.sample[dup], sheet.unit[dup])))}")
    if problems:
        raise ConfigError(f"{path}: " + "\n  ".join(["invalid sample sheet:"] + problems))
    return sheet.set_index(["sample", "unit"], drop=False)


def dataset_units(config: dict, dataset: str) -> pd.DataFrame:
    """Sequencing units of a dataset, known before any job runs.

    For a simulated dataset the sheet does not exist yet, but its rows follow from the
    simulation parameters; for a real dataset the sheet is read and checked.
    """
    d = config["datasets"][dataset]
    if "simulate" in d:
        from .simulate.run import dataset_params

        p = dataset_params(d["assay"], d["simulate"])
        base = f"{simulated_dir(config)}/datasets/{dataset}"
        rows = [{"sample": p["sample"], "unit": f"L{u + 1:03d}",
                 "fastq_1": f"{base}/reads/{p['sample']}_L{u + 1:03d}_R1.fastq.gz",
                 "fastq_2": f"{base}/reads/{p['sample']}_L{u + 1:03d}_R2.fastq.gz", "sra": ""}
                for u in range(int(p["n_units"]))]
        return pd.DataFrame(rows).set_index(["sample", "unit"], drop=False)
    return read_sample_sheet(d["samples"])


def peak_width(config: dict, dataset: str) -> int:
    """Width of the fixed windows around peak summits (dataset key, else 300 ChIP / 250 ATAC)."""
    d = config["datasets"][dataset]
    return int(d.get("peak_width", 300 if d["assay"] == "chip" else 250))


def tn5_shift(config: dict, dataset: str) -> bool:
    """Whether reads get the Tn5 +4/-5 shift (dataset key, else on for ATAC only)."""
    d = config["datasets"][dataset]
    return bool(d.get("tn5_shift", d["assay"] == "atac"))


def sequence_length(config: dict, dataset: str) -> int:
    """Model input length per allele (dataset key, else 551 ChIP / 330 ATAC as in the paper)."""
    d = config["datasets"][dataset]
    return int(d.get("sequence_length", 551 if d["assay"] == "chip" else 330))
