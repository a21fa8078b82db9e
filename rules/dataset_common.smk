# Helpers of the paired-allele dataset stage (rules/dataset.smk). Functions only, no rules.


def pairs_h5(dataset):
    """The dataset's paired-allele HDF5 (sequences, targets, split, variant table)."""
    return fill(PAIRS_H5, dataset=dataset)


def paired_dataset_input(wildcards):
    """Counts table, both genomes, the chain and the strain VCF (+ index) of a dataset."""
    ds = wildcards.dataset
    g = genome_of(ds)
    files = {
        "counts": fill(COUNTS, dataset=ds),
        "reference": reference_fasta(ds),
        "reference_fai": reference_fai(ds),
        **strain_genome_files(g),
        "vcf": daw.genome_files(config, g)["strain_vcf"],
    }
    index = strain_vcf_index(g)
    if index:
        files["vcf_index"] = index
    return files


def validate_dataset_input(wildcards):
    """The dataset, its sources and the simulator's truth (simulated datasets only)."""
    ds = wildcards.dataset
    g = genome_of(ds)
    return {
        "h5": pairs_h5(ds),
        "counts": fill(COUNTS, dataset=ds),
        "reference": reference_fasta(ds),
        "vcf": daw.genome_files(config, g)["strain_vcf"],
        "truth_strain": fill(SIM_GENOME_TRUTH_STRAIN, genome=g),
        "truth_strain_fai": fill(SIM_GENOME_TRUTH_STRAIN, genome=g) + ".fai",
        "truth_regions": fill(SIM_TRUTH_REGIONS, dataset=ds),
        "truth_variants": fill(SIM_TRUTH_VARIANTS, dataset=ds),
    }


def dataset_stage_targets(dataset):
    """Final outputs of the dataset stage of a dataset (validation for simulated ones)."""
    targets = [pairs_h5(dataset), fill(PAIRS_SUMMARY, dataset=dataset)]
    if dataset in SIMULATED_DATASETS:
        targets.append(fill(VALIDATION_DATASET, dataset=dataset))
    return targets
