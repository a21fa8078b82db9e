# Settings and input functions of the interpretation and motif stages (rules/interpret.smk,
# rules/motifs.smk). Functions only (no rules); include after rules/common.smk and
# rules/models_common.smk (model_dir, MODEL_SEEDS, MODEL_TYPES).
import json

INTERPRET_FIGURES = ["fig2a_locus", "fig2b_locus", "fig2c_main_variant_groups", "extra_group_effects",
                     "fig3a_tism_comparison", "fig3b_joint_groups", "figS3a_seed_correlation",
                     "figS3b_cluster_logos", "figS3c_named_motifs", "figS4ab_observed_predicted",
                     "figS4_main_variant_additive", "figS5_cluster_effects", "figS6_joint_clusters",
                     "figS6b_joint_effects"]


wildcard_constraints:
    method="ism|tism",
    cset="deepallele|joint",


def interpret_setting(key):
    return config["interpretation"][key]


def interpret_seeds():
    """Seeds the analyses use (config interpretation.seeds): all of models.seeds for 'mean', or
    the one configured seed, which must be trained."""
    choice = interpret_setting("seeds")
    if choice == "mean":
        return MODEL_SEEDS
    if choice not in MODEL_SEEDS:
        raise WorkflowError(f"interpretation.seeds: seed {choice} is not trained (models.seeds: {MODEL_SEEDS}); "
                            "use 'mean' or one of those seeds")
    return [choice]


def interpret_json(key):
    """A nested setting as JSON for a script's params (stable key order)."""
    return json.dumps(config["interpretation"][key], sort_keys=True)


def interpret_models():
    """Interpreted model types that are trained (DeepAllele first)."""
    return [m for m in interpret_setting("models") if m in MODEL_TYPES]


def ism_model_set():
    """Interpreted models that get exact ISM: ``ism_models``, or all of them when seqlets use ISM."""
    if interpret_setting("seqlet_method") == "ism":
        return interpret_models()
    return [m for m in interpret_models() if m in interpret_setting("ism_models")]


def tism_only_models():
    return [m for m in interpret_models() if m not in ism_model_set()]


def models_regex(models):
    """Wildcard constraint matching exactly these model names (matching nothing when empty)."""
    return "|".join(models) if models else "(?!)"


def baseline_model():
    """The single-input model compared with DeepAllele in Fig 3 / S6 (None when not trained)."""
    m = interpret_setting("baseline")
    return m if m in interpret_models() else None


def cluster_sets():
    return ["deepallele", "joint"] if baseline_model() else ["deepallele"]


def attribution_files(dataset, model, method, seeds=None):
    """Per-seed attribution files of a model: the analysed seeds (interpret_seeds), or ``seeds``."""
    seeds = interpret_seeds() if seeds is None else seeds
    return [f"results/{dataset}/interpret/attributions/{model}/seed{s}.{method}.npz" for s in seeds]


def seqlet_method(model):
    """Attribution method the seqlets of a model come from."""
    return interpret_setting("seqlet_method")


def cluster_inputs(wildcards):
    models = ["deepallele"] + ([baseline_model()] if wildcards.cset == "joint" else [])
    return {
        "seqlets": [f"results/{wildcards.dataset}/motifs/seqlets/{m}.tsv" for m in models],
        "cwms": [f"results/{wildcards.dataset}/motifs/seqlets/{m}.npz" for m in models],
    }


def cluster_models(wildcards):
    return ["deepallele"] + ([baseline_model()] if wildcards.cset == "joint" else [])


def interpret_figure_files(dataset):
    return [f"results/{dataset}/figures/{f}.{ext}" for f in INTERPRET_FIGURES for ext in ("pdf", "png", "tsv")]


def interpret_stage_targets(dataset):
    """Final outputs of the interpretation stage of a dataset."""
    if "deepallele" not in MODEL_TYPES:
        return []
    targets = [f"results/{dataset}/interpret/main_variants.tsv"] + interpret_figure_files(dataset)
    # every seed's exact ISM is kept, whichever seeds the analyses use
    targets += [f for m in ism_model_set() for f in attribution_files(dataset, m, "ism", MODEL_SEEDS)]
    if dataset in SIMULATED_DATASETS:
        targets.append(f"results/{dataset}/validation/interpretation.tsv")
    return targets


def interpret_figure_inputs(wildcards):
    ds = wildcards.dataset
    method = interpret_setting("seqlet_method")
    files = {
        "pairs": f"results/{ds}/data/pairs.h5",
        "trusted": f"results/{ds}/interpret/trusted.tsv",
        "effects": f"results/{ds}/interpret/variant_effects/deepallele.mean.tsv",
        "main": f"results/{ds}/interpret/deepallele/main_variants.tsv",
        "groups": f"results/{ds}/interpret/deepallele/groups.tsv",
        "cluster_groups": f"results/{ds}/interpret/deepallele/cluster_groups.tsv",
        "seqlets": f"results/{ds}/motifs/seqlets/deepallele.tsv",
        "clusters": f"results/{ds}/motifs/deepallele/clusters.tsv",
        "summary": f"results/{ds}/motifs/deepallele/cluster_summary.tsv",
        "cwms": f"results/{ds}/motifs/deepallele/cluster_cwms.npz",
        "names": f"results/{ds}/motifs/deepallele/cluster_names.tsv",
        "attr": attribution_files(ds, "deepallele", method),
        # Fig S3a compares every seed's attributions, whichever seeds the analyses use
        "seed_attr": attribution_files(ds, "deepallele", method, MODEL_SEEDS),
    }
    base = baseline_model()
    if base:
        files.update({
            "base_attr": attribution_files(ds, base, method),
            "joint_main": f"results/{ds}/interpret/joint/main_variants.tsv",
            "joint_groups": f"results/{ds}/interpret/joint/groups.tsv",
            "joint_clusters": f"results/{ds}/motifs/joint/clusters.tsv",
            "joint_summary": f"results/{ds}/motifs/joint/cluster_summary.tsv",
            "joint_names": f"results/{ds}/motifs/joint/cluster_names.tsv",
            "base_seqlets": f"results/{ds}/motifs/seqlets/{base}.tsv",
        })
    return files


def benchmark_demo_dataset():
    """Dataset whose DeepAllele (seed of config interpretation.benchmark.seed) the ISM/TISM agreement uses."""
    return interpret_setting("benchmark").get("dataset") or DATASETS[0]


def benchmark_demo_checkpoint():
    seed = interpret_setting("benchmark")["seed"]
    return f"{model_dir(benchmark_demo_dataset(), 'deepallele', seed)}/best.ckpt"
