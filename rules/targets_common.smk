# Target functions: the default target (rule all in the Snakefile) and the named target rules
# (rules/targets.smk). Functions only, no rules; they read every stage's target functions when
# called.
import re


def all_targets():
    """Final outputs of every stage that exists, for every target dataset (config ``target_datasets``)."""
    targets = [fill(VALIDATION_SIMULATION, dataset=ds) for ds in TARGET_SIMULATED if ds not in SCATAC_DATASETS]
    for ds in TARGET_DATASETS:
        targets += counts_stage_targets(ds)
        targets += scatac_stage_targets(ds)
        targets += dataset_stage_targets(ds)
        targets += models_stage_targets(ds)
        targets += meandiff_stage_targets(ds)
        targets += interpret_stage_targets(ds)
        if ds in READ_DATASETS and ds not in SCATAC_DATASETS:
            targets += [fill(READS_QC, dataset=ds, ext="tsv"), fill(READS_BENCHMARK, dataset=ds)]
        targets += multiqc_targets(ds)
    targets += [fill(VALIDATION_READS, dataset=ds) for ds in TARGET_SIMULATED if ds not in SCATAC_DATASETS]
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


def _all_datasets(fn):
    return [f for ds in TARGET_DATASETS for f in fn(ds)]


def reads_stage_targets(dataset):
    """Trimmed reads + reports and the final per-allele BAMs (and indexes) of a dataset, control
    (input) samples included."""
    if dataset in SCATAC_DATASETS:
        bams = [b for allele_bams in sc_allele_bams(dataset).values() for b in allele_bams]
        return trimming_targets(dataset) + [f for b in bams for f in (b, f"{b}.bai")]
    if dataset not in BAM_DATASETS:
        return []
    return (trimming_targets(dataset) if dataset in READ_DATASETS else []) + [
        f for b in final_allele_bams(dataset, samples_of(dataset)) for f in (b, f"{b}.bai")
    ]


def qc_targets(dataset):
    """Read QC table and plot, the read-stage benchmark and the MultiQC report of a dataset (a
    dataset with given allele BAMs: the MultiQC report only; none for a count table or HDF5)."""
    files = multiqc_targets(dataset)
    if dataset in SCATAC_DATASETS:
        return list(sc_qc_files(dataset).values()) + [fill(SC_BENCHMARK, dataset=dataset)]
    if dataset in READ_DATASETS:
        files = reads_qc_files(dataset) + [fill(READS_BENCHMARK, dataset=dataset)] + files
    return files


def validation_targets():
    """Every validation table (simulated datasets: each stage against the simulator's truth)."""
    return sorted({f for f in all_targets() if "/validation/" in f})


def dataset_figure_files(dataset):
    """Every figure file (PDF, PNG and TSV of each figure) of a dataset that the workflow makes."""
    files = figure_files(dataset) + meandiff_figure_files(dataset)
    if interpret_stage_targets(dataset):
        files += interpret_figure_files(dataset)
    # the bulk read QC plot; a scATAC dataset's read QC is its sc_qc report (no per-sample counts)
    if dataset in READ_DATASETS and dataset not in SCATAC_DATASETS:
        files += reads_qc_files(dataset, ("png", "pdf"))
    return files


def figure_family(path):
    """'fig1' for .../fig1c_counts.png, 'figS3' for .../figS3a_..., 'qc_plots' for the read QC plots,
    otherwise the file's stem (e.g. 'training_curves')."""
    stem = Path(path).name.split(".")[0]
    if stem == "reads_qc":
        return "qc_plots"
    m = re.match(r"(fig(?:S)?\d+)", stem)
    return m.group(1) if m else stem


def figure_families():
    """{family: [files of every dataset]}, families sorted (fig1, fig2, ..., figS2, ...)."""
    families = {}
    for f in _all_datasets(dataset_figure_files):
        families.setdefault(figure_family(f), []).append(f)
    return dict(sorted(families.items()))
