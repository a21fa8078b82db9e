# The allele split: both genomes' alignments in lock step -> filter each (proper pair, MAPQ,
# contigs by name) -> assign by score (po 1 ref / 2 strain / 3 tie, ties by seeded name hash)
# -> lift strain records to reference coordinates -> sorted, indexed allele BAMs.


rule split_alleles:
    input:
        ref=fill(RAW_ALIGNMENT, side="ref"),
        strain=fill(RAW_ALIGNMENT, side="strain"),
        chain=lambda wc: fill(STRAIN_CHAIN, genome=genome_of(wc.dataset)),
    output:
        ref=temp(fill(UNSORTED_ALLELE_BAM, kind="ref")),
        alt=temp(fill(UNSORTED_ALLELE_BAM, kind="alt")),
        ref_only=temp(fill(UNSORTED_ALLELE_BAM, kind="ref_specific")),
        alt_only=temp(fill(UNSORTED_ALLELE_BAM, kind="alt_specific")),
        summary=SPLIT_SUMMARY,
    params:
        min_mapq=lambda wc: allele_split_min_mapq(wc.dataset),
        exclude=config["alignment"]["exclude_contigs"],
        seed=config["assignment"]["tie_seed"],
        tie_key=config["assignment"]["tie_key"],
    log:
        "results/logs/split_alleles/{dataset}/{sample}.log",
    benchmark:
        SPLIT_BENCHMARK
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
        bam=UNSORTED_ALLELE_BAM,
    output:
        bam=fill(ALLELE_BAM, allele="{kind}"),
        bai=fill(ALLELE_BAM, allele="{kind}") + ".bai",
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
