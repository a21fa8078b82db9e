# bowtie2 of each sample to both genomes; pairs filtered together (proper pair, MAPQ, contigs
# excluded by name). Outputs keep bowtie2's input order so the two genomes' files line up.


rule bowtie2:
    input:
        unpack(trimmed_reads),
        index=lambda wc: multiext(
            f"resources/genomes/{genome_of(wc.dataset)}/bowtie2/{wc.side}",
            ".1.bt2",
            ".2.bt2",
            ".3.bt2",
            ".4.bt2",
            ".rev.1.bt2",
            ".rev.2.bt2",
        ),
    output:
        bam=temp("results/{dataset}/align/{sample}.{side}.bam"),
        stats="results/{dataset}/align/{sample}.{side}.filter.json",
    params:
        prefix=lambda wc: f"resources/genomes/{genome_of(wc.dataset)}/bowtie2/{wc.side}",
        options=config["alignment"]["bowtie2"],
        min_mapq=config["alignment"]["min_mapq"],
        exclude=" ".join(f"--exclude '{p}'" for p in config["alignment"]["exclude_contigs"]),
    log:
        "results/logs/bowtie2/{dataset}/{sample}.{side}.log",
    benchmark:
        "results/benchmarks/jobs/bowtie2/{dataset}/{sample}.{side}.tsv"
    conda:
        "../envs/reads.yaml"
    threads: config["threads"]["align"]
    resources:
        mem_mb=6000,
        runtime=600,
    shell:
        "(bowtie2 --reorder -p {threads} {params.options} -x {params.prefix}"
        " -1 {input.r1} -2 {input.r2}"
        " | deepallele filter-alignments - {output.bam} --min-mapq {params.min_mapq}"
        " {params.exclude} --stats {output.stats}) 2> {log}"
