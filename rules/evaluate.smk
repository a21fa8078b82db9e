# Evaluation of the trained models: test-set correlations (long table + mean/SD over seeds),
# the performance figures (Fig 1c,d, S2, training curves), the model-stage validation on
# simulated datasets, and the training-throughput benchmark.


rule evaluate_models:
    input:
        predictions=lambda wc: model_outputs(wc.dataset),
    output:
        table=PERFORMANCE,
        summary=PERFORMANCE_SUMMARY,
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
        table=PERFORMANCE,
        histories=lambda wc: model_outputs(wc.dataset, HISTORY),
    output:
        fig1c=multiext(figure("fig1c_counts"), ".pdf", ".tsv"),
        fig1c_png=report(
            figure("fig1c_counts", "png"),
            caption="../report/figures/fig1c_counts.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig 1c"},
        ),
        fig1d=multiext(figure("fig1d_ratio"), ".pdf", ".tsv"),
        fig1d_png=report(
            figure("fig1d_ratio", "png"),
            caption="../report/figures/fig1d_ratio.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig 1d"},
        ),
        spearman=multiext(figure("figS2_spearman"), ".pdf", ".tsv"),
        spearman_png=report(
            figure("figS2_spearman", "png"),
            caption="../report/figures/figS2_spearman.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S2a,b"},
        ),
        direct=multiext(figure("figS2_direct"), ".pdf", ".tsv"),
        direct_png=report(
            figure("figS2_direct", "png"),
            caption="../report/figures/figS2_direct.rst",
            category="Figures",
            subcategory="{dataset}",
            labels={"figure": "Fig S2c,d"},
        ),
        curves=multiext(figure("training_curves"), ".pdf", ".tsv"),
        curves_png=report(
            figure("training_curves", "png"),
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
        summary=PERFORMANCE_SUMMARY,
    output:
        table=report(
            VALIDATION_MODELS,
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
        table=TRAINING_BENCHMARK,
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
