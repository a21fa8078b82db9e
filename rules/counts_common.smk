# Path helpers of the stages after allele assignment (dedup, Tn5 shift, peaks, counts, tracks).
# Functions only (no rules); include after rules/common.smk, which defines config, UNITS and
# genome_of().


def dedup_bam(dataset, sample, allele):
    return f"results/{dataset}/dedup/{sample}.{allele}.bam"


def final_allele_bam(dataset, sample, allele):
    """The BAM that peaks, counts and tracks use: Tn5-shifted for ATAC, deduplicated otherwise."""
    if daw.tn5_shift(config, dataset):
        return f"results/{dataset}/shifted/{sample}.{allele}.bam"
    return dedup_bam(dataset, sample, allele)


def final_allele_bams(dataset):
    """Every sample's ref and alt final BAM of a dataset (samples in sheet order, ref first)."""
    return [final_allele_bam(dataset, s, a) for s in samples_of(dataset) for a in ("ref", "alt")]


def final_bams_by_sample(dataset):
    """{sample: {"ref": bam, "alt": bam}} of the final BAMs (the counting script's input)."""
    return {s: {a: final_allele_bam(dataset, s, a) for a in ("ref", "alt")} for s in samples_of(dataset)}


def track_bam(dataset, allele):
    """BAM behind an allele's coverage track: the sample's final BAM, or all samples pooled."""
    samples = samples_of(dataset)
    if len(samples) == 1:
        return final_allele_bam(dataset, samples[0], allele)
    return f"results/{dataset}/tracks/{allele}.pooled.bam"


def reference_fasta(dataset):
    return daw.genome_files(config, genome_of(dataset))["reference_fasta"]


def reference_fai(dataset):
    return reference_fasta(dataset) + ".fai"


def given_peaks(dataset):
    """The dataset's given peak set (config key 'peaks'), or None when MACS3 calls peaks."""
    return config["datasets"][dataset].get("peaks") or None


def blacklist_bed():
    """The configured blacklist BED (duplicates.blacklist), or None."""
    spec = config["duplicates"]["blacklist"]
    return daw.resource_path(config, spec) if spec else None


def marked_bam(output):
    """Picard's output in mark_duplicates: the final BAM, or an intermediate one when a
    blacklist follows."""
    return f"{output.bam}.marked.bam" if blacklist_bed() else output.bam


def counts_stage_targets(dataset):
    """Final outputs of the dedup/shift/peaks/counts/tracks stages of a dataset (a dataset
    imported from a count table has only its counts; one imported from the authors' HDF5, none)."""
    if ENTRY[dataset] == "count_table":
        return [f"results/{dataset}/counts/allele_counts.tsv"]
    if dataset not in BAM_DATASETS:
        return []
    return [
        f"results/{dataset}/peaks/peaks.bed",
        f"results/{dataset}/counts/allele_counts.tsv",
        f"results/{dataset}/counts/allele_counts_per_sample.tsv",
        *(f"results/{dataset}/tracks/{a}.bw" for a in ("ref", "alt")),
        *(
            f"results/{dataset}/dedup/{s}.{a}.metrics.txt"
            for s in samples_of(dataset)
            for a in ("ref", "alt")
        ),
    ]


# --- input functions of the rules


def mark_duplicates_input(wildcards):
    files = {
        "bam": f"results/{wildcards.dataset}/alleles/{wildcards.sample}.{wildcards.allele}.bam",
        "bai": f"results/{wildcards.dataset}/alleles/{wildcards.sample}.{wildcards.allele}.bam.bai",
    }
    if blacklist_bed():
        files["blacklist"] = blacklist_bed()
    return files


def peak_windows_input(wildcards):
    files = {"fai": reference_fai(wildcards.dataset)}
    if given_peaks(wildcards.dataset):
        files["given"] = given_peaks(wildcards.dataset)
    else:
        files["narrowpeak"] = f"results/{wildcards.dataset}/peaks/macs3/{wildcards.dataset}_peaks.narrowPeak"
    return files


def bigwig_input(wildcards):
    files = {"bam": track_bam(wildcards.dataset, wildcards.allele)}
    files["bai"] = files["bam"] + ".bai"
    if config["tracks"]["normalize"] == "RPGC":
        files["gsize"] = f"results/{wildcards.dataset}/peaks/effective_genome_size.txt"
    return files
