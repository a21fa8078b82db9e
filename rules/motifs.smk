# Motifs from attributions (docs/methods.md, "Interpretation": seqlets, clusters, names): seqlets
# per model (seed-averaged attributions), clustering (DeepAllele alone, and jointly with the
# reference-only baseline for Fig 3 / S6), cluster CWMs -> PFMs, TomTom naming against JASPAR 2020
# (rule jaspar_meme). Helpers: rules/interpret_common.smk.


rule motifs_seqlets:
    input:
        attr=lambda wc: attribution_files(wc.dataset, wc.model, seqlet_method(wc.model)),
        pairs=PAIRS_H5,
    output:
        table=SEQLETS,
        cwms=SEQLET_CWMS,
    params:
        flip_alt=lambda wc: wc.model in ("deepallele", "direct"),
        cut=lambda wc: interpret_setting("seqlets")["cut"],
        max_gap=lambda wc: interpret_setting("seqlets")["max_gap"],
        min_size=lambda wc: interpret_setting("seqlets")["min_size"],
        flank=lambda wc: interpret_setting("seqlets")["flank"],
    log:
        "results/logs/motifs_seqlets/{dataset}/{model}.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/motifs_seqlets.py"


rule motifs_cluster:
    input:
        unpack(cluster_inputs),
    output:
        clusters=CLUSTERS,
        summary=CLUSTER_SUMMARY,
        cwms=CLUSTER_CWMS,
        pfms=CLUSTER_PFMS,
    params:
        models=cluster_models,
        threshold=lambda wc: interpret_setting("cluster")["threshold"],
        min_overlap=lambda wc: interpret_setting("cluster")["min_overlap"],
        memory_mb=lambda wc: interpret_setting("cluster")["memory_mb"],
        min_seqlets=lambda wc: interpret_setting("cluster")["min_seqlets"],
    log:
        "results/logs/motifs_cluster/{dataset}/{cset}.log",
    benchmark:
        "results/benchmarks/jobs/motifs_cluster/{dataset}/{cset}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=attempt_scaled(lambda wc: int(interpret_setting("cluster")["memory_mb"]) + 4000),
        runtime=attempt_scaled(120),
    script:
        "../scripts/motifs_cluster.py"


rule motifs_tomtom:
    input:
        pfms=CLUSTER_PFMS,
        jaspar=JASPAR_MEME,
    output:
        table=TOMTOM,
        names=CLUSTER_NAMES,
    params:
        q=interpret_setting("tomtom_q"),
    log:
        "results/logs/motifs_tomtom/{dataset}/{cset}.log",
    conda:
        "../envs/python.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/motifs_tomtom.py"
