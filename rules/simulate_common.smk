# Helpers of the simulation stage (rules/simulate.smk): each simulated dataset's parameters, the
# genome files its fragments are drawn from, and its FASTQs. Functions only, no rules.


def simulated_dataset_params(dataset):
    from deepallele.simulate.run import dataset_params

    d = config["datasets"][dataset]
    return daw.canonical(dataset_params(d["assay"], d["simulate"]))


def simulated_genome_files(wildcards):
    """The simulated genome of a dataset: reference, strain VCF, and the true strain genome and regions."""
    g = genome_of(wildcards.dataset)
    return {
        "fasta": fill(SIM_REFERENCE, genome=g),
        "vcf": fill(SIM_STRAIN_VCF, genome=g),
        "strain": fill(SIM_GENOME_TRUTH_STRAIN, genome=g),
        "regions": fill(SIM_GENOME_TRUTH_REGIONS, genome=g),
    }


def simulated_fastqs(dataset):
    """Every FASTQ of a simulated dataset's units (the sample sheet's, as daw.dataset_units derives them)."""
    return [f for _, u in units_of(dataset).iterrows() for f in (u["fastq_1"], u["fastq_2"])]
