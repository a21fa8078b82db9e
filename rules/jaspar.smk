# JASPAR 2020 CORE vertebrates non-redundant (746 motifs, named by TF) as a MEME file, built
# offline from pyjaspar's bundled database. Used by FIMO (MeanDiff), TomTom (interpretation) and
# the simulator's checks.


rule jaspar_meme:
    output:
        meme=JASPAR_MEME,
    params:
        release="JASPAR2020",
        collection="CORE",
        tax_group="vertebrates",
    log:
        "results/logs/jaspar_meme.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/jaspar_meme.py"
