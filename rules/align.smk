# bowtie2 of each sample to both genomes. `--reorder` keeps every pair in FASTQ order, so the
# two genomes' files line up pair by pair for the one-pass allele split (rules/alleles.smk).


rule bowtie2:
    input:
        unpack(trimmed_reads),
        index=bowtie2_index_files,
    output:
        bam=temp(RAW_ALIGNMENT),
    params:
        prefix=lambda wc: bowtie2_index_prefix(wc.dataset, wc.side),
        options=lambda wc: bowtie2_options(wc.dataset),
    log:
        BOWTIE2_LOG,
    benchmark:
        BOWTIE2_BENCHMARK
    conda:
        "../envs/reads.yaml"
    threads: config["threads"]["align"]
    resources:
        mem_mb=attempt_scaled(6000),
        runtime=attempt_scaled(600),
    shell:
        "(bowtie2 --reorder -p {threads} {params.options} -x {params.prefix}"
        " --rg-id {wildcards.sample} --rg SM:{wildcards.sample} --rg PL:ILLUMINA"
        " -1 {input.r1} -2 {input.r2}"
        " | samtools view -b -1 -o {output.bam} -) 2> {log}"


# Per-genome alignments, filtered like the allele split and coordinate-sorted, for genome
# browsers; no target rule asks for them (name the file: results/<dataset>/align/<sample>.<side>.sorted.bam),
# and the allele split does not need them.
rule genome_alignment:
    input:
        bam=RAW_ALIGNMENT,
    output:
        bam=SORTED_ALIGNMENT,
        bai=f"{SORTED_ALIGNMENT}.bai",
        stats=ALIGNMENT_FILTER_STATS,
    params:
        min_mapq=config["alignment"]["min_mapq"],
        exclude=" ".join(f"--exclude '{p}'" for p in config["alignment"]["exclude_contigs"]),
    log:
        "results/logs/genome_alignment/{dataset}/{sample}.{side}.log",
    conda:
        "../envs/reads.yaml"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=3000,
        runtime=120,
    shell:
        "(deepallele filter-alignments {input.bam} - --min-mapq {params.min_mapq} {params.exclude}"
        " --stats {output.stats} | samtools sort -@ {threads} -o {output.bam} -"
        " && samtools index {output.bam}) 2> {log}"
