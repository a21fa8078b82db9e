# Read QC (one table + one plot per dataset, a read pair followed through every stage) and,
# for simulated datasets, validation of the read stages against the simulator's truth.


rule reads_qc:
    input:
        unpack(reads_qc_inputs),
    output:
        table=report(
            fill(READS_QC, ext="tsv"),
            caption="../report/tables/reads_qc.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "read QC"},
        ),
        png=report(
            fill(READS_QC, ext="png"),
            caption="../report/figures/reads_qc.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"figure": "read QC"},
        ),
        pdf=fill(READS_QC, ext="pdf"),
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
        truth_reads=SIM_TRUTH_READS,
        truth_regions=SIM_TRUTH_REGIONS,
        vcf=lambda wc: daw.genome_files(config, genome_of(wc.dataset))["strain_vcf"],
        strain=lambda wc: fill(STRAIN_FASTA, genome=genome_of(wc.dataset)),
        truth_strain=lambda wc: fill(SIM_GENOME_TRUTH_STRAIN, genome=genome_of(wc.dataset)),
        ref_bams=lambda wc: [
            fill(ALLELE_BAM, dataset=wc.dataset, sample=s, allele="ref") for s in samples_of(wc.dataset)
        ],
        alt_bams=lambda wc: [
            fill(ALLELE_BAM, dataset=wc.dataset, sample=s, allele="alt") for s in samples_of(wc.dataset)
        ],
        counts=COUNTS,
        count_modes=COUNT_MODES,
    output:
        table=report(
            VALIDATION_READS,
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
            fill(BOWTIE2_BENCHMARK, dataset=wc.dataset, sample=s, side=side)
            for s in samples_of(wc.dataset)
            for side in ("ref", "strain")
        ],
        split=lambda wc: [fill(SPLIT_BENCHMARK, dataset=wc.dataset, sample=s) for s in samples_of(wc.dataset)],
        summaries=lambda wc: split_summaries(wc.dataset),
    output:
        table=report(
            READS_BENCHMARK,
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
