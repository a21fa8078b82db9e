# Public resources and user files made ready for the workflow: downloads (mm10, the Mouse
# Genomes Project VCFs, the ENCODE blacklists, the authors' files; retried, md5-checked,
# atomic), a given genome's FASTA (decompressed, indexed) and strain VCF (filtered, renamed to
# the FASTA's contig naming, normalised, indexed), and accessions resolved to runs and their
# FASTQs downloaded.
#
# Downloads and resolution run on the head node (localrules): compute nodes of many clusters
# have no network.


localrules:
    download,
    resolve_runs,
    download_run,


wildcard_constraints:
    resource="|".join(map(re.escape, daw.references(config))) or "NONE",
    filename=r"[^/]+",
    run=r"[SED]RR[0-9]+",


rule download:
    output:
        file=DOWNLOAD,
    params:
        url=lambda wc: daw.download_spec(config, wc.resource, wc.filename)["url"],
        md5=lambda wc: daw.download_spec(config, wc.resource, wc.filename)["md5"],
        md5_url=lambda wc: daw.download_spec(config, wc.resource, wc.filename)["md5_url"],
        retries=config["downloads"]["retries"],
        backoff_s=config["downloads"]["backoff_s"],
        timeout_s=config["downloads"]["timeout_s"],
    log:
        "results/logs/download/{resource}/{filename}.log",
    benchmark:
        "results/benchmarks/jobs/download/{resource}/{filename}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=240,
    script:
        "../scripts/download.py"


rule prepare_reference:
    input:
        fasta=lambda wc: daw.genome_sources(config, wc.genome)["fasta"],
    output:
        fasta=PREPARED_REFERENCE,
        fai=f"{PREPARED_REFERENCE}.fai",
    wildcard_constraints:
        genome="|".join(GIVEN_GENOMES) or "NONE",
    log:
        "results/logs/prepare_reference/{genome}.log",
    benchmark:
        "results/benchmarks/jobs/prepare_reference/{genome}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    script:
        "../scripts/prepare_reference.py"


rule prepare_strain_vcf:
    input:
        vcfs=lambda wc: daw.genome_sources(config, wc.genome)["vcfs"],
        fasta=PREPARED_REFERENCE,
        fai=f"{PREPARED_REFERENCE}.fai",
    output:
        vcf=PREPARED_STRAIN_VCF,
        tbi=f"{PREPARED_STRAIN_VCF}.tbi",
        summary=PREPARED_VCF_SUMMARY,
    wildcard_constraints:
        genome="|".join(GIVEN_GENOMES) or "NONE",
    params:
        sample=lambda wc: daw.genome_vcf_sample(config, wc.genome),
        pass_only=lambda wc: config["genomes"][wc.genome].get("vcf_filter", {}).get("pass_only", True),
        hom_alt_only=lambda wc: config["genomes"][wc.genome].get("vcf_filter", {}).get("hom_alt_only", True),
    log:
        "results/logs/prepare_strain_vcf/{genome}.log",
    benchmark:
        "results/benchmarks/jobs/prepare_strain_vcf/{genome}.tsv"
    conda:
        "../envs/reads.yaml"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=4000,
        runtime=120,
    script:
        "../scripts/prepare_strain_vcf.py"


checkpoint resolve_runs:
    output:
        runs=RUNS_TABLE,
    params:
        rows=lambda wc: daw.accession_rows(config, wc.dataset),
        portal_url=config["accessions"]["portal_url"],
        eutils_url=config["accessions"]["eutils_url"],
        retries=config["downloads"]["retries"],
        backoff_s=config["downloads"]["backoff_s"],
        timeout_s=config["downloads"]["timeout_s"],
    log:
        "results/logs/resolve_runs/{dataset}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    script:
        "../scripts/resolve_runs.py"


rule download_run:
    input:
        runs_table=lambda wc: run_table_of(wc.run),
    output:
        r1=RUN_FASTQ_1,
        r2=RUN_FASTQ_2,
    params:
        run="{run}",
        keep_technical=False,
        retries=config["downloads"]["retries"],
        backoff_s=config["downloads"]["backoff_s"],
        timeout_s=config["downloads"]["timeout_s"],
    log:
        "results/logs/download_run/{run}.log",
    benchmark:
        "results/benchmarks/jobs/download_run/{run}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=360,
    script:
        "../scripts/download_run.py"
