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
# accessions a sample-sheet row may name (resolved to runs by rule resolve_runs)
ACCESSION = re.compile(r"^(GS[EM]|[SED]R[RXSP]|SAM[NED]A?|PRJ(NA|EB|DB))[0-9]+$")
SAMPLE_COLUMNS = ["sample", "unit", "fastq_1", "fastq_2", "sra", "accession", "ref_bam", "alt_bam", "control",
                  "fastq_barcode", "fastq_index", "barcode_suffix"]
#: assays of the workflow; scatac is 10x single-cell ATAC (barcodes, fragments, pseudo-bulk)
ASSAYS = ("chip", "atac", "scatac")
#: a dataset's ``scatac`` settings when it names none (the schema's defaults, spelled once here)
SCATAC_DEFAULTS = {
    "barcode_orientation": "auto",
    "barcode_correction": "cellranger",
    "min_posterior": 0.975,
    "cell_type": ["Treg"],
    "min_cell_fraction": 0.5,
    "split_min_mapq": None,
    "bowtie2": "--no-mixed --no-discordant -I 10 -X 1000",
    "fragments": {"min_mapq": 30, "min_length": 10, "max_length": 5000, "dedup": "sinto",
                  "contigs": "(?i)^chr"},
    "tie_split": "binomial_reads",
    "tie_seed": 0,
    "count_contigs": "^chr([0-9]+|X|Y)$",
}


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


def is_scatac(config: dict, dataset: str) -> bool:
    """Whether a dataset is 10x single-cell ATAC (barcodes, per-allele fragments, pseudo-bulk counts)."""
    return config["datasets"][dataset]["assay"] == "scatac"


def scatac_settings(config: dict, dataset: str) -> dict:
    """A scATAC dataset's ``scatac`` block over :data:`SCATAC_DEFAULTS` (``fragments`` key by key).

    For a simulated dataset the whitelist and the cell-type table default to the simulator's
    (``whitelist.txt.gz``, ``cell_types.tsv`` beside its sample sheet). ``cell_type`` is always
    a list (several types are pooled).
    """
    own = copy.deepcopy(config["datasets"][dataset].get("scatac") or {})
    settings = copy.deepcopy(SCATAC_DEFAULTS)
    settings["fragments"].update(own.pop("fragments", {}))
    settings.update(own)
    if isinstance(settings["cell_type"], str):
        settings["cell_type"] = [settings["cell_type"]]
    if is_simulated_dataset(config, dataset):
        base = f"{simulated_dir(config)}/datasets/{dataset}"
        settings.setdefault("whitelist", f"{base}/whitelist.txt.gz")
        settings.setdefault("cell_types", f"{base}/cell_types.tsv")
    if settings.get("split_min_mapq") is None:
        # the bulk split's threshold (schema default 2 where the config leaves it out)
        settings["split_min_mapq"] = int((config.get("alignment") or {}).get("min_mapq", 2))
    return settings


def _scatac_problems(config: dict) -> list[str]:
    """What a scATAC dataset needs before any job runs: a whitelist, a cell-type table, a peak set."""
    problems = []
    for name, d in config["datasets"].items():
        if d["assay"] != "scatac":
            if d.get("scatac"):
                problems.append(f"datasets.{name}.scatac: only an assay 'scatac' dataset takes scATAC settings "
                                f"(this one is {d['assay']})")
            continue
        if dataset_entry(config, name) not in ("simulate", "reads"):
            continue
        s = scatac_settings(config, name)
        if "simulate" not in d:
            for key, what in (("whitelist", "the 10x barcode whitelist (737K-cratac-v1.txt.gz for 10x v1/v1.1; "
                                            "it ships with cellranger-atac)"),
                              ("cell_types", "a barcode<TAB>cell_type table of the cells to model")):
                if not s.get(key):
                    problems.append(f"datasets.{name}.scatac.{key}: required ({what})")
                elif not Path(s[key]).exists():
                    problems.append(f"datasets.{name}.scatac.{key}: file not found: {s[key]}")
            if not d.get("peaks"):
                problems.append(f"datasets.{name}.peaks: a scATAC dataset needs its peak set (BED; the paper: "
                                f"the 251-bp Treg OCRs)")
        if d.get("tn5_shift"):
            problems.append(f"datasets.{name}.tn5_shift: a scATAC dataset's fragments get the Tn5 +4/-5 shift "
                            f"once, when they are built; shifting the reads too would apply it twice")
        if s["fragments"]["min_length"] > s["fragments"]["max_length"]:
            problems.append(f"datasets.{name}.scatac.fragments: min_length exceeds max_length")
    return problems


def simulated_dir(config: dict) -> str:
    return config.get("simulated_dir", "resources/simulated")


def genome_files(config: dict, genome: str) -> dict[str, str]:
    """Reference FASTA and strain VCF of a genome as the workflow's jobs read them.

    A simulated genome's files are the simulator's. A given genome's FASTA and VCF are
    *prepared* under ``resources/genomes/<genome>/`` (rules in ``rules/resources.smk``): the
    FASTA plain and indexed whatever the user gave (plain, gzip or bgzip, read-only, no
    ``.fai``), the VCF filtered, renamed to the FASTA's contig naming, normalised and indexed.
    :func:`genome_sources` names what those rules start from.
    """
    g = config["genomes"][genome]
    if "simulate" in g:
        base = f"{simulated_dir(config)}/genomes/{genome}"
        return {"reference_fasta": f"{base}/reference.fa", "strain_vcf": f"{base}/strain.vcf.gz"}
    return {"reference_fasta": prepared_genome_file(genome, "reference.fa"),
            "strain_vcf": prepared_genome_file(genome, "strain.vcf.gz")}


def prepared_genome_dir(genome: str) -> str:
    """Folder of a genome's prepared files (reference.fa, strain.vcf.gz, pseudogenome, indexes)."""
    return f"resources/genomes/{genome}"


def prepared_genome_file(genome: str, name: str) -> str:
    """One prepared file of a genome (``reference.fa``, ``strain.vcf.gz``, ...)."""
    return f"{prepared_genome_dir(genome)}/{name}"


# --- downloadable resources (mm10, MGP VCFs, blacklists, the authors' files)

DOWNLOADS_DIR = "resources/downloads"


def references(config: dict) -> dict:
    """The named downloadable resources: package defaults (``data/references.yaml``) with the
    config's ``references`` block laid over them field by field (a mirror URL, a pinned md5,
    or a ``file://`` local copy)."""
    from importlib import resources as ir

    import yaml

    defaults = yaml.safe_load(ir.files("deepallele.data").joinpath("references.yaml").read_text())
    merged = copy.deepcopy(defaults)
    for name, entry in (config.get("references") or {}).items():
        merged[name] = {**merged.get(name, {}), **copy.deepcopy(entry)}
    return merged


def download_path(resource: str, filename: str) -> str:
    """Where rule ``download`` writes one file of a resource."""
    return f"{DOWNLOADS_DIR}/{resource}/{filename}"


def _resource_filenames(entry: dict, strain: str | None = None) -> dict[str, str]:
    """{file name: URL} of a resource entry (one ``url``; ``url`` + ``files`` templates; or a
    ``files`` mapping)."""
    files = entry.get("files")
    if isinstance(files, dict):
        return dict(files)
    url = entry.get("url", "")
    if isinstance(files, list):
        if strain is None:
            return {}
        names = [f.format(strain=strain) for f in files]
        return {n: url.rstrip("/") + "/" + n for n in names}
    return {url.rstrip("/").rsplit("/", 1)[-1]: url} if url else {}


def download_spec(config: dict, resource: str, filename: str) -> dict:
    """URL, md5 and md5 companion URL of one file of a named resource (rule ``download``).

    Raises :class:`ConfigError` when the resource or the file is unknown.
    """
    refs = references(config)
    if resource not in refs:
        raise ConfigError(f"unknown download resource '{resource}' (known: {', '.join(sorted(refs))})")
    entry = refs[resource]
    urls = _resource_filenames(entry)
    if filename not in urls and isinstance(entry.get("files"), list):
        # per-strain templates: accept any file name a template can produce
        for template in entry["files"]:
            pattern = re.escape(template).replace(re.escape("{strain}"), r"(?P<strain>[A-Za-z0-9_.-]+)")
            m = re.fullmatch(pattern, filename)
            if m:
                urls = _resource_filenames(entry, m.group("strain"))
                break
    if filename not in urls:
        raise ConfigError(f"resource '{resource}' has no file '{filename}' (files: {', '.join(sorted(urls)) or '-'})")
    md5s = entry.get("md5")
    if isinstance(md5s, dict):
        md5 = md5s.get(filename, "")
    else:
        md5 = md5s or ""
    url = urls[filename]
    # MGP publishes <file>.md5 beside each file: verify against it when no md5 is pinned
    md5_url = f"{url}.md5" if (not md5 and entry.get("md5_companion", isinstance(entry.get("files"), list))) else ""
    return {"url": url, "md5": md5, "md5_url": md5_url}


def resource_path(config: dict, spec: str) -> str:
    """A file named in the config: a local path, a single-file resource name (``mm10``), or
    ``<resource>/<file name>`` (``authors_figshare/ATAC-seq-preprocessed.hdf5``), the latter two
    resolved to where rule ``download`` puts them."""
    refs = references(config)
    if spec in refs:
        files = _resource_filenames(refs[spec])
        if len(files) != 1:
            raise ConfigError(f"resource '{spec}' has {len(files)} files; name one as '{spec}/<file>' "
                              f"(files: {', '.join(sorted(files))})")
        return download_path(spec, next(iter(files)))
    head, _, tail = spec.partition("/")
    if tail and head in refs and "/" not in tail:
        download_spec(config, head, tail)  # raises for an unknown file
        return download_path(head, tail)
    return spec


def is_download(path: str) -> bool:
    """Whether a resolved path is produced by rule ``download``."""
    return str(path).startswith(DOWNLOADS_DIR + "/")


def genome_sources(config: dict, genome: str) -> dict:
    """What a given genome's preparation starts from: ``fasta`` (path) and ``vcfs`` (paths).

    ``strain_vcf`` may be one file or a list (e.g. a strain's SNP and indel VCFs);
    ``mgp_strain`` names a Mouse Genomes Project strain whose SNP + indel VCFs are downloaded
    from the ``mgp_release`` resource (default ``mgp_rel1505``).
    """
    g = config["genomes"][genome]
    out = {"fasta": resource_path(config, g["reference_fasta"]) if "reference_fasta" in g else None, "vcfs": []}
    if "strain_vcf" in g:
        vcfs = g["strain_vcf"] if isinstance(g["strain_vcf"], list) else [g["strain_vcf"]]
        out["vcfs"] = [resource_path(config, v) for v in vcfs]
    elif "mgp_strain" in g:
        release = g.get("mgp_release", "mgp_rel1505")
        entry = references(config).get(release)
        if entry is None:
            raise ConfigError(f"genomes.{genome}.mgp_release: unknown resource '{release}'")
        out["vcfs"] = [download_path(release, f) for f in _resource_filenames(entry, g["mgp_strain"])]
    return out


def genome_vcf_sample(config: dict, genome: str) -> str | None:
    """The VCF sample column of a genome's strain (``vcf_sample``, else the MGP strain name)."""
    g = config["genomes"][genome]
    return g.get("vcf_sample") or g.get("mgp_strain")


def has_genome_files(config: dict, genome: str) -> bool:
    """Whether a genome has sequence (simulated or given); a names-only genome serves datasets
    imported from the authors' HDF5, whose sequences are in the file."""
    g = config["genomes"][genome]
    return "simulate" in g or "reference_fasta" in g


# --- where a dataset starts

ENTRY_POINTS = ("simulate", "reads", "allele_bams", "count_table", "authors_h5")


def dataset_entry(config: dict, dataset: str) -> str:
    """Where a dataset enters the workflow, one of :data:`ENTRY_POINTS`.

    ``reads``: a sample sheet of FASTQs, SRA runs or accessions (or ``samples_from`` a GEO
    series); ``allele_bams``: a sample sheet of per-allele BAMs split elsewhere; ``count_table``:
    a per-allele peak count table (e.g. Link et al.'s); ``authors_h5``: the authors' processed
    HDF5 (sequences and targets).
    """
    d = config["datasets"][dataset]
    if "simulate" in d:
        return "simulate"
    if "count_table" in d:
        return "count_table"
    if "authors_h5" in d:
        return "authors_h5"
    if "samples" in d and _sheet_has_bams(d["samples"]):
        return "allele_bams"
    return "reads"


def _sheet_has_bams(path: str) -> bool:
    try:
        header = pd.read_csv(path, sep="\t", dtype=str, comment="#", nrows=0).columns
    except (OSError, pd.errors.EmptyDataError):
        return False
    return "ref_bam" in header or "alt_bam" in header


def has_reads(config: dict, dataset: str) -> bool:
    """Whether a dataset is processed from reads (trimming, alignment, allele split, QC)."""
    return dataset_entry(config, dataset) in ("simulate", "reads")


def has_allele_bams(config: dict, dataset: str) -> bool:
    """Whether a dataset has per-allele BAMs (from reads or given): dedup, peaks, counts, tracks."""
    return dataset_entry(config, dataset) in ("simulate", "reads", "allele_bams")


# where rule resolve_runs writes a dataset's run table (rules/layout.smk takes the pattern from here)
RUNS_TABLE = "resources/runs/{dataset}.tsv"


def runs_table_path(config: dict, dataset: str) -> str:
    """The dataset's run table (accessions resolved to runs): ``runs`` if set, else :data:`RUNS_TABLE`."""
    return config["datasets"][dataset].get("runs") or RUNS_TABLE.format(dataset=dataset)


def accession_rows(config: dict, dataset: str) -> list[dict]:
    """Rows to resolve to runs: ``{sample, accession, title_regex, row}`` per sheet row with an
    ``accession`` (GSM, SRX, SRR, PRJNA, ...) or one row for ``samples_from`` (a GEO series)."""
    d = config["datasets"][dataset]
    if "samples_from" in d:
        sf = d["samples_from"]
        return [{"sample": "", "accession": sf["series"], "title_regex": sf.get("title_regex", ""),
                 "row": f"datasets.{dataset}.samples_from"}]
    if "samples" not in d or dataset_entry(config, dataset) != "reads":
        return []
    sheet = read_sample_sheet(d["samples"], check_files=False)
    return [{"sample": r["sample"], "accession": r["accession"], "title_regex": "",
             "row": f"{d['samples']} row {i + 2}"}
            for i, (_, r) in enumerate(sheet.iterrows()) if r["accession"]]


def needs_runs(config: dict, dataset: str) -> bool:
    """Whether some of a dataset's units come from accessions resolved to runs."""
    return bool(accession_rows(config, dataset))


def runs_pending(config: dict, dataset: str) -> bool:
    """Whether a dataset's run table still has to be resolved (so its units are not yet known)."""
    return needs_runs(config, dataset) and not Path(runs_table_path(config, dataset)).exists()


def run_fastq_paths(run: str, n: int = 2) -> list[str]:
    """Where rule ``download_run`` writes a run's FASTQs (``_1``, ``_2``, ... as ENA names them)."""
    return [f"resources/fastq/{run}_{k}.fastq.gz" for k in range(1, n + 1)]


def sample_sheet_path(config: dict, dataset: str) -> str:
    d = config["datasets"][dataset]
    if "simulate" in d:
        return f"{simulated_dir(config)}/datasets/{dataset}/samples.tsv"
    return d["samples"]


def datasets_on_genome(config: dict, genome: str) -> list[str]:
    """Simulated datasets that use a genome, sorted (their regions are planted together; a
    dataset given as files on a simulated genome, e.g. a count table, plants nothing)."""
    return sorted(d for d, v in config["datasets"].items() if v["genome"] == genome and "simulate" in v)


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
        if "authors_h5" not in d and not has_genome_files(config, genome):
            problems.append(f"datasets.{name}: genome '{genome}' has no reference_fasta; only a dataset imported "
                            f"from the authors' HDF5 (authors_h5) can do without sequence")
        for key in ("samples", "peaks"):
            if key in d and not Path(d[key]).exists():
                about = d.get("peaks_about", "") if key == "peaks" else ""
                problems.append(f"datasets.{name}.{key}: file not found: {d[key]}"
                                + (f"\n      (what to get: {about.strip()})" if about else ""))
        if d.get("window_length", 0) > sequence_length(config, name):
            problems.append(f"datasets.{name}.window_length {d['window_length']} exceeds sequence_length "
                            f"{sequence_length(config, name)}")
        for key in ("count_table", "authors_h5"):
            if key in d:
                problems += _given_file_problems(config, f"datasets.{name}.{key}.path", d[key]["path"],
                                                 d[key].get("about", ""))
        if "count_table" in d and d["count_table"].get("peaks"):
            problems += _given_file_problems(config, f"datasets.{name}.count_table.peaks", d["count_table"]["peaks"])
        if "samples" in d and Path(d["samples"]).exists():
            try:
                read_sample_sheet(d["samples"], check_files=True, assay=d["assay"])
            except ConfigError as err:
                problems.append(str(err))
    for name, g in config["genomes"].items():
        if "simulate" in g:
            continue
        try:
            sources = genome_sources(config, name)
        except ConfigError as err:
            problems.append(str(err))
            continue
        if sources["fasta"]:
            problems += _given_file_problems(config, f"genomes.{name}.reference_fasta", g["reference_fasta"])
            if "strain_vcf" not in g and "mgp_strain" not in g:
                problems.append(f"genomes.{name}: give strain_vcf (file or list) or mgp_strain (a Mouse Genomes "
                                f"Project strain, e.g. CAST_EiJ) with reference_fasta")
            for v in (g.get("strain_vcf") if isinstance(g.get("strain_vcf"), list) else [g.get("strain_vcf")]):
                if v:
                    problems += _given_file_problems(config, f"genomes.{name}.strain_vcf", v)
        if g.get("reference_name") == g.get("strain_name") and "reference_name" in g:
            problems.append(f"genomes.{name}: reference_name and strain_name must differ")
    blacklist = (config.get("duplicates") or {}).get("blacklist") or ""
    if blacklist:
        try:
            problems += _given_file_problems(config, "duplicates.blacklist", blacklist)
        except ConfigError as err:
            problems.append(f"duplicates.blacklist: {err}")
    if not problems:
        problems += naming_problems(config)
    unknown_targets = [d for d in config.get("target_datasets", []) if d not in config["datasets"]]
    if unknown_targets:
        problems.append(f"target_datasets: {', '.join(unknown_targets)} not a key of 'datasets' "
                        f"(known: {', '.join(sorted(config['datasets']))})")
    problems += _simulation_problems(config)
    problems += _dataset_models_problems(config)
    problems += _scatac_problems(config)
    if problems:
        raise ConfigError(f"{source}: " + "\n  ".join(["invalid configuration:"] + problems))


def _given_file_problems(config: dict, key: str, spec: str, about: str = "") -> list[str]:
    """A file the config names: fine when it exists or a download rule makes it; otherwise
    one message naming the key, the path and (``about``) what the file is and where to get it."""
    try:
        path = resource_path(config, spec)
    except ConfigError as err:
        return [f"{key}: {err}"]
    if is_download(path) or Path(path).exists():
        return []
    return [f"{key}: file not found: {path}" + (f"\n      (what to get: {about.strip()})" if about else "")]


def _known_fasta_contigs(config: dict, genome: str) -> dict[str, int] | None:
    """Contigs of a given genome's FASTA when they can be read cheaply now (an index beside the
    prepared or the given FASTA, or a small plain FASTA); None otherwise (checked in the job)."""
    from .genome.contigs import fasta_contigs

    prepared = genome_files(config, genome)["reference_fasta"]
    source = genome_sources(config, genome)["fasta"]
    for fasta in (prepared, source):
        if fasta and Path(fasta + ".fai").exists():
            return fasta_contigs(fasta)
    if source and Path(source).exists() and Path(source).stat().st_size < 50_000_000:
        return fasta_contigs(source)
    return None


def naming_problems(config: dict) -> list[str]:
    """Contig-naming mismatches between a genome's FASTA and the files laid over it.

    The strain VCF is renamed to the FASTA's naming when it is prepared (``1`` -> ``chr1``,
    ``MT`` -> ``chrM``), so only a VCF sharing no contig with the FASTA even after renaming is
    a problem. A given peak file or blacklist is used as it is, so any mismatch is reported
    with the command that fixes it. Files not on disk yet (downloads) are checked in their jobs.
    """
    problems = []
    for genome, g in config["genomes"].items():
        if "simulate" in g or "reference_fasta" not in g:
            continue
        from .genome.contigs import check_naming, naming_map, table_contigs, vcf_contigs

        fasta = _known_fasta_contigs(config, genome)
        if not fasta:
            continue
        for vcf in genome_sources(config, genome)["vcfs"]:
            if Path(vcf).exists():
                names = vcf_contigs(vcf)
                mapped = {n for n, t in naming_map(names, fasta).items() if t}
                if names and not mapped:
                    problems.append(f"genomes.{genome}.strain_vcf: {vcf} shares no contig with the reference "
                                    f"FASTA, even after renaming (VCF: {', '.join(names[:5])}...; FASTA: "
                                    f"{', '.join(list(fasta)[:5])}...): are they the same assembly?")
        blacklist = (config.get("duplicates") or {}).get("blacklist") or ""
        files = [(f"datasets.{ds}.peaks", d["peaks"]) for ds, d in config["datasets"].items()
                 if d["genome"] == genome and d.get("peaks")]
        if blacklist and any(d["genome"] == genome and has_allele_bams(config, ds)
                             for ds, d in config["datasets"].items()):
            files.append(("duplicates.blacklist", resource_path(config, blacklist)))
        for key, path in files:
            if Path(path).exists():
                problems += [f"{key}: {p}" for p in check_naming(table_contigs(path), fasta, path,
                                                                  f"the reference FASTA of genome '{genome}'")]
    return problems


def config_schema() -> dict:
    """The config's JSON schema (``deepallele/schemas/config.schema.yaml``) as a dict."""
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files("deepallele.schemas").joinpath("config.schema.yaml").read_text())


def dataset_models(config: dict, dataset: str) -> dict:
    """The ``models`` settings of one dataset: the top-level block with the dataset's own laid over it.

    This is the one place the per-dataset model settings are resolved (the rules' ``model_types``,
    ``model_seeds``, ``model_architecture`` and the config checks all read it).
    ``datasets.<name>.models`` may set ``types`` and ``seeds`` (each replaces the top-level list
    as a whole), ``preset`` and any keys of ``architecture`` and ``training``; keys it does not
    name keep their top-level values (e.g. a small demo dataset trains fewer model types and
    seeds, a larger one trains for more epochs, with every other setting shared).

    Parameters
    ----------
    config : dict
        The schema-validated configuration (top-level defaults filled in).
    dataset : str
        A key of ``config["datasets"]``.

    Returns
    -------
    dict
        ``types`` (model types, config order), ``seeds`` (ints), ``preset``, ``architecture`` and
        ``training`` of the dataset.
    """
    models = copy.deepcopy(config.get("models", {}))
    own = config["datasets"][dataset].get("models") or {}
    for key in ("types", "seeds", "preset"):
        if key in own:
            models[key] = copy.deepcopy(own[key])
    if "seeds" in models:
        # YAML may give 1.0 (a valid JSON-schema integer); non-numbers are left for the schema to name
        models["seeds"] = [int(s) if isinstance(s, (int, float)) else s for s in models["seeds"]]
    for key in ("architecture", "training"):
        models[key] = {**models.get(key, {}), **copy.deepcopy(own.get(key, {}))}
    return models


def _dataset_models_problems(config: dict) -> list[str]:
    """A dataset's ``models`` block: its own ``types``/``seeds`` lists (not empty, no repeats), and
    the block merged with the top-level one checked against the schema."""
    problems = []
    for name, d in config["datasets"].items():
        own = d.get("models") or {}
        for key in ("types", "seeds"):
            if key not in own:
                continue
            values = own[key]
            if isinstance(values, list) and not values:
                problems.append(f"datasets.{name}.models.{key}: empty list; leave the key out to use "
                                f"models.{key}, or remove the dataset")
            elif isinstance(values, list):
                repeated = sorted({str(v) for v in values if values.count(v) > 1})
                if repeated:
                    problems.append(f"datasets.{name}.models.{key}: {', '.join(repeated)} listed more than once")
    datasets_with_models = [n for n, d in config["datasets"].items() if d.get("models")]
    if not datasets_with_models:
        return problems
    import jsonschema

    models_schema = config_schema()["properties"]["models"]
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


def read_sample_sheet(path: str | Path, check_files: bool = True, assay: str | None = None) -> pd.DataFrame:
    """Read and check a sample sheet; FASTQ paths become absolute-or-workdir-relative paths.

    Parameters
    ----------
    path : str or pathlib.Path
        TSV with columns ``sample, unit, fastq_1, fastq_2, sra`` (see the schema). Relative
        FASTQ paths are relative to the sheet's own folder.
    check_files : bool
        Whether FASTQ files must already exist.
    assay : str, optional
        The dataset's assay: ``scatac`` rows need the 10x barcode read (``fastq_barcode``, R2)
        beside ``fastq_1`` (R1) and ``fastq_2`` (R3); other assays take no barcode columns.

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
        has_bam = bool(row["ref_bam"] or row["alt_bam"])
        if has_fq and not (row["fastq_1"] and row["fastq_2"]):
            problems.append(f"{where}: give both fastq_1 and fastq_2 (paired-end reads)")
        if has_bam and not (row["ref_bam"] and row["alt_bam"]):
            problems.append(f"{where}: give both ref_bam and alt_bam (one BAM per allele)")
        sources = [name for name, given in (("a FASTQ pair", has_fq), ("an SRA run", bool(row["sra"])),
                                            ("an accession", bool(row["accession"])),
                                            ("a BAM pair", has_bam)) if given]
        if len(sources) != 1:
            problems.append(f"{where}: give exactly one of a FASTQ pair (fastq_1, fastq_2), an SRA run (sra), "
                            f"an accession (accession: GSM/SRX/SRR/PRJNA...) or per-allele BAMs (ref_bam, "
                            f"alt_bam); got {' and '.join(sources) if sources else 'none'}")
        if row["sra"] and not re.match(r"^[SED]RR[0-9]+$", row["sra"]):
            problems.append(f"{where}: sra '{row['sra']}' is not a run accession (SRR/ERR/DRR + digits)")
        if row["accession"] and not ACCESSION.match(row["accession"]):
            problems.append(f"{where}: accession '{row['accession']}' is not a GEO sample/series (GSM/GSE), SRA/ENA "
                            f"experiment, run, sample or study accession (SRX/SRR/SRS/SAMN/PRJNA/SRP...)")
        problems += _barcode_column_problems(row, where, assay)
        for col in ("fastq_1", "fastq_2", "fastq_barcode", "fastq_index", "ref_bam", "alt_bam"):
            if row[col] and not Path(row[col]).is_absolute():
                sheet.at[i, col] = str(path.parent / row[col])
            if row[col] and check_files and not Path(sheet.at[i, col]).exists():
                problems.append(f"{where}: {col} file not found: {sheet.at[i, col]}")
    problems += _control_problems(sheet)
    kinds = {bool(r["ref_bam"] or r["alt_bam"]) for _, r in sheet.iterrows()}
    if len(kinds) > 1:
        problems.append("rows with per-allele BAMs and rows with reads cannot be mixed in one sheet "
                        "(a dataset starts either from reads or from allele BAMs)")
    dup = sheet.duplicated(["sample", "unit"], keep=False)
    if dup.any():
        problems.append(f"duplicate (sample, unit) pairs: {sorted(set(zip(sheet.sample[dup], sheet.unit[dup])))}")
    if problems:
        raise ConfigError(f"{path}: " + "\n  ".join(["invalid sample sheet:"] + problems))
    return sheet.set_index(["sample", "unit"], drop=False)


def _barcode_column_problems(row, where: str, assay: str | None) -> list[str]:
    """The 10x columns of a sheet row: the barcode read for scATAC FASTQs, nothing for other assays."""
    tenx = [c for c in ("fastq_barcode", "fastq_index", "barcode_suffix") if row[c]]
    if assay != "scatac":
        return [f"{where}: {', '.join(tenx)} only apply to a scATAC dataset (assay scatac)"] if tenx and assay else []
    problems = []
    if row["sra"] or row["accession"]:
        problems.append(f"{where}: a scATAC unit needs its 10x FASTQ files (fastq_1 = R1, fastq_barcode = R2, "
                        f"fastq_2 = R3); SRA runs and accessions are not supported for scATAC yet")
    elif row["fastq_1"] and not row["fastq_barcode"]:
        problems.append(f"{where}: give fastq_barcode, the 10x cell-barcode read (R2, 16 bp), beside fastq_1 (R1) "
                        f"and fastq_2 (R3)")
    if row["barcode_suffix"] and not re.match(r"^[A-Za-z0-9_.-]+$", row["barcode_suffix"]):
        problems.append(f"{where}: barcode_suffix '{row['barcode_suffix']}' must match [A-Za-z0-9_.-]+ (e.g. -1, -2)")
    return problems


def _control_problems(sheet: pd.DataFrame) -> list[str]:
    """Checks of the ``control`` column (nf-core/chipseq's convention): a ChIP sample's rows name
    its control (input) sample, another sample of the same sheet; a control names none."""
    problems = []
    samples = set(sheet["sample"])
    named: dict[str, set[str]] = {}
    for i, row in sheet.iterrows():
        control = row["control"]
        named.setdefault(row["sample"], set()).add(control)
        if not control:
            continue
        where = f"row {i + 2}"
        if not NAME.match(control):
            problems.append(f"{where}: control '{control}' must match [A-Za-z0-9_.-]+")
        elif control == row["sample"]:
            problems.append(f"{where}: sample '{control}' cannot be its own control")
        elif control not in samples:
            problems.append(f"{where}: control '{control}' is not a sample of this sheet "
                            f"(samples: {', '.join(sorted(samples))})")
    for sample, controls in named.items():
        if len(controls) > 1:
            problems.append(f"the rows of sample '{sample}' name different controls "
                            f"({', '.join(sorted(c or '(none)' for c in controls))}); give one per sample")
    for control in sorted({c for cs in named.values() for c in cs if c} & samples):
        if named.get(control, {""}) - {""}:
            problems.append(f"control sample '{control}' names a control itself "
                            "(leave the control column of input samples empty)")
    return problems


def dataset_units(config: dict, dataset: str) -> pd.DataFrame:
    """Sequencing units of a dataset, known before any job runs.

    For a simulated dataset the sheet does not exist yet, but its rows follow from the
    simulation parameters; for a real dataset the sheet is read and checked. Rows naming an
    accession (and ``samples_from`` a GEO series) become one unit per resolved run, read from
    the run table (:func:`runs_table_path`): a run with FASTQs at ENA is downloaded from there,
    one without through sra-tools. Datasets that start after the reads (count table, the
    authors' HDF5) have no units.

    Raises
    ------
    ConfigError
        A bad sheet, or a run table that is needed and missing (see :func:`runs_pending`).
    """
    d = config["datasets"][dataset]
    if "simulate" in d:
        from .simulate.run import dataset_params

        p = dataset_params(d["assay"], d["simulate"])
        base = f"{simulated_dir(config)}/datasets/{dataset}"
        if d["assay"] == "scatac":
            # 10x names: R1 and R3 the genomic mates, R2 the cell barcode, I1 the sample index
            tenx = f"{base}/reads/{p['sample']}_S1_L{{u:03d}}_{{read}}_001.fastq.gz"
            rows = [{"sample": p["sample"], "unit": f"L{u + 1:03d}",
                     "fastq_1": tenx.format(u=u + 1, read="R1"), "fastq_2": tenx.format(u=u + 1, read="R3"),
                     "fastq_barcode": tenx.format(u=u + 1, read="R2"), "fastq_index": tenx.format(u=u + 1, read="I1"),
                     "sra": ""}
                    for u in range(int(p["n_units"]))]
            return _units_frame(rows)
        rows = [{"sample": p["sample"], "unit": f"L{u + 1:03d}",
                 "fastq_1": f"{base}/reads/{p['sample']}_L{u + 1:03d}_R1.fastq.gz",
                 "fastq_2": f"{base}/reads/{p['sample']}_L{u + 1:03d}_R2.fastq.gz", "sra": ""}
                for u in range(int(p["n_units"]))]
        return _units_frame(rows)
    entry = dataset_entry(config, dataset)
    if entry in ("count_table", "authors_h5"):
        return _units_frame([])
    sheet = read_sample_sheet(d["samples"], assay=d.get("assay")) if "samples" in d else _units_frame([])
    if not needs_runs(config, dataset):
        return sheet
    runs_path = runs_table_path(config, dataset)
    if not Path(runs_path).exists():
        raise ConfigError(f"datasets.{dataset}: run table {runs_path} not found (rule resolve_runs writes it)")
    from .reads.accessions import read_run_table

    runs = read_run_table(runs_path)
    rows = [dict(r) for _, r in sheet.iterrows() if not r["accession"]]
    controls = {r["sample"]: r["control"] for _, r in sheet.iterrows() if r["control"]}
    wanted = {a["accession"]: a for a in accession_rows(config, dataset)}
    for _, run in runs.iterrows():
        if run["accession"] not in wanted:
            continue
        sample = run["sample"] or wanted[run["accession"]]["sample"]
        urls = [u for u in str(run["fastq_urls"]).split(";") if u]
        fq = run_fastq_paths(run["run_accession"]) if urls else ["", ""]
        rows.append({"sample": sample, "unit": run["run_accession"], "fastq_1": fq[0], "fastq_2": fq[1],
                     "sra": "" if urls else run["run_accession"], "accession": run["accession"],
                     "ref_bam": "", "alt_bam": "", "control": controls.get(sample, "")})
    missing = sorted(set(wanted) - set(runs["accession"]))
    if missing:
        raise ConfigError(f"{runs_path}: no runs for accession(s) {', '.join(missing)} of dataset '{dataset}' "
                          f"(delete the table to resolve again)")
    return _units_frame(rows)


def _units_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=SAMPLE_COLUMNS, dtype=object).fillna("")
    return frame.set_index(["sample", "unit"], drop=False)


def peak_width(config: dict, dataset: str) -> int:
    """Width of the fixed windows around peak summits (dataset key, else 300 ChIP / 250 ATAC)."""
    d = config["datasets"][dataset]
    return int(d.get("peak_width", 300 if d["assay"] == "chip" else 250))


def tn5_shift(config: dict, dataset: str) -> bool:
    """Whether reads get the Tn5 +4/-5 shift (dataset key, else on for ATAC only)."""
    d = config["datasets"][dataset]
    return bool(d.get("tn5_shift", d["assay"] == "atac"))


def window_length(config: dict, dataset: str) -> int:
    """Reference window per peak taken into the model input, right-padded to the sequence length.

    The dataset key, else for a dataset with given ``peaks`` the peak width (the paper feeds the
    251-bp OCR right-padded to 330; at most the sequence length), else the sequence length.
    """
    d = config["datasets"][dataset]
    if "window_length" in d:
        return int(d["window_length"])
    if d.get("peaks"):
        return min(peak_width(config, dataset), sequence_length(config, dataset))
    return sequence_length(config, dataset)


def sequence_length(config: dict, dataset: str) -> int:
    """Model input length per allele (dataset key, else 551 ChIP / 330 ATAC as in the paper)."""
    d = config["datasets"][dataset]
    return int(d.get("sequence_length", 551 if d["assay"] == "chip" else 330))


def attempt_scaled(base):
    """A Snakemake resource that grows with the attempt: ``base`` on the first, ``2 x base`` on
    the second, and so on (a job killed for memory or time gets more on its retry; the SLURM
    profile retries twice).

    Parameters
    ----------
    base : int or callable
        The first attempt's value, or a function of the wildcards returning it.

    Returns
    -------
    callable
        ``f(wildcards, attempt) -> int``, the signature Snakemake passes ``attempt`` to.

    Examples
    --------
    >>> attempt_scaled(4000)(None, 2)
    8000
    >>> attempt_scaled(lambda wc: 100)(None, 3)
    300
    """
    def resource(wildcards, attempt):
        value = base(wildcards) if callable(base) else base
        return int(value) * int(attempt)

    return resource
