# QC report per dataset: FastQC on the raw reads (per unit) and the trimmed reads (per sample),
# samtools stats/flagstat on the raw per-genome alignments (with bowtie2's log beside them) and
# stats/flagstat/idxstats on the deduplicated allele BAMs, then MultiQC over these, trim_galore's
# reports, Picard's duplicate metrics and MACS3's peaks.xls, with the allele-aware custom content
# (deepallele.reads.multiqc: read funnel, allele assignment, count balance, fragment sizes, Tn5
# shift) and the software versions. Datasets with per-allele BAMs given (no reads) get the
# BAM-level parts; those imported from a count table or the authors' HDF5 get no report.
#
# The raw per-genome BAMs are temporary: their stats are made in the same run as the allele
# split (snakemake all/qc does); asked for later, they re-run bowtie2.


rule software_versions:
    output:
        table=report(
            SOFTWARE_VERSIONS,
            caption="../report/tables/software_versions.rst",
            category="QC",
            subcategory="all datasets",
            labels={"table": "software versions"},
        ),
    params:
        picard_cmd=config["picard_cmd"],
    log:
        "results/logs/software_versions.log",
    group:
        "qc"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    script:
        "../scripts/software_versions.py"


rule fastqc_raw:
    input:
        unpack(lambda wc: dict(zip(("r1", "r2"), unit_fastq_pair(wc.dataset, wc.sample, wc.unit)))),
    output:
        zip1=fill(FASTQC_RAW, mate=1, ext="zip"),
        zip2=fill(FASTQC_RAW, mate=2, ext="zip"),
        html1=fill(FASTQC_RAW, mate=1, ext="html"),
        html2=fill(FASTQC_RAW, mate=2, ext="html"),
    params:
        # FastQC names its report (and MultiQC the sample) after the file: link the unit's
        # FASTQs as <sample>.<unit>_R1/_R2, keeping their compression suffix
        link1=lambda wc, input: (
            f"fastqc.in/{wc.sample}.{wc.unit}_R1" + (".fastq.gz" if str(input.r1).endswith(".gz") else ".fastq")
        ),
        link2=lambda wc, input: (
            f"fastqc.in/{wc.sample}.{wc.unit}_R2" + (".fastq.gz" if str(input.r2).endswith(".gz") else ".fastq")
        ),
        outdir=lambda wc, output: str(Path(output.zip1).parent),
    wildcard_constraints:
        dataset="|".join(READ_DATASETS) or "NONE",
        sample="[A-Za-z0-9_.-]+",
        unit="[^/]+",
    shadow:
        "minimal"
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/fastqc_raw/{dataset}/{sample}.{unit}.log",
    benchmark:
        "results/benchmarks/jobs/fastqc_raw/{dataset}/{sample}.{unit}.tsv"
    threads: 2
    resources:
        mem_mb=1500,
        runtime=120,
    shell:
        """
        mkdir -p fastqc.in {params.outdir:q}
        ln -s "$(readlink -f {input.r1:q})" {params.link1:q}
        ln -s "$(readlink -f {input.r2:q})" {params.link2:q}
        fastqc --quiet --threads {threads} --outdir {params.outdir:q} {params.link1:q} {params.link2:q} > {log:q} 2>&1
        """


rule fastqc_trimmed:
    input:
        unpack(trimmed_reads),
    output:
        zip1=fill(FASTQC_TRIMMED, mate=1, ext="zip"),
        zip2=fill(FASTQC_TRIMMED, mate=2, ext="zip"),
        html1=fill(FASTQC_TRIMMED, mate=1, ext="html"),
        html2=fill(FASTQC_TRIMMED, mate=2, ext="html"),
    params:
        outdir=lambda wc, output: str(Path(output.zip1).parent),
    wildcard_constraints:
        dataset="|".join(READ_DATASETS) or "NONE",
        sample="[A-Za-z0-9_.-]+",
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/fastqc_trimmed/{dataset}/{sample}.log",
    benchmark:
        "results/benchmarks/jobs/fastqc_trimmed/{dataset}/{sample}.tsv"
    threads: 2
    resources:
        mem_mb=1500,
        runtime=120,
    shell:
        "fastqc --quiet --threads {threads} --outdir {params.outdir:q} {input.r1:q} {input.r2:q} > {log:q} 2>&1"


# bowtie2's log is the bowtie2 job's log, not an output another job can ask for: it is copied
# here, next to the stats of the same alignments, once the BAM exists (so bowtie2 has finished).
rule genome_alignment_stats:
    input:
        bam=RAW_ALIGNMENT,
    output:
        stats=fill(GENOME_ALIGNMENT_STATS, ext="stats.txt"),
        flagstat=fill(GENOME_ALIGNMENT_STATS, ext="flagstat.txt"),
        bowtie2=GENOME_ALIGNMENT_BOWTIE2_LOG,
    params:
        bowtie2_log=BOWTIE2_LOG,
    wildcard_constraints:
        dataset="|".join(READ_DATASETS) or "NONE",
        sample="[A-Za-z0-9_.-]+",
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/genome_alignment_stats/{dataset}/{sample}.{side}.log",
    benchmark:
        "results/benchmarks/jobs/genome_alignment_stats/{dataset}/{sample}.{side}.tsv"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=1000,
        runtime=60,
    shell:
        """
        samtools stats -@ {threads} {input.bam:q} > {output.stats:q} 2> {log:q}
        samtools flagstat -@ {threads} {input.bam:q} > {output.flagstat:q} 2>> {log:q}
        cp {params.bowtie2_log:q} {output.bowtie2:q}
        """


rule allele_bam_stats:
    input:
        bam=DEDUP_BAM,
        bai=f"{DEDUP_BAM}.bai",
    output:
        stats=fill(ALLELE_BAM_STATS, ext="stats.txt"),
        flagstat=fill(ALLELE_BAM_STATS, ext="flagstat.txt"),
        idxstats=fill(ALLELE_BAM_STATS, ext="idxstats.txt"),
    wildcard_constraints:
        dataset="|".join(BAM_DATASETS) or "NONE",
        sample="[A-Za-z0-9_.-]+",
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/allele_bam_stats/{dataset}/{sample}.{allele}.log",
    benchmark:
        "results/benchmarks/jobs/allele_bam_stats/{dataset}/{sample}.{allele}.tsv"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=1000,
        runtime=60,
    shell:
        """
        samtools stats -@ {threads} {input.bam:q} > {output.stats:q} 2> {log:q}
        samtools flagstat -@ {threads} {input.bam:q} > {output.flagstat:q} 2>> {log:q}
        samtools idxstats {input.bam:q} > {output.idxstats:q} 2>> {log:q}
        """


rule multiqc_custom_content:
    input:
        unpack(multiqc_custom_input),
    output:
        directory(MULTIQC_CUSTOM),
    params:
        samples=lambda wc: samples_of(wc.dataset),
        assay=lambda wc: config["datasets"][wc.dataset]["assay"],
    wildcard_constraints:
        dataset="|".join(BAM_DATASETS) or "NONE",
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/multiqc_custom_content/{dataset}.log",
    group:
        "qc"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/multiqc_custom_content.py"


rule multiqc:
    input:
        unpack(multiqc_input),
    output:
        html=report(
            MULTIQC_REPORT,
            caption="../report/tables/multiqc.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "MultiQC report"},
        ),
        data=directory(MULTIQC_DATA),
    params:
        outdir=lambda wc, output: str(Path(output.html).parent),
        file_list=lambda wc, output: str(Path(output.html).parent / "inputs.txt"),
    wildcard_constraints:
        dataset="|".join(BAM_DATASETS) or "NONE",
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/multiqc/{dataset}.log",
    group:
        "qc"
    benchmark:
        "results/benchmarks/jobs/multiqc/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    shell:
        """
        printf '%s\\n' {input:q} > {params.file_list:q}
        multiqc --force --no-ansi --config {input.custom:q}/multiqc_config.yaml \
            --file-list {params.file_list:q} --outdir {params.outdir:q} --filename multiqc_report.html \
            --data-format tsv > {log:q} 2>&1
        """
