# Interpretation (reference-spec §3.1-3.3, 3.7): trusted set, ISM/TISM attributions per model and
# seed, variant effects (swapping each variant between the alleles) averaged over the analysed
# seeds (interpretation.seeds: all, or the one model the paper analyses), main
# variants in motifs with TF-like groups, validation against the simulator, figures, benchmark.
# Include after rules/common.smk, rules/models_common.smk, rules/interpret_common.smk and
# rules/motifs.smk.
# glibc's allocator: keep freed memory in the heap for the large mutant batches (see
# performance-anchors.md), as for training.
INTERPRET_ENV = "MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736"


rule interpret_trusted:
    input:
        predictions=lambda wc: [
            f"{model_dir(wc.dataset, 'deepallele', s)}/predictions.tsv" for s in interpret_seeds(wc.dataset)
        ],
        pairs="results/{dataset}/data/pairs.h5",
    output:
        table="results/{dataset}/interpret/trusted.tsv",
    params:
        split=interpret_setting("split"),
        min_obs=lambda wc: interpret_setting("trusted")["min_obs"],
        min_z=lambda wc: interpret_setting("trusted")["min_z"],
    log:
        "results/logs/interpret_trusted/{dataset}.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/interpret_trusted.py"


# One job per trained model (dataset, model, seed): variant effects, TISM and, for the models that
# need it, exact ISM, sharing one process start and checkpoint load. Two rules because the
# outputs differ; the model wildcard's constraint sends each model to one of them.
rule interpret_model:
    input:
        ckpt="results/{dataset}/models/{model}/seed{seed}/best.ckpt",
        pairs="results/{dataset}/data/pairs.h5",
    output:
        effects="results/{dataset}/interpret/variant_effects/{model}/seed{seed}.tsv",
        tism="results/{dataset}/interpret/attributions/{model}/seed{seed}.tism.npz",
    wildcard_constraints:
        model=models_regex(any_dataset_models(tism_only_models)),
    params:
        split=interpret_setting("split"),
        batch_size=interpret_setting("batch_size"),
        env=INTERPRET_ENV,
    log:
        "results/logs/interpret_model/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "results/benchmarks/jobs/interpret_model/{dataset}/{model}/seed{seed}.tsv"
    conda:
        "../envs/python.yaml"
    threads: config["threads"]["interpret"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(60),
    shell:
        "{params.env} deepallele interpret-checkpoint --ckpt {input.ckpt} --pairs {input.pairs}"
        " --effects {output.effects} --tism {output.tism} --split {params.split}"
        " --batch-size {params.batch_size} --threads {threads} --log {log}"


rule interpret_model_ism:
    input:
        ckpt="results/{dataset}/models/{model}/seed{seed}/best.ckpt",
        pairs="results/{dataset}/data/pairs.h5",
    output:
        effects="results/{dataset}/interpret/variant_effects/{model}/seed{seed}.tsv",
        tism="results/{dataset}/interpret/attributions/{model}/seed{seed}.tism.npz",
        ism="results/{dataset}/interpret/attributions/{model}/seed{seed}.ism.npz",
    wildcard_constraints:
        model=models_regex(any_dataset_models(ism_model_set)),
    params:
        split=interpret_setting("split"),
        batch_size=interpret_setting("batch_size"),
        env=INTERPRET_ENV,
    log:
        "results/logs/interpret_model/{dataset}/{model}/seed{seed}.log",
    benchmark:
        "results/benchmarks/jobs/interpret_model/{dataset}/{model}/seed{seed}.tsv"
    conda:
        "../envs/python.yaml"
    threads: config["threads"]["interpret"]
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(300),
    shell:
        "{params.env} deepallele interpret-checkpoint --ckpt {input.ckpt} --pairs {input.pairs}"
        " --effects {output.effects} --tism {output.tism} --ism {output.ism} --split {params.split}"
        " --batch-size {params.batch_size} --threads {threads} --log {log}"


rule interpret_main_variants:
    input:
        effects=lambda wc: [
            f"results/{wc.dataset}/interpret/variant_effects/{wc.model}/seed{s}.tsv"
            for s in interpret_seeds(wc.dataset)
        ],
        pairs="results/{dataset}/data/pairs.h5",
    output:
        effects="results/{dataset}/interpret/variant_effects/{model}.mean.tsv",
        main="results/{dataset}/interpret/variant_effects/{model}.main.tsv",
    log:
        "results/logs/interpret_main_variants/{dataset}/{model}.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/interpret_main_variants.py"


rule interpret_motif_variants:
    input:
        trusted="results/{dataset}/interpret/trusted.tsv",
        main=lambda wc: [f"results/{wc.dataset}/interpret/variant_effects/{m}.main.tsv" for m in cluster_models(wc)],
        seqlets=lambda wc: [f"results/{wc.dataset}/motifs/seqlets/{m}.tsv" for m in cluster_models(wc)],
        clusters="results/{dataset}/motifs/{cset}/clusters.tsv",
        summary="results/{dataset}/motifs/{cset}/cluster_summary.tsv",
        tomtom="results/{dataset}/motifs/{cset}/tomtom.tsv",
    output:
        main="results/{dataset}/interpret/{cset}/main_variants.tsv",
        groups="results/{dataset}/interpret/{cset}/groups.tsv",
        labels="results/{dataset}/interpret/{cset}/cluster_groups.tsv",
    params:
        models=cluster_models,
        mode=interpret_setting("tf_groups"),
        q=interpret_setting("tomtom_q"),
        min_share=interpret_setting("pie_min_percent"),
    log:
        "results/logs/interpret_motif_variants/{dataset}/{cset}.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/interpret_motif_variants.py"


rule interpret_main_variants_table:
    input:
        main="results/{dataset}/interpret/deepallele/main_variants.tsv",
    output:
        main="results/{dataset}/interpret/main_variants.tsv",
    log:
        "results/logs/interpret_main_variants_table/{dataset}.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/interpret_main_variants_table.py"


rule validate_interpretation:
    input:
        main="results/{dataset}/interpret/main_variants.tsv",
        groups="results/{dataset}/interpret/deepallele/groups.tsv",
        cluster_groups="results/{dataset}/interpret/deepallele/cluster_groups.tsv",
        cluster_names="results/{dataset}/motifs/deepallele/cluster_names.tsv",
        pairs="results/{dataset}/data/pairs.h5",
        regions=f"{SIM}/datasets/{{dataset}}/truth/regions.tsv",
        variants=f"{SIM}/datasets/{{dataset}}/truth/variants.tsv",
        jaspar=JASPAR_MEME,
    output:
        table=report(
            "results/{dataset}/validation/interpretation.tsv",
            caption="../report/tables/validation_interpretation.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "interpretation"},
        ),
    params:
        sim=lambda wc: simulated_dataset_params(wc.dataset),
        # the motifs chain on the simulator's own attributions of the interpreted pairs
        split=interpret_setting("split"),
        seqlets=interpret_setting("seqlets"),
        cluster=interpret_setting("cluster"),
        q=interpret_setting("tomtom_q"),
    log:
        "results/logs/validate_interpretation/{dataset}.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=lambda wc: int(interpret_setting("cluster")["memory_mb"]) + 2000,
        runtime=20,
    script:
        "../scripts/interpret_validate.py"


rule interpret_figures:
    input:
        unpack(interpret_figure_inputs),
    output:
        [multiext(f"results/{{dataset}}/figures/{f}", ".pdf", ".tsv") for f in INTERPRET_FIGURES],
        [
            report(
                f"results/{{dataset}}/figures/{f}.png",
                caption=f"../report/figures/{f}.rst",
                category="Figures",
                subcategory="{dataset}",
                labels={"figure": f},
            )
            for f in INTERPRET_FIGURES
        ],
    params:
        loci=interpret_setting("loci"),
        n_examples=interpret_setting("n_examples"),
        baseline=lambda wc: baseline_model(wc.dataset) or "",
        seeds=lambda wc: model_seeds(wc.dataset),
    log:
        "results/logs/interpret_figures/{dataset}.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/interpret_figures.py"


rule benchmark_interpretation:
    input:
        ckpt=lambda wc: benchmark_demo_checkpoint(),
        pairs=lambda wc: f"results/{benchmark_demo_dataset()}/data/pairs.h5",
    output:
        table="results/benchmarks/interpretation.tsv",
    params:
        n_pairs=lambda wc: interpret_setting("benchmark")["n_pairs"],
        n_agreement=lambda wc: interpret_setting("benchmark")["n_agreement"],
        env=INTERPRET_ENV,
    log:
        "results/logs/benchmark_interpretation.log",
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=60,
    shell:
        "{params.env} deepallele benchmark-interpretation --ckpt {input.ckpt}"
        " --pairs {input.pairs} --out {output.table} --n-pairs {params.n_pairs}"
        " --n-agreement {params.n_agreement} --threads {threads} --log {log}"
