# Paired-allele datasets: per peak, the reference and strain sequences of the homologous
# region (through the pseudogenome's variant map), fixed length L, right-padded; targets
# ln(1+count) per allele and their difference; chromosome split; one HDF5 per dataset.
# For simulated datasets, a validation table against the simulator's truth.


rule paired_dataset:
    input:
        unpack(paired_dataset_input),
    output:
        h5=PAIRS_H5,
        summary=PAIRS_SUMMARY,
    wildcard_constraints:
        dataset="|".join(d for d in DATASETS if d not in AUTHORS_H5_DATASETS) or "NONE",
    params:
        length=lambda wc: daw.sequence_length(config, wc.dataset),
        window=lambda wc: daw.window_length(config, wc.dataset),
        scheme=config["split"]["scheme"],
        val=config["split"]["val"],
        test=config["split"]["test"],
        names=lambda wc: genome_names(wc.dataset),
        sample=lambda wc: vcf_sample(wc.dataset),
    log:
        "results/logs/paired_dataset/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/paired_dataset/{dataset}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    script:
        "../scripts/paired_dataset.py"


rule validate_dataset:
    input:
        unpack(validate_dataset_input),
    output:
        table=report(
            VALIDATION_DATASET,
            caption="../report/tables/validation_dataset.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "dataset"},
        ),
    wildcard_constraints:
        dataset="|".join(SIMULATED_DATASETS) or "NONE",
    log:
        "results/logs/validate_dataset/{dataset}.log",
    group:
        "qc"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/validate_dataset.py"
