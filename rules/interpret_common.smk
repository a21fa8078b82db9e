# Settings and input functions of the interpretation and motif stages (rules/interpret.smk,
# rules/motifs.smk). Functions and constants only, no rules. Every setting that depends on the
# trained models takes the dataset: each dataset may train its own types and seeds
# (datasets.<name>.models).
import json

# glibc's allocator: keep freed memory in the heap for the large mutant batches, as for training
# (TRAIN_ENV); the interpretation and variant-scoring jobs set it
INTERPRET_ENV = "MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736"

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
    return [fill(ATTRIBUTIONS, dataset=dataset, model=model, seed=s, method=method) for s in seeds]


def seqlet_method(model):
    """Attribution method the seqlets of a model come from."""
    return interpret_setting("seqlet_method")


def cluster_models(wildcards):
    """DeepAllele, and for the joint set the dataset's baseline."""
    return ["deepallele"] + ([baseline_model(wildcards.dataset)] if wildcards.cset == "joint" else [])


def cluster_inputs(wildcards):
    models = cluster_models(wildcards)
    return {
        "seqlets": [fill(SEQLETS, dataset=wildcards.dataset, model=m) for m in models],
        "cwms": [fill(SEQLET_CWMS, dataset=wildcards.dataset, model=m) for m in models],
    }


def interpret_figure_files(dataset):
    return [figure(f, ext, dataset) for f in INTERPRET_FIGURES for ext in ("pdf", "png", "tsv")]


def interpret_stage_targets(dataset):
    """Final outputs of the interpretation stage of a dataset."""
    if "deepallele" not in model_types(dataset):
        return []
    targets = [fill(MAIN_VARIANTS, dataset=dataset)] + interpret_figure_files(dataset)
    # every seed's exact ISM is kept, whichever seeds the analyses use
    targets += [f for m in ism_model_set(dataset) for f in attribution_files(dataset, m, "ism", model_seeds(dataset))]
    if dataset in SIMULATED_DATASETS:
        targets.append(fill(VALIDATION_INTERPRETATION, dataset=dataset))
    return targets


def interpret_figure_inputs(wildcards):
    ds = wildcards.dataset
    method = interpret_setting("seqlet_method")
    own = {"dataset": ds, "model": "deepallele", "cset": "deepallele"}
    joint = {"dataset": ds, "cset": "joint"}
    files = {
        "pairs": fill(PAIRS_H5, dataset=ds),
        "trusted": fill(TRUSTED, dataset=ds),
        "effects": fill(MEAN_EFFECTS, **own),
        "main": fill(MOTIF_MAIN_VARIANTS, **own),
        "groups": fill(MOTIF_GROUPS, **own),
        "cluster_groups": fill(CLUSTER_GROUPS, **own),
        "seqlets": fill(SEQLETS, **own),
        "clusters": fill(CLUSTERS, **own),
        "summary": fill(CLUSTER_SUMMARY, **own),
        "cwms": fill(CLUSTER_CWMS, **own),
        "names": fill(CLUSTER_NAMES, **own),
        "attr": attribution_files(ds, "deepallele", method),
        # Fig S3a compares every seed's attributions, whichever seeds the analyses use
        "seed_attr": attribution_files(ds, "deepallele", method, model_seeds(ds)),
    }
    base = baseline_model(ds)
    if base:
        files.update(
            {
                "base_attr": attribution_files(ds, base, method),
                "joint_main": fill(MOTIF_MAIN_VARIANTS, **joint),
                "joint_groups": fill(MOTIF_GROUPS, **joint),
                "joint_clusters": fill(CLUSTERS, **joint),
                "joint_summary": fill(CLUSTER_SUMMARY, **joint),
                "joint_names": fill(CLUSTER_NAMES, **joint),
                "base_seqlets": fill(SEQLETS, dataset=ds, model=base),
            }
        )
    return files


def benchmark_demo_dataset():
    """Dataset whose DeepAllele (seed of config interpretation.benchmark.seed) the ISM/TISM agreement uses."""
    return interpret_setting("benchmark").get("dataset") or DATASETS[0]


def benchmark_demo_checkpoint():
    seed = interpret_setting("benchmark")["seed"]
    return fill(CHECKPOINT, dataset=benchmark_demo_dataset(), model="deepallele", seed=seed)
