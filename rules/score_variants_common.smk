# Settings and input functions of the score-variants stage (rules/score_variants.smk). Functions
# only (no rules); included by rules/score_variants.smk, after rules/common.smk,
# rules/counts_common.smk, rules/dataset_common.smk and rules/models_common.smk.
import re


def score_setting(key):
    return config["score_variants"][key]


def score_vcf_paths(dataset):
    """{name: VCF path} of config score_variants.vcfs ('strain': the dataset's own strain VCF)."""
    out = {}
    for entry in score_setting("vcfs"):
        if entry == "strain":
            name, path = "strain", daw.genome_files(config, genome_of(dataset))["strain_vcf"]
        else:
            name = re.sub(r"\.(vcf\.gz|vcf\.bgz|vcf|bcf)$", "", Path(entry).name)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            path = entry
        if name in out and out[name] != path:
            raise WorkflowError(f"score_variants.vcfs: two VCFs are named {name!r} ({out[name]}, {path})")
        out[name] = path
    return out


def score_vcf_names():
    names = {n for ds in DATASETS for n in score_vcf_paths(ds)} | {"strain"}
    return "|".join(re.escape(n) for n in sorted(names))


def model_files(dataset, model):
    """model.json and model.safetensors of every seed of a model type (rule export_model)."""
    return {
        "meta": [f"{model_dir(dataset, model, s)}/model.json" for s in MODEL_SEEDS],
        "weights": [f"{model_dir(dataset, model, s)}/model.safetensors" for s in MODEL_SEEDS],
    }


def score_vcf_input(wildcards):
    ds = wildcards.dataset
    paths = score_vcf_paths(ds)
    if wildcards.vcf not in paths:
        raise WorkflowError(f"dataset {ds}: no VCF named {wildcards.vcf!r} in score_variants.vcfs ({list(paths)})")
    return {
        "vcf": paths[wildcards.vcf],
        "fasta": reference_fasta(ds),
        "fai": reference_fai(ds),
        "pairs": pairs_h5(ds),
        **model_files(ds, wildcards.model),
    }


def score_validation_models():
    """The scored model and the baseline beside it (those trained)."""
    return [m for m in dict.fromkeys([score_setting("model"), score_setting("baseline")]) if m in MODEL_TYPES]


def score_variants_stage_targets(dataset):
    """Scores of every configured VCF by the configured model, the validation (simulated datasets)
    and the throughput benchmark."""
    model = score_setting("model")
    if model not in MODEL_TYPES:
        return []
    targets = [f"results/{dataset}/score_variants/{name}/{model}.{ext}"
               for name in score_vcf_paths(dataset) for ext in ("tsv", "vcf.gz")]
    if dataset in SIMULATED_DATASETS:
        targets.append(f"results/{dataset}/validation/score_variants.tsv")
    return targets + ["results/benchmarks/score_variants.tsv"]
