# The allele split: both genomes' alignments in lock step -> filter each (proper pair, MAPQ,
# contigs by name) -> assign by score (po 1 ref / 2 strain / 3 tie, ties by seeded name hash)
# -> lift strain records to reference coordinates -> sorted, indexed allele BAMs.


rule split_alleles:
    input:
        ref="results/{dataset}/align/{sample}.ref.raw.bam",
        strain="results/{dataset}/align/{sample}.strain.raw.bam",
        chain=lambda wc: f"resources/genomes/{genome_of(wc.dataset)}/ref_to_strain.chain",
    output:
        ref=temp("results/{dataset}/alleles/{sample}.ref.unsorted.bam"),
        alt=temp("results/{dataset}/alleles/{sample}.alt.unsorted.bam"),
        ref_only=temp("results/{dataset}/alleles/{sample}.ref_specific.unsorted.bam"),
        alt_only=temp("results/{dataset}/alleles/{sample}.alt_specific.unsorted.bam"),
        summary="results/{dataset}/alleles/{sample}.split.json",
    params:
        min_mapq=lambda wc: allele_split_min_mapq(wc.dataset),
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
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(240),
    script:
        "../scripts/split_alleles.py"


rule sort_allele_bam:
    input:
        bam="results/{dataset}/alleles/{sample}.{kind}.unsorted.bam",
    output:
        bam="results/{dataset}/alleles/{sample}.{kind}.bam",
        bai="results/{dataset}/alleles/{sample}.{kind}.bam.bai",
    wildcard_constraints:
        kind="ref|alt|ref_specific|alt_specific",
        dataset="|".join(READ_DATASETS) or "NONE",
    log:
        "results/logs/sort_allele_bam/{dataset}/{sample}.{kind}.log",
    conda:
        "../envs/reads.yaml"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=2000,
        runtime=120,
    shell:
        "(samtools sort -@ {threads} -m 512M -o {output.bam} {input.bam} && samtools index {output.bam}) 2> {log}"
