# Target functions of the named target rules (rules/targets.smk). Functions only (no rules);
# they read the stage files' target functions and rules, so call them after those are included.
import re


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
        return list(sc_qc_files(dataset).values()) + [f"results/benchmarks/scatac_{dataset}.tsv"]
    if dataset in READ_DATASETS:
        files = (
            [f"results/{dataset}/qc/reads_qc.{ext}" for ext in ("tsv", "png", "pdf")]
            + [f"results/benchmarks/reads_{dataset}.tsv"]
            + files
        )
    return files


def validation_targets():
    """Every validation table (simulated datasets: each stage against the simulator's truth)."""
    return sorted({f for f in all_targets() if "/validation/" in f})


def meandiff_figure_files(dataset):
    """Every file of the MeanDiff figures (Fig S7) of a dataset, from rule figure_meandiff."""
    return [f.format(dataset=dataset) for f in rules.figure_meandiff.output if "/figures/" in f]


def dataset_figure_files(dataset):
    """Every figure file (PDF, PNG and TSV of each figure) of a dataset that the workflow makes."""
    files = figure_files(dataset) + meandiff_figure_files(dataset)
    if interpret_stage_targets(dataset):
        files += interpret_figure_files(dataset)
    if dataset in READ_DATASETS:
        files += [f"results/{dataset}/qc/reads_qc.{ext}" for ext in ("png", "pdf")]
    return files


def figure_family(path):
    """'fig1' for .../fig1c_counts.png, 'figS3' for .../figS3a_..., 'qc' for the read QC plot,
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
