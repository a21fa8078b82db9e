# Settings and input functions of the interpretation and motif stages (rules/interpret.smk,
# rules/motifs.smk). Functions only (no rules); include after rules/common.smk and
# rules/models_common.smk (model_dir, model_types, model_seeds). Every setting that depends on the
# trained models takes the dataset: each dataset may train its own types and seeds
# (datasets.<name>.models).
import json

INTERPRET_FIGURES = [
    "fig2a_locus",
    "fig2b_locus",
    "fig2c_main_variant_groups",
    "extra_group_effects",
    "fig3a_tism_comparison",
    "fig3b_joint_groups",
    "figS3a_seed_correlation",
    "figS3b_cluster_logos",
    "figS3c_named_motifs",
    "figS4ab_observed_predicted",
    "figS4_main_variant_additive",
    "figS5_cluster_effects",
    "figS6_joint_clusters",
    "figS6b_joint_effects",
]


wildcard_constraints:
    method="ism|tism",
    cset="deepallele|joint",


def interpret_setting(key):
    return config["interpretation"][key]


def interpret_seeds(dataset):
    """Seeds the analyses of a dataset use (config interpretation.seeds): all of the dataset's
    seeds for 'mean', or the one configured seed, which must be trained for the dataset."""
    choice = interpret_setting("seeds")
    seeds = model_seeds(dataset)
    if choice == "mean":
        return seeds
    if choice not in seeds:
        raise WorkflowError(
            f"interpretation.seeds: seed {choice} is not trained for dataset {dataset} "
            f"(its seeds: {seeds}, from datasets.{dataset}.models.seeds or models.seeds); "
            "use 'mean' or a seed that every interpreted dataset trains"
        )
    return [choice]


def interpret_json(key):
    """A nested setting as JSON for a script's params (stable key order)."""
    return json.dumps(config["interpretation"][key], sort_keys=True)


def interpret_models(dataset):
    """Interpreted model types that are trained for a dataset (config order)."""
    return [m for m in interpret_setting("models") if m in model_types(dataset)]


def ism_model_set(dataset):
    """A dataset's interpreted models that get exact ISM: ``ism_models``, or all of them when
    seqlets use ISM."""
    if interpret_setting("seqlet_method") == "ism":
        return interpret_models(dataset)
    return [m for m in interpret_models(dataset) if m in interpret_setting("ism_models")]


def tism_only_models(dataset):
    return [m for m in interpret_models(dataset) if m not in ism_model_set(dataset)]


def any_dataset_models(fn):
    """The union over datasets of a per-dataset model list (the rules' wildcard constraints: whether
    a model gets ISM does not depend on the dataset, only whether it is trained there)."""
    return sorted({m for ds in DATASETS for m in fn(ds)})


def models_regex(models):
    """Wildcard constraint matching exactly these model names (matching nothing when empty)."""
    return "|".join(models) if models else "(?!)"


def baseline_model(dataset):
    """The single-input model compared with DeepAllele in Fig 3 / S6 (None when not trained for
    the dataset)."""
    m = interpret_setting("baseline")
    return m if m in interpret_models(dataset) else None


def cluster_sets(dataset):
    return ["deepallele", "joint"] if baseline_model(dataset) else ["deepallele"]


def attribution_files(dataset, model, method, seeds=None):
    """Per-seed attribution files of a model: the analysed seeds (interpret_seeds), or ``seeds``."""
    seeds = interpret_seeds(dataset) if seeds is None else seeds
    return [f"results/{dataset}/interpret/attributions/{model}/seed{s}.{method}.npz" for s in seeds]


def seqlet_method(model):
    """Attribution method the seqlets of a model come from."""
    return interpret_setting("seqlet_method")


def cluster_models(wildcards):
    """DeepAllele, and for the joint set the dataset's baseline."""
    return ["deepallele"] + ([baseline_model(wildcards.dataset)] if wildcards.cset == "joint" else [])


def cluster_inputs(wildcards):
    models = cluster_models(wildcards)
    return {
        "seqlets": [f"results/{wildcards.dataset}/motifs/seqlets/{m}.tsv" for m in models],
        "cwms": [f"results/{wildcards.dataset}/motifs/seqlets/{m}.npz" for m in models],
    }


def interpret_figure_files(dataset):
    return [f"results/{dataset}/figures/{f}.{ext}" for f in INTERPRET_FIGURES for ext in ("pdf", "png", "tsv")]


def interpret_stage_targets(dataset):
    """Final outputs of the interpretation stage of a dataset."""
    if "deepallele" not in model_types(dataset):
        return []
    targets = [f"results/{dataset}/interpret/main_variants.tsv"] + interpret_figure_files(dataset)
    # every seed's exact ISM is kept, whichever seeds the analyses use
    targets += [f for m in ism_model_set(dataset) for f in attribution_files(dataset, m, "ism", model_seeds(dataset))]
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
        "seed_attr": attribution_files(ds, "deepallele", method, model_seeds(ds)),
    }
    base = baseline_model(ds)
    if base:
        files.update(
            {
                "base_attr": attribution_files(ds, base, method),
                "joint_main": f"results/{ds}/interpret/joint/main_variants.tsv",
                "joint_groups": f"results/{ds}/interpret/joint/groups.tsv",
                "joint_clusters": f"results/{ds}/motifs/joint/clusters.tsv",
                "joint_summary": f"results/{ds}/motifs/joint/cluster_summary.tsv",
                "joint_names": f"results/{ds}/motifs/joint/cluster_names.tsv",
                "base_seqlets": f"results/{ds}/motifs/seqlets/{base}.tsv",
            }
        )
    return files


def benchmark_demo_dataset():
    """Dataset whose DeepAllele (seed of config interpretation.benchmark.seed) the ISM/TISM agreement uses."""
    return interpret_setting("benchmark").get("dataset") or DATASETS[0]


def benchmark_demo_checkpoint():
    seed = interpret_setting("benchmark")["seed"]
    return f"{model_dir(benchmark_demo_dataset(), 'deepallele', seed)}/best.ckpt"
