# Simulated F1 hybrid: genome + strain VCF (with every dataset's planted regions), then the
# fragments of each dataset, then one FASTQ pair per sequencing unit. The truth lands under
# .../truth/, apart from what the pipeline reads.


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
        # simulated_dir, derived from the output so it follows any --directory / prefix
        outdir=lambda wc, output: str(Path(output.fasta).parents[2]),
        genome=lambda wc: daw.canonical(config["genomes"][wc.genome]),
        datasets=lambda wc: daw.canonical(
            {d: simulated_dataset_params(d) for d in daw.datasets_on_genome(config, wc.genome)}
        ),
    conda:
        "../envs/python.yaml"
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
    wildcard_constraints:
        dataset="|".join(d for d in SIMULATED_DATASETS if d not in SCATAC_DATASETS) or "NONE",
    params:
        outdir=lambda wc, output: str(Path(output.sheet).parents[2]),
        sim=lambda wc: simulated_dataset_params(wc.dataset),
        assay=lambda wc: config["datasets"][wc.dataset]["assay"],
    conda:
        "../envs/python.yaml"
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
    wildcard_constraints:
        dataset="|".join(d for d in SIMULATED_DATASETS if d not in SCATAC_DATASETS) or "NONE",
    params:
        sim=lambda wc: simulated_dataset_params(wc.dataset),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/simulate_fastq/{dataset}/{sample}_{unit}.log",
    group:
        "simulate"
    benchmark:
        "results/benchmarks/jobs/simulate_fastq/{dataset}/{sample}_{unit}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    script:
        "../scripts/simulate_fastq.py"


# New SNVs inside planted motif sites of the held-out chromosomes, drawn from a finished
# simulation (its own outputs, so nothing above changes), with the simulator's true effect of
# each: the second VCF that score-variants is validated on (rules/score_variants.smk).
rule simulate_new_snvs:
    input:
        fasta=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/reference.fa",
        fai=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/reference.fa.fai",
        vcf=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/strain.vcf.gz",
        regions=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/truth/regions.tsv",
        sites=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/truth/sites.tsv",
    output:
        vcf=f"{SIM}/datasets/{{dataset}}/new_snvs.vcf.gz",
        tbi=f"{SIM}/datasets/{{dataset}}/new_snvs.vcf.gz.tbi",
        truth=f"{SIM}/datasets/{{dataset}}/truth/new_snvs.tsv",
    wildcard_constraints:
        dataset="|".join(SIMULATED_DATASETS) or "NONE",
    params:
        sim=lambda wc: simulated_dataset_params(wc.dataset),
        n=lambda wc: config["score_variants"]["new_snvs"]["n"],
        seed=lambda wc: config["score_variants"]["new_snvs"]["seed"],
        split=lambda wc: daw.canonical(config["split"]),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/simulate_new_snvs/{dataset}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/simulate_new_snvs.py"


rule validate_simulation:
    input:
        regions=f"{SIM}/datasets/{{dataset}}/truth/regions.tsv",
        variants=f"{SIM}/datasets/{{dataset}}/truth/variants.tsv",
        reads=f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz",
        summary=lambda wc: f"{SIM}/genomes/{genome_of(wc.dataset)}/truth/summary.tsv",
        fastqs=lambda wc: simulated_fastqs(wc.dataset),
        jaspar=JASPAR_MEME,
    output:
        table=report(
            "results/{dataset}/validation/simulation.tsv",
            caption="../report/tables/validation_simulation.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "simulation"},
        ),
    params:
        sim=lambda wc: simulated_dataset_params(wc.dataset),
        genome=lambda wc: daw.canonical(config["genomes"][genome_of(wc.dataset)]["simulate"]),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/validate_simulation/{dataset}.log",
    group:
        "qc"
    resources:
        mem_mb=3000,
        runtime=10,
    script:
        "../scripts/validate_simulation.py"


# A 10x-like scATAC dataset (deepallele.simulate.scatac): cells of two types, barcodes with
# sequencing errors on R2 (reverse-complement orientation), empty droplets, duplicates; the
# whitelist and the cell-type table the pipeline reads, and truth for cells, read barcodes,
# fragments and per-type allelic ratios.
rule simulate_sc_fragments:
    input:
        unpack(simulated_genome_files),
    output:
        sheet=f"{SIM}/datasets/{{dataset}}/samples.tsv",
        peaks=f"{SIM}/datasets/{{dataset}}/known_peaks.bed",
        whitelist=f"{SIM}/datasets/{{dataset}}/whitelist.txt.gz",
        cell_types=f"{SIM}/datasets/{{dataset}}/cell_types.tsv",
        regions=f"{SIM}/datasets/{{dataset}}/truth/regions.tsv",
        variants=f"{SIM}/datasets/{{dataset}}/truth/variants.tsv",
        sites=f"{SIM}/datasets/{{dataset}}/truth/sites.tsv",
        cells=f"{SIM}/datasets/{{dataset}}/truth/cells.tsv",
        truth_peaks=f"{SIM}/datasets/{{dataset}}/truth/peaks.tsv",
        fragments=f"{SIM}/datasets/{{dataset}}/truth/fragments.tsv.gz",
        reads=f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz",
    wildcard_constraints:
        dataset="|".join(d for d in SIMULATED_DATASETS if d in SCATAC_DATASETS) or "NONE",
    params:
        outdir=lambda wc, output: str(Path(output.sheet).parents[2]),
        sim=lambda wc: simulated_dataset_params(wc.dataset),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/simulate_sc_fragments/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/simulate_sc_fragments/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    script:
        "../scripts/simulate_sc_fragments.py"


rule simulate_sc_fastq:
    input:
        unpack(simulated_genome_files),
        sheet=f"{SIM}/datasets/{{dataset}}/samples.tsv",
        reads=f"{SIM}/datasets/{{dataset}}/truth/reads.tsv.gz",
        fragments=f"{SIM}/datasets/{{dataset}}/truth/fragments.tsv.gz",
    output:
        r1=f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_S1_{{unit}}_R1_001.fastq.gz",
        r2=f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_S1_{{unit}}_R2_001.fastq.gz",
        r3=f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_S1_{{unit}}_R3_001.fastq.gz",
        i1=f"{SIM}/datasets/{{dataset}}/reads/{{sample}}_S1_{{unit}}_I1_001.fastq.gz",
    wildcard_constraints:
        dataset="|".join(d for d in SIMULATED_DATASETS if d in SCATAC_DATASETS) or "NONE",
    params:
        outdir=lambda wc, output: str(Path(output.r1).parents[3]),
        sim=lambda wc: simulated_dataset_params(wc.dataset),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/simulate_sc_fastq/{dataset}/{sample}_{unit}.log",
    benchmark:
        "results/benchmarks/jobs/simulate_sc_fastq/{dataset}/{sample}_{unit}.tsv"
    threads: 1
    resources:
        mem_mb=3000,
        runtime=20,
    script:
        "../scripts/simulate_sc_fastq.py"


rule simulate:
    input:
        [simulated_fastqs(d) for d in TARGET_SIMULATED],
        expand(
            "results/{dataset}/validation/simulation.tsv",
            dataset=[d for d in TARGET_SIMULATED if d not in SCATAC_DATASETS],
        ),
