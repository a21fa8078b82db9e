# Read QC (one table + one plot per dataset, a read pair followed through every stage) and,
# for simulated datasets, validation of the read stages against the simulator's truth.


rule reads_qc:
    input:
        unpack(reads_qc_inputs),
    output:
        table=report(
            "results/{dataset}/qc/reads_qc.tsv",
            caption="../report/tables/reads_qc.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "read QC"},
        ),
        png=report(
            "results/{dataset}/qc/reads_qc.png",
            caption="../report/figures/reads_qc.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"figure": "read QC"},
        ),
        pdf="results/{dataset}/qc/reads_qc.pdf",
    params:
        samples=lambda wc: samples_of(wc.dataset),
        # plotting only: changing it reruns this job and nothing else
        dpi=config["plots"]["reads_qc"]["dpi"],
    log:
        "results/logs/reads_qc/{dataset}.log",
    group:
        "qc"
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/reads_qc.py"


rule validate_reads:
    input:
        truth_reads=f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz",
        truth_regions=f"{SIM}/datasets/{{dataset}}/truth/regions.tsv",
        vcf=lambda wc: daw.genome_files(config, genome_of(wc.dataset))["strain_vcf"],
        strain=lambda wc: f"resources/genomes/{genome_of(wc.dataset)}/strain.fa",
        truth_strain=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/truth/strain.fa",
        ref_bams=lambda wc: [f"results/{wc.dataset}/alleles/{s}.ref.bam" for s in samples_of(wc.dataset)],
        alt_bams=lambda wc: [f"results/{wc.dataset}/alleles/{s}.alt.bam" for s in samples_of(wc.dataset)],
        counts="results/{dataset}/counts/allele_counts.tsv",
        count_modes="results/{dataset}/counts/count_modes.tsv",
    output:
        table=report(
            "results/{dataset}/validation/reads.tsv",
            caption="../report/tables/validation_reads.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "reads"},
        ),
    log:
        "results/logs/validate_reads/{dataset}.log",
    group:
        "qc"
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/validate_reads.py"


rule reads_benchmark:
    input:
        bowtie2=lambda wc: [
            f"results/benchmarks/jobs/bowtie2/{wc.dataset}/{s}.{side}.tsv"
            for s in samples_of(wc.dataset)
            for side in ("ref", "strain")
        ],
        split=lambda wc: [f"results/benchmarks/jobs/split_alleles/{wc.dataset}/{s}.tsv" for s in samples_of(wc.dataset)],
        summaries=lambda wc: [f"results/{wc.dataset}/alleles/{s}.split.json" for s in samples_of(wc.dataset)],
    output:
        table=report(
            "results/benchmarks/reads_{dataset}.tsv",
            caption="../report/tables/reads_benchmark.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "read-stage benchmark"},
        ),
    params:
        samples=lambda wc: samples_of(wc.dataset),
    log:
        "results/logs/reads_benchmark/{dataset}.log",
    group:
        "qc"
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/reads_benchmark.py"
