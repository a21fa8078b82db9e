# The allele split: both genomes' alignments in lock step -> filter each (proper pair, MAPQ,
# contigs by name) -> assign by score (po 1 ref / 2 strain / 3 tie, ties by seeded name hash)
# -> lift strain records to reference coordinates -> sorted, indexed allele BAMs.


rule split_alleles:
    input:
        ref="results/{dataset}/align/{sample}.ref.raw.bam",
        strain="results/{dataset}/align/{sample}.strain.raw.bam",
        chain=lambda wc: f"resources/genomes/{genome_of(wc.dataset)}/ref_to_strain.chain",
    output:
        ref="results/{dataset}/alleles/{sample}.ref.bam",
        ref_bai="results/{dataset}/alleles/{sample}.ref.bam.bai",
        alt="results/{dataset}/alleles/{sample}.alt.bam",
        alt_bai="results/{dataset}/alleles/{sample}.alt.bam.bai",
        ref_only="results/{dataset}/alleles/{sample}.ref_specific.bam",
        ref_only_bai="results/{dataset}/alleles/{sample}.ref_specific.bam.bai",
        alt_only="results/{dataset}/alleles/{sample}.alt_specific.bam",
        alt_only_bai="results/{dataset}/alleles/{sample}.alt_specific.bam.bai",
        summary="results/{dataset}/alleles/{sample}.split.json",
    params:
        min_mapq=config["alignment"]["min_mapq"],
        exclude=config["alignment"]["exclude_contigs"],
        seed=config["assignment"]["tie_seed"],
        tie_key=config["assignment"]["tie_key"],
    log:
        "results/logs/split_alleles/{dataset}/{sample}.log",
    benchmark:
        "results/benchmarks/jobs/split_alleles/{dataset}/{sample}.tsv"
    conda:
        "../envs/python.yaml"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=4000,
        runtime=240,
    script:
        "../scripts/split_alleles.py"
