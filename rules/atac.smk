# Tn5 shift of ATAC reads (datasets with tn5_shift on; see final_allele_bam): deeptools
# alignmentSieve --ATACshift moves the 5' end of forward reads +4 and of reverse reads -5 (it
# keeps proper pairs only and writes matches-only CIGARs without sequences). Its output is
# unsorted, so a second rule sorts and indexes it (split in two so that each rule needs one
# software environment: deeptools from python.yaml, samtools from reads.yaml).


rule tn5_shift:
    input:
        bam="results/{dataset}/dedup/{sample}.{allele}.bam",
        bai="results/{dataset}/dedup/{sample}.{allele}.bam.bai",
    output:
        bam=temp("results/{dataset}/shifted/{sample}.{allele}.unsorted.bam"),
    conda:
        "../envs/python.yaml"
    log:
        main="results/logs/tn5_shift/{dataset}/{sample}.{allele}.log",
        metrics="results/logs/tn5_shift/{dataset}/{sample}.{allele}.filter_metrics.txt",
    benchmark:
        "results/benchmarks/jobs/tn5_shift/{dataset}/{sample}.{allele}.tsv"
    threads: config["threads"]["deeptools"]
    resources:
        mem_mb=2000,
        runtime=60,
    shell:
        "alignmentSieve --ATACshift -b {input.bam:q} -o {output.bam:q} -p {threads}"
        " --filterMetrics {log.metrics:q} > {log.main:q} 2>&1"


rule sort_shifted:
    input:
        bam="results/{dataset}/shifted/{sample}.{allele}.unsorted.bam",
    output:
        bam="results/{dataset}/shifted/{sample}.{allele}.bam",
        bai="results/{dataset}/shifted/{sample}.{allele}.bam.bai",
    params:
        tmp_prefix="results/{dataset}/shifted/{sample}.{allele}.sort_tmp",
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/sort_shifted/{dataset}/{sample}.{allele}.log",
    benchmark:
        "results/benchmarks/jobs/sort_shifted/{dataset}/{sample}.{allele}.tsv"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=lambda wc, threads: 768 * threads + 512,
        runtime=60,
    shell:
        """
        samtools sort -@ {threads} -m 768M -T {params.tmp_prefix:q} -o {output.bam:q} {input.bam:q} > {log:q} 2>&1
        samtools index {output.bam:q} >> {log:q} 2>&1
        """
