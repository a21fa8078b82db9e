# Putting trained models to work: safe model files (model.safetensors + model.json next to each
# best.ckpt), every variant of a VCF scored by every seed of a model (deepallele score-variants),
# its validation against the simulator's true effects (the strain VCF and the new SNVs of rule
# simulate_new_snvs), and its throughput (docs/methods.md, "Variant scoring"). Helpers:
# rules/score_variants_common.smk.


rule export_model:
    input:
        ckpt=CHECKPOINT,
        summary=TRAIN_SUMMARY,
    output:
        weights=MODEL_WEIGHTS,
        meta=MODEL_META,
    params:
        names=lambda wc: genome_names(wc.dataset),
    log:
        "results/logs/export_model/{dataset}/{model}/seed{seed}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/export_model.py"


rule score_vcf:
    input:
        unpack(score_vcf_input),
    output:
        tsv=SCORES_TSV,
        vcf=SCORES_VCF,
    wildcard_constraints:
        vcf=score_vcf_names(),
    params:
        models=lambda wc, input: " ".join(f"--model {m}" for m in input.meta),
        window=score_setting("window"),
        context=score_setting("context"),
        null_per_window=score_setting("null_per_window"),
        max_null=score_setting("max_null"),
        batch_size=score_setting("batch_size"),
        env=INTERPRET_ENV,
    log:
        "results/logs/score_vcf/{dataset}/{vcf}/{model}.log",
    benchmark:
        "results/benchmarks/jobs/score_vcf/{dataset}/{vcf}/{model}.tsv"
    conda:
        "../envs/python.yaml"
    threads: config["threads"]["interpret"]
    resources:
        mem_mb=4000,
        runtime=120,
    shell:
        "{params.env} deepallele score-variants --vcf {input.vcf} --fasta {input.fasta} --pairs {input.pairs}"
        " {params.models} --out-tsv {output.tsv} --out-vcf {output.vcf} --window {params.window}"
        " --context {params.context} --null-per-window {params.null_per_window} --max-null {params.max_null}"
        " --batch-size {params.batch_size} --device cpu --threads {threads} --log {log}"


rule validate_score_variants:
    input:
        unpack(validate_score_variants_input),
    output:
        table=report(
            VALIDATION_SCORE_VARIANTS,
            caption="../report/tables/validation_score_variants.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "score_variants"},
        ),
    wildcard_constraints:
        dataset="|".join(SIMULATED_DATASETS) or "NONE",
    params:
        models=lambda wc: score_validation_models(wc.dataset),
        vcfs=VALIDATION_VCFS,
        goals=lambda wc: dict(score_setting("validation")),
    log:
        "results/logs/validate_score_variants/{dataset}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/validate_score_variants.py"


rule benchmark_score_variants:
    output:
        table=SCORE_BENCHMARK,
    params:
        env=INTERPRET_ENV,
    log:
        "results/logs/benchmark_score_variants.log",
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=30,
    shell:
        "{params.env} deepallele benchmark-score-variants --output {output.table} --threads {threads}"
        " --device cpu --log {log}"
