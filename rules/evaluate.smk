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
        fig1c=multiext("results/{dataset}/figures/fig1c_counts", ".pdf", ".png", ".tsv"),
        fig1d=multiext("results/{dataset}/figures/fig1d_ratio", ".pdf", ".png", ".tsv"),
        spearman=multiext("results/{dataset}/figures/figS2_spearman", ".pdf", ".png", ".tsv"),
        direct=multiext("results/{dataset}/figures/figS2_direct", ".pdf", ".png", ".tsv"),
        curves=multiext("results/{dataset}/figures/training_curves", ".pdf", ".png", ".tsv"),
    params:
        runs=lambda wc: model_run_keys(wc.dataset),
    log:
        "results/logs/figure_performance/{dataset}.log",
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
        table="results/{dataset}/validation/model.tsv",
    log:
        "results/logs/validate_models/{dataset}.log",
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
