# Interpretation (docs/methods.md, "Interpretation"): trusted set, ISM/TISM attributions per model
# and seed, variant effects (swapping each variant between the alleles) averaged over the analysed
# seeds (interpretation.seeds: all, or the one model the paper analyses), main variants in motifs
# with TF-like groups (the motifs: rules/motifs.smk), validation against the simulator, figures,
# benchmark. Helpers and INTERPRET_ENV: rules/interpret_common.smk.


rule interpret_trusted:
    input:
        predictions=lambda wc: [
            fill(PREDICTIONS, dataset=wc.dataset, model="deepallele", seed=s) for s in interpret_seeds(wc.dataset)
        ],
        pairs=PAIRS_H5,
    output:
        table=TRUSTED,
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
        ckpt=CHECKPOINT,
        pairs=PAIRS_H5,
    output:
        effects=VARIANT_EFFECTS,
        tism=fill(ATTRIBUTIONS, method="tism"),
    wildcard_constraints:
        model=models_regex(any_dataset_models(tism_only_models)),
    params:
        split=interpret_setting("split"),
        batch_size=interpret_setting("batch_size"),
        env=INTERPRET_ENV,
    log:
        INTERPRET_MODEL_LOG,
    benchmark:
        INTERPRET_MODEL_BENCHMARK
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
        ckpt=CHECKPOINT,
        pairs=PAIRS_H5,
    output:
        effects=VARIANT_EFFECTS,
        tism=fill(ATTRIBUTIONS, method="tism"),
        ism=fill(ATTRIBUTIONS, method="ism"),
    wildcard_constraints:
        model=models_regex(any_dataset_models(ism_model_set)),
    params:
        split=interpret_setting("split"),
        batch_size=interpret_setting("batch_size"),
        env=INTERPRET_ENV,
    log:
        INTERPRET_MODEL_LOG,
    benchmark:
        INTERPRET_MODEL_BENCHMARK
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
            fill(VARIANT_EFFECTS, dataset=wc.dataset, model=wc.model, seed=s) for s in interpret_seeds(wc.dataset)
        ],
        pairs=PAIRS_H5,
    output:
        effects=MEAN_EFFECTS,
        main=MAIN_EFFECTS,
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
        trusted=TRUSTED,
        main=lambda wc: [fill(MAIN_EFFECTS, dataset=wc.dataset, model=m) for m in cluster_models(wc)],
        seqlets=lambda wc: [fill(SEQLETS, dataset=wc.dataset, model=m) for m in cluster_models(wc)],
        clusters=CLUSTERS,
        summary=CLUSTER_SUMMARY,
        tomtom=TOMTOM,
    output:
        main=MOTIF_MAIN_VARIANTS,
        groups=MOTIF_GROUPS,
        labels=CLUSTER_GROUPS,
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
        main=fill(MOTIF_MAIN_VARIANTS, cset="deepallele"),
    output:
        main=MAIN_VARIANTS,
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
        main=MAIN_VARIANTS,
        groups=fill(MOTIF_GROUPS, cset="deepallele"),
        cluster_groups=fill(CLUSTER_GROUPS, cset="deepallele"),
        cluster_names=fill(CLUSTER_NAMES, cset="deepallele"),
        pairs=PAIRS_H5,
        regions=SIM_TRUTH_REGIONS,
        variants=SIM_TRUTH_VARIANTS,
        jaspar=JASPAR_MEME,
    output:
        table=report(
            VALIDATION_INTERPRETATION,
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
        [multiext(figure(f), ".pdf", ".tsv") for f in INTERPRET_FIGURES],
        [
            report(
                figure(f, "png"),
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
        pairs=lambda wc: fill(PAIRS_H5, dataset=benchmark_demo_dataset()),
    output:
        table=INTERPRET_BENCHMARK,
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
