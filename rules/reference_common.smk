# Helpers of the genome stages (rules/resources.smk, rules/reference.smk) and of everything that
# reads a genome: the reference (simulated or prepared, daw.genome_files), the strain VCF, the
# pseudogenome, the parental strains' names. Functions only, no rules.


def genome_inputs(wildcards):
    """Reference FASTA (+ index) and strain VCF of a genome, simulated or given."""
    files = daw.genome_files(config, wildcards.genome)
    return {
        "reference": files["reference_fasta"],
        "vcf": files["strain_vcf"],
    }


def genome_fasta(wildcards):
    """FASTA of one side of a genome: the reference as given, or the built pseudogenome."""
    if wildcards.side == "ref":
        return daw.genome_files(config, wildcards.genome)["reference_fasta"]
    return fill(STRAIN_FASTA, genome=wildcards.genome)


def reference_fasta(dataset):
    return daw.genome_files(config, genome_of(dataset))["reference_fasta"]


def reference_fai(dataset):
    return reference_fasta(dataset) + ".fai"


def strain_vcf_index(genome):
    """Index of a genome's strain VCF (.tbi or .csi), or None (plain VCF: read whole).

    A simulated genome's VCF gets its .tbi from rule simulate_genome; a given VCF's index
    must already exist (the config check asks for it next to a .gz VCF).
    """
    return daw.genome_files(config, genome)["strain_vcf"] + ".tbi"


def strain_genome_files(genome):
    """The pseudogenome FASTA, its index and its ref -> strain chain (rule pseudogenome)."""
    return {
        "strain": fill(STRAIN_FASTA, genome=genome),
        "strain_fai": fill(STRAIN_FASTA, genome=genome) + ".fai",
        "chain": fill(STRAIN_CHAIN, genome=genome),
    }


def genome_names(dataset):
    """{'reference': ..., 'strain': ...}: the two parental strains' names of a dataset."""
    g = config["genomes"][genome_of(dataset)]
    return {"reference": g.get("reference_name", "B6"), "strain": g.get("strain_name", "CAST")}


def vcf_sample(dataset):
    """The VCF sample whose genotypes the pseudogenome applied (None: the only one)."""
    return config["genomes"][genome_of(dataset)].get("vcf_sample")
