# Path helpers and input functions of the paired-allele dataset stage (rules/dataset.smk).
# Functions only (no rules); include after rules/common.smk (config, daw, SIM, genome_of,
# SIMULATED_DATASETS) and rules/counts_common.smk (reference_fasta, reference_fai).


def pairs_h5(dataset):
    """The dataset's paired-allele HDF5 (sequences, targets, split, variant table)."""
    return f"results/{dataset}/data/pairs.h5"


def strain_vcf_index(genome):
    """Index of a genome's strain VCF (.tbi or .csi), or None (plain VCF: read whole).

    A simulated genome's VCF gets its .tbi from rule simulate_genome; a given VCF's index
    must already exist (the config check asks for it next to a .gz VCF).
    """
    return daw.genome_files(config, genome)["strain_vcf"] + ".tbi"


def strain_genome_files(genome):
    """The pseudogenome FASTA, its index and its ref -> strain chain (rule pseudogenome)."""
    base = f"resources/genomes/{genome}"
    return {
        "strain": f"{base}/strain.fa",
        "strain_fai": f"{base}/strain.fa.fai",
        "chain": f"{base}/ref_to_strain.chain",
    }


def paired_dataset_input(wildcards):
    """Counts table, both genomes, the chain and the strain VCF (+ index) of a dataset."""
    ds = wildcards.dataset
    g = genome_of(ds)
    files = {
        "counts": f"results/{ds}/counts/allele_counts.tsv",
        "reference": reference_fasta(ds),
        "reference_fai": reference_fai(ds),
        **strain_genome_files(g),
        "vcf": daw.genome_files(config, g)["strain_vcf"],
    }
    index = strain_vcf_index(g)
    if index:
        files["vcf_index"] = index
    return files


def genome_names(dataset):
    """{'reference': ..., 'strain': ...}: the two parental strains' names of a dataset."""
    g = config["genomes"][genome_of(dataset)]
    return {"reference": g.get("reference_name", "B6"), "strain": g.get("strain_name", "CAST")}


def vcf_sample(dataset):
    """The VCF sample whose genotypes the pseudogenome applied (None: the only one)."""
    return config["genomes"][genome_of(dataset)].get("vcf_sample")


def validate_dataset_input(wildcards):
    """The dataset, its sources and the simulator's truth (simulated datasets only)."""
    ds = wildcards.dataset
    g = genome_of(ds)
    return {
        "h5": pairs_h5(ds),
        "counts": f"results/{ds}/counts/allele_counts.tsv",
        "reference": reference_fasta(ds),
        "vcf": daw.genome_files(config, g)["strain_vcf"],
        "truth_strain": f"{SIM}/genomes/{g}/truth/strain.fa",
        "truth_strain_fai": f"{SIM}/genomes/{g}/truth/strain.fa.fai",
        "truth_regions": f"{SIM}/datasets/{ds}/truth/regions.tsv",
        "truth_variants": f"{SIM}/datasets/{ds}/truth/variants.tsv",
    }


def dataset_stage_targets(dataset):
    """Final outputs of the dataset stage of a dataset (validation for simulated ones)."""
    targets = [pairs_h5(dataset), f"results/{dataset}/data/pairs_summary.tsv"]
    if dataset in SIMULATED_DATASETS:
        targets.append(f"results/{dataset}/validation/dataset.tsv")
    return targets
