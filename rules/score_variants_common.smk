# Settings and input functions of the score-variants stage (rules/score_variants.smk). Functions
# and constants only, no rules.
import re


def score_setting(key):
    return config["score_variants"][key]


# VCFs of simulated datasets that the validation scores (rule validate_score_variants)
VALIDATION_VCFS = ["strain", "new_snvs"]


def builtin_vcf_path(dataset, name):
    """Path of a built-in VCF name ('strain': the dataset's strain VCF; 'new_snvs': new SNVs in
    planted motif sites, rule simulate_new_snvs, simulated datasets only), else None."""
    if name == "strain":
        return daw.genome_files(config, genome_of(dataset))["strain_vcf"]
    if name == "new_snvs" and dataset in SIMULATED_DATASETS:
        return fill(SIM_NEW_SNVS, dataset=dataset)
    return None


def score_vcf_paths(dataset):
    """{name: VCF path} of config score_variants.vcfs ('strain': the dataset's own strain VCF;
    'new_snvs': the simulator's new SNVs, simulated datasets only, skipped for the others)."""
    out = {}
    for entry in score_setting("vcfs"):
        if entry in ("strain", "new_snvs"):
            name, path = entry, builtin_vcf_path(dataset, entry)
            if path is None:
                continue
        else:
            name = re.sub(r"\.(vcf\.gz|vcf\.bgz|vcf|bcf)$", "", Path(entry).name)
            name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
            path = entry
        if name in out and out[name] != path:
            raise WorkflowError(f"score_variants.vcfs: two VCFs are named {name!r} ({out[name]}, {path})")
        out[name] = path
    return out


def score_vcf_names():
    names = {n for ds in DATASETS for n in score_vcf_paths(ds)} | set(VALIDATION_VCFS)
    return "|".join(re.escape(n) for n in sorted(names))


def model_files(dataset, model):
    """model.json and model.safetensors of every seed of a model type for a dataset (rule export_model)."""
    return {
        "meta": [fill(MODEL_META, dataset=dataset, model=model, seed=s) for s in model_seeds(dataset)],
        "weights": [fill(MODEL_WEIGHTS, dataset=dataset, model=model, seed=s) for s in model_seeds(dataset)],
    }


def score_vcf_input(wildcards):
    ds = wildcards.dataset
    paths = score_vcf_paths(ds)
    for name in VALIDATION_VCFS:  # scored for the validation even when not configured
        if name not in paths and builtin_vcf_path(ds, name) is not None:
            paths[name] = builtin_vcf_path(ds, name)
    if wildcards.vcf not in paths:
        raise WorkflowError(f"dataset {ds}: no VCF named {wildcards.vcf!r} in score_variants.vcfs ({list(paths)})")
    return {
        "vcf": paths[wildcards.vcf],
        "fasta": reference_fasta(ds),
        "fai": reference_fai(ds),
        "pairs": pairs_h5(ds),
        **model_files(ds, wildcards.model),
    }


def score_validation_models(dataset):
    """The scored model and the baseline beside it (those trained for the dataset)."""
    return [m for m in dict.fromkeys([score_setting("model"), score_setting("baseline")]) if m in model_types(dataset)]


def validate_score_variants_input(wildcards):
    """Scores of both validation VCFs by the model and the baseline, and their truths."""
    ds = wildcards.dataset
    files = {
        vcf: [fill(SCORES_TSV, dataset=ds, vcf=vcf, model=m) for m in score_validation_models(ds)]
        for vcf in VALIDATION_VCFS
    }
    files["truth"] = fill(SIM_TRUTH_VARIANTS, dataset=ds)
    files["new_snvs_truth"] = fill(SIM_TRUTH_NEW_SNVS, dataset=ds)
    return files


def score_variants_stage_targets(dataset):
    """Scores of every configured VCF by the configured model, the validation (simulated datasets)
    and the throughput benchmark."""
    model = score_setting("model")
    if model not in model_types(dataset):
        return []
    targets = [
        fill(pattern, dataset=dataset, vcf=name, model=model)
        for name in score_vcf_paths(dataset)
        for pattern in (SCORES_TSV, SCORES_VCF)
    ]
    if dataset in SIMULATED_DATASETS:
        targets.append(fill(VALIDATION_SCORE_VARIANTS, dataset=dataset))
    return targets + [SCORE_BENCHMARK]
