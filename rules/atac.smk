# Tn5 shift of ATAC reads (datasets with tn5_shift on; see final_allele_bam): the 5' end of
# forward reads +4 and of reverse reads -5, taken from each read's exact reference start/end
# (deepallele.reads.tn5; deeptools alignmentSieve --ATACshift took the end from the query and
# misplaced reads with leading soft clips or indels). Like alignmentSieve it keeps proper pairs
# only and writes matches-only CIGARs without sequences; mate fields and TLEN follow the shifted
# reads. Its output is unsorted, so a second rule sorts and indexes it (samtools, reads.yaml).


rule tn5_shift:
    input:
        bam=DEDUP_BAM,
        bai=f"{DEDUP_BAM}.bai",
    output:
        bam=temp(SHIFTED_UNSORTED_BAM),
        summary=SHIFT_SUMMARY,
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/tn5_shift/{dataset}/{sample}.{allele}.log",
    benchmark:
        "results/benchmarks/jobs/tn5_shift/{dataset}/{sample}.{allele}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    script:
        "../scripts/tn5_shift.py"


rule sort_shifted:
    input:
        bam=SHIFTED_UNSORTED_BAM,
    output:
        bam=SHIFTED_BAM,
        bai=f"{SHIFTED_BAM}.bai",
    params:
        tmp_prefix=SHIFTED_SORT_TMP,
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
