# Per genome: the strain pseudogenome (reference + strain VCF, SNPs and indels) with its
# coordinate map, and bowtie2 indexes of both genomes.


rule pseudogenome:
    input:
        unpack(genome_inputs),
    output:
        fasta="resources/genomes/{genome}/strain.fa",
        fai="resources/genomes/{genome}/strain.fa.fai",
        chain="resources/genomes/{genome}/ref_to_strain.chain",
        report="resources/genomes/{genome}/pseudogenome_skipped.tsv",
        summary="resources/genomes/{genome}/pseudogenome_summary.json",
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
        multiext(
            "resources/genomes/{genome}/bowtie2/{side}",
            ".1.bt2",
            ".2.bt2",
            ".3.bt2",
            ".4.bt2",
            ".rev.1.bt2",
            ".rev.2.bt2",
        ),
    params:
        prefix="resources/genomes/{genome}/bowtie2/{side}",
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
