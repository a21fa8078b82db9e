# Simulated F1 hybrid: genome + strain VCF (with every dataset's planted regions), then the
# fragments of each dataset, then one FASTQ pair per sequencing unit. The truth lands under
# .../truth/, apart from what the pipeline reads.


rule simulate_genome:
    output:
        fasta=SIM_REFERENCE,
        fai=f"{SIM_REFERENCE}.fai",
        vcf=SIM_STRAIN_VCF,
        tbi=f"{SIM_STRAIN_VCF}.tbi",
        strain=SIM_GENOME_TRUTH_STRAIN,
        strain_fai=f"{SIM_GENOME_TRUTH_STRAIN}.fai",
        regions=SIM_GENOME_TRUTH_REGIONS,
        variants=SIM_GENOME_TRUTH_VARIANTS,
        sites=SIM_GENOME_TRUTH_SITES,
        summary=SIM_GENOME_TRUTH_SUMMARY,
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
        sheet=SIM_SAMPLE_SHEET,
        peaks=SIM_KNOWN_PEAKS,
        regions=SIM_TRUTH_REGIONS,
        variants=SIM_TRUTH_VARIANTS,
        sites=SIM_TRUTH_SITES,
        reads=SIM_TRUTH_READS,
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
        reads=SIM_TRUTH_READS,
    output:
        fastq_1=fill(SIM_FASTQ, mate=1),
        fastq_2=fill(SIM_FASTQ, mate=2),
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
        fasta=lambda wc: fill(SIM_REFERENCE, genome=genome_of(wc.dataset)),
        fai=lambda wc: fill(SIM_REFERENCE, genome=genome_of(wc.dataset)) + ".fai",
        vcf=lambda wc: fill(SIM_STRAIN_VCF, genome=genome_of(wc.dataset)),
        regions=lambda wc: fill(SIM_GENOME_TRUTH_REGIONS, genome=genome_of(wc.dataset)),
        sites=lambda wc: fill(SIM_GENOME_TRUTH_SITES, genome=genome_of(wc.dataset)),
    output:
        vcf=SIM_NEW_SNVS,
        tbi=f"{SIM_NEW_SNVS}.tbi",
        truth=SIM_TRUTH_NEW_SNVS,
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
        regions=SIM_TRUTH_REGIONS,
        variants=SIM_TRUTH_VARIANTS,
        reads=SIM_TRUTH_READS,
        summary=lambda wc: fill(SIM_GENOME_TRUTH_SUMMARY, genome=genome_of(wc.dataset)),
        fastqs=lambda wc: simulated_fastqs(wc.dataset),
        jaspar=JASPAR_MEME,
    output:
        table=report(
            VALIDATION_SIMULATION,
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
        sheet=SIM_SAMPLE_SHEET,
        peaks=SIM_KNOWN_PEAKS,
        whitelist=SIM_SC_WHITELIST,
        cell_types=SIM_SC_CELL_TYPES,
        regions=SIM_TRUTH_REGIONS,
        variants=SIM_TRUTH_VARIANTS,
        sites=SIM_TRUTH_SITES,
        cells=SIM_TRUTH_CELLS,
        truth_peaks=SIM_TRUTH_PEAKS,
        fragments=SIM_TRUTH_FRAGMENTS,
        reads=SIM_TRUTH_READS,
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
        sheet=SIM_SAMPLE_SHEET,
        reads=SIM_TRUTH_READS,
        fragments=SIM_TRUTH_FRAGMENTS,
    output:
        r1=fill(SIM_SC_FASTQ, read="R1"),
        r2=fill(SIM_SC_FASTQ, read="R2"),
        r3=fill(SIM_SC_FASTQ, read="R3"),
        i1=fill(SIM_SC_FASTQ, read="I1"),
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
        expand(VALIDATION_SIMULATION, dataset=[d for d in TARGET_SIMULATED if d not in SCATAC_DATASETS]),
