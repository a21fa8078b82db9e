# Helpers of the model stage (rules/train.smk, rules/evaluate.smk: training, evaluation, figures,
# benchmark). Functions and constants only, no rules.
import json

from deepallele.models.presets import resolve_architecture

# glibc allocator: keep freed memory in the heap instead of mmap/munmap (and page faults) on every
# large CPU tensor; read at process start, so set in the training job's environment.
TRAIN_ENV = "MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736"
PERFORMANCE_FIGURES = ["fig1c_counts", "fig1d_ratio", "figS2_spearman", "figS2_direct", "training_curves"]


wildcard_constraints:
    model="|".join(["deepallele", "direct", "ref_only", "alt_only", "two_genome"]),
    seed=r"\d+",


def model_dir(dataset, model, seed):
    return fill(MODEL_DIR, dataset=dataset, model=model, seed=seed)


def model_types(dataset):
    """Model types trained for a dataset: ``datasets.<name>.models.types``, else ``models.types``."""
    return list(dataset_models(dataset)["types"])


def model_seeds(dataset):
    """Seeds of a dataset's models: ``datasets.<name>.models.seeds``, else ``models.seeds``."""
    return list(dataset_models(dataset)["seeds"])


def model_runs(dataset):
    """(model, seed) of every training job of a dataset, in config order."""
    return [(m, s) for m in model_types(dataset) for s in model_seeds(dataset)]


def model_outputs(dataset, pattern=None):
    """One file of every model and seed of a dataset: ``pattern`` (HISTORY, CHECKPOINT, ...), else PREDICTIONS."""
    return [fill(pattern or PREDICTIONS, dataset=dataset, model=m, seed=s) for m, s in model_runs(dataset)]


def model_run_keys(dataset):
    """``"model:seed"`` labels in the order of :func:`model_outputs` (the scripts' params)."""
    return [f"{m}:{s}" for m, s in model_runs(dataset)]


def dataset_models(dataset):
    """The dataset's models settings (top-level ``models`` with ``datasets.<name>.models`` over it)."""
    return daw.dataset_models(config, dataset)


def model_architecture(dataset):
    """The resolved architecture of a dataset: the preset (``paper`` picks ATAC/ChIP by assay) + overrides."""
    models = dataset_models(dataset)
    return resolve_architecture(models["preset"], models["architecture"], assay=config["datasets"][dataset]["assay"])


def train_gpu(wildcards):
    """1 when training is configured for a GPU (the SLURM profile turns it into --gpus)."""
    return int(dataset_models(wildcards.dataset)["training"]["accelerator"] == "gpu")


def train_runtime(wildcards):
    """Minutes: demo-size models finish in minutes; paper-size ones on a CPU take many hours."""
    paper = dataset_models(wildcards.dataset)["preset"].startswith("paper")
    if train_gpu(wildcards):
        return 240 if paper else 60
    return 48 * 60 if paper else 120


def train_mem_mb(wildcards):
    return 16000 if dataset_models(wildcards.dataset)["preset"].startswith("paper") else 4000


def train_architecture_json(wildcards):
    return json.dumps(model_architecture(wildcards.dataset), sort_keys=True)


def train_training_json(wildcards):
    return json.dumps(dataset_models(wildcards.dataset)["training"], sort_keys=True)


def figure_files(dataset):
    """The performance figures of a dataset (PDF, PNG and TSV of each)."""
    return [figure(f, ext, dataset) for f in PERFORMANCE_FIGURES for ext in ("pdf", "png", "tsv")]


def models_stage_targets(dataset):
    """Final outputs of the model stage of a dataset (metrics, figures, validation if simulated)."""
    targets = [fill(PERFORMANCE, dataset=dataset), fill(PERFORMANCE_SUMMARY, dataset=dataset)]
    targets += figure_files(dataset)
    if dataset in SIMULATED_DATASETS:
        targets.append(fill(VALIDATION_MODELS, dataset=dataset))
    return targets
