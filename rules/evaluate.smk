# Evaluation of the trained models: test-set correlations (long table + mean/SD over seeds),
# the performance figures (Fig 1c,d, S2, training curves), the model-stage validation on
# simulated datasets, and the training-throughput benchmark.


rule evaluate_models:
    input:
        predictions=lambda wc: model_outputs(wc.dataset),
    output:
        table="results/{dataset}/metrics/performance.tsv",
        summary="results/{dataset}/metrics/performance_summary.tsv",
    params:
        runs=lambda wc: model_run_keys(wc.dataset),
    log:
        "results/logs/evaluate_models/{dataset}.log",
    group:
        "evaluate"
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/evaluate_models.py"


rule figure_performance:
    input:
        table="results/{dataset}/metrics/performance.tsv",
        histories=lambda wc: model_outputs(wc.dataset, "history.tsv"),
    output:
        fig1c=multiext("results/{dataset}/figures/fig1c_counts", ".pdf", ".tsv"),
        fig1c_png=report(
            "results/{dataset}/figures/fig1c_counts.png",
            caption="../report/figures/fig1c_counts.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig 1c"},
        ),
        fig1d=multiext("results/{dataset}/figures/fig1d_ratio", ".pdf", ".tsv"),
        fig1d_png=report(
            "results/{dataset}/figures/fig1d_ratio.png",
            caption="../report/figures/fig1d_ratio.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig 1d"},
        ),
        spearman=multiext("results/{dataset}/figures/figS2_spearman", ".pdf", ".tsv"),
        spearman_png=report(
            "results/{dataset}/figures/figS2_spearman.png",
            caption="../report/figures/figS2_spearman.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S2a,b"},
        ),
        direct=multiext("results/{dataset}/figures/figS2_direct", ".pdf", ".tsv"),
        direct_png=report(
            "results/{dataset}/figures/figS2_direct.png",
            caption="../report/figures/figS2_direct.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S2c,d"},
        ),
        curves=multiext("results/{dataset}/figures/training_curves", ".pdf", ".tsv"),
        curves_png=report(
            "results/{dataset}/figures/training_curves.png",
            caption="../report/figures/training_curves.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "training curves"},
        ),
    params:
        runs=lambda wc: model_run_keys(wc.dataset),
    log:
        "results/logs/figure_performance/{dataset}.log",
    group:
        "evaluate"
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/figure_performance.py"


rule validate_models:
    input:
        summary="results/{dataset}/metrics/performance_summary.tsv",
    output:
        table=report(
            "results/{dataset}/validation/model.tsv",
            caption="../report/tables/validation_model.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "models"},
        ),
    log:
        "results/logs/validate_models/{dataset}.log",
    group:
        "evaluate"
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/validate_models.py"


rule benchmark_training:
    output:
        table="results/benchmarks/training.tsv",
    params:
        repeats=5,
    log:
        "results/logs/benchmark_training.log",
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=60,
    script:
        "../scripts/benchmark_training.py"
