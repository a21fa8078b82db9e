# Training: one job per (dataset, model type, seed) on the dataset's pairs.h5. A killed job that
# is rerun resumes from its checkpoints/last.ckpt (not an output, so Snakemake keeps it).


rule train:
    input:
        pairs=PAIRS_H5,
    output:
        ckpt=CHECKPOINT,
        predictions=PREDICTIONS,
        summary=TRAIN_SUMMARY,
        history=HISTORY,
    params:
        outdir=MODEL_DIR,
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
