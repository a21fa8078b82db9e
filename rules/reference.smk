# Per genome: the strain pseudogenome (reference + strain VCF, SNPs and indels) with its
# coordinate map, and bowtie2 indexes of both genomes.


rule pseudogenome:
    input:
        unpack(genome_inputs),
    output:
        fasta=STRAIN_FASTA,
        fai=f"{STRAIN_FASTA}.fai",
        chain=STRAIN_CHAIN,
        report=PSEUDOGENOME_SKIPPED,
        summary=PSEUDOGENOME_SUMMARY,
    params:
        sample=lambda wc: config["genomes"][wc.genome].get("vcf_sample"),
    log:
        "results/logs/pseudogenome/{genome}.log",
    benchmark:
        "results/benchmarks/jobs/pseudogenome/{genome}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, input: max(2000, int(3 * input.size_mb) + 1000),
        runtime=60,
    script:
        "../scripts/pseudogenome.py"


rule bowtie2_index:
    input:
        fasta=genome_fasta,
    output:
        multiext(BOWTIE2_INDEX, *BOWTIE2_INDEX_EXTS),
    params:
        prefix=BOWTIE2_INDEX,
    log:
        "results/logs/bowtie2_index/{genome}.{side}.log",
    benchmark:
        "results/benchmarks/jobs/bowtie2_index/{genome}.{side}.tsv"
    conda:
        "../envs/reads.yaml"
    threads: config["threads"]["align"]
    resources:
        mem_mb=8000,
        runtime=240,
    shell:
        "bowtie2-build --threads {threads} {input.fasta} {params.prefix} > {log} 2>&1"
