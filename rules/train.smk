# Training: one job per (dataset, model type, seed) on the dataset's pairs.h5. A killed job that
# is rerun resumes from its checkpoints/last.ckpt (not an output, so Snakemake keeps it).


rule train:
    input:
        pairs="results/{dataset}/data/pairs.h5",
    output:
        ckpt="results/{dataset}/models/{model}/seed{seed}/best.ckpt",
        predictions="results/{dataset}/models/{model}/seed{seed}/predictions.tsv",
        summary="results/{dataset}/models/{model}/seed{seed}/train_summary.json",
        history="results/{dataset}/models/{model}/seed{seed}/history.tsv",
    params:
        outdir="results/{dataset}/models/{model}/seed{seed}",
        architecture=train_architecture_json,
        training=train_training_json,
        env=TRAIN_ENV,
    log:
        main="results/logs/train/{dataset}/{model}/seed{seed}.log",
        lightning="results/logs/train/{dataset}/{model}/seed{seed}.lightning.log",
    benchmark:
        "results/benchmarks/jobs/train/{dataset}/{model}/seed{seed}.tsv"
    conda:
        "../envs/python.yaml"
    threads: config["threads"]["train"]
    resources:
        mem_mb=attempt_scaled(train_mem_mb),
        runtime=attempt_scaled(train_runtime),
        gpu=train_gpu,
        cpus_per_gpu=2,
    shell:
        "{params.env} deepallele train --pairs {input.pairs}"
        " --model {wildcards.model} --seed {wildcards.seed} --outdir {params.outdir}"
        " --architecture-json {params.architecture:q} --training-json {params.training:q}"
        " --threads {threads} --log {log.main} > {log.lightning} 2>&1"
