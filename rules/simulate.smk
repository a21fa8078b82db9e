# Simulated F1 hybrid: genome + strain VCF (with every dataset's planted regions), then the
# fragments of each dataset, then one FASTQ pair per sequencing unit. The truth lands under
# .../truth/, apart from what the pipeline reads.


def simulated_dataset_params(dataset):
    from deepallele.simulate.run import dataset_params

    d = config["datasets"][dataset]
    return dataset_params(d["assay"], d["simulate"])


rule simulate_genome:
    output:
        fasta=f"{SIM}/genomes/{{genome}}/reference.fa",
        fai=f"{SIM}/genomes/{{genome}}/reference.fa.fai",
        vcf=f"{SIM}/genomes/{{genome}}/strain.vcf.gz",
        tbi=f"{SIM}/genomes/{{genome}}/strain.vcf.gz.tbi",
        strain=f"{SIM}/genomes/{{genome}}/truth/strain.fa",
        strain_fai=f"{SIM}/genomes/{{genome}}/truth/strain.fa.fai",
        regions=f"{SIM}/genomes/{{genome}}/truth/regions.tsv",
        variants=f"{SIM}/genomes/{{genome}}/truth/variants.tsv",
        sites=f"{SIM}/genomes/{{genome}}/truth/sites.tsv",
        summary=f"{SIM}/genomes/{{genome}}/truth/summary.tsv",
    params:
        outdir=SIM,
        genome=lambda wc: config["genomes"][wc.genome],
        datasets=lambda wc: {
            d: simulated_dataset_params(d)
            for d in daw.datasets_on_genome(config, wc.genome)
        },
    log:
        "results/logs/simulate_genome/{genome}.log",
    benchmark:
        "results/benchmarks/jobs/simulate_genome/{genome}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    script:
        "../scripts/simulate_genome.py"


def simulated_genome_files(wildcards):
    g = genome_of(wildcards.dataset)
    return {
        "fasta": f"{SIM}/genomes/{g}/reference.fa",
        "vcf": f"{SIM}/genomes/{g}/strain.vcf.gz",
        "strain": f"{SIM}/genomes/{g}/truth/strain.fa",
        "regions": f"{SIM}/genomes/{g}/truth/regions.tsv",
    }


rule simulate_fragments:
    input:
        unpack(simulated_genome_files),
    output:
        sheet=f"{SIM}/datasets/{{dataset}}/samples.tsv",
        peaks=f"{SIM}/datasets/{{dataset}}/known_peaks.bed",
        regions=f"{SIM}/datasets/{{dataset}}/truth/regions.tsv",
        variants=f"{SIM}/datasets/{{dataset}}/truth/variants.tsv",
        sites=f"{SIM}/datasets/{{dataset}}/truth/sites.tsv",
        reads=f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz",
    params:
        outdir=SIM,
        sim=lambda wc: simulated_dataset_params(wc.dataset),
        assay=lambda wc: config["datasets"][wc.dataset]["assay"],
    log:
        "results/logs/simulate_fragments/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/simulate_fragments/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    script:
        "../scripts/simulate_fragments.py"


rule simulate_fastq:
    input:
        unpack(simulated_genome_files),
        reads=f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz",
    output:
        fastq_1=f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_{{unit}}_R1.fastq.gz",
        fastq_2=f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_{{unit}}_R2.fastq.gz",
    params:
        sim=lambda wc: simulated_dataset_params(wc.dataset),
    log:
        "results/logs/simulate_fastq/{dataset}/{sample}_{unit}.log",
    benchmark:
        "results/benchmarks/jobs/simulate_fastq/{dataset}/{sample}_{unit}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    script:
        "../scripts/simulate_fastq.py"


def simulated_fastqs(dataset):
    return [
        f
        for _, u in UNITS[dataset].iterrows()
        for f in (u["fastq_1"], u["fastq_2"])
    ]


rule validate_simulation:
    input:
        regions=f"{SIM}/datasets/{{dataset}}/truth/regions.tsv",
        variants=f"{SIM}/datasets/{{dataset}}/truth/variants.tsv",
        reads=f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz",
        summary=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/truth/summary.tsv",
        fastqs=lambda wc: simulated_fastqs(wc.dataset),
    output:
        table="results/{dataset}/validation/simulation.tsv",
    params:
        sim=lambda wc: simulated_dataset_params(wc.dataset),
        genome=lambda wc: config["genomes"][genome_of(wc.dataset)]["simulate"],
    log:
        "results/logs/validate_simulation/{dataset}.log",
    resources:
        mem_mb=3000,
        runtime=10,
    script:
        "../scripts/validate_simulation.py"


rule simulate:
    input:
        [simulated_fastqs(d) for d in SIMULATED_DATASETS],
        expand("results/{dataset}/validation/simulation.tsv", dataset=SIMULATED_DATASETS),
