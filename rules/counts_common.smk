# Path helpers of the stages after allele assignment (dedup, Tn5 shift, peaks, counts, tracks).
# Functions only (no rules); include after rules/common.smk, which defines config, UNITS and
# genome_of().
import shlex

from deepallele.reads.peaks import configured_genome_size


def dedup_bam(dataset, sample, allele):
    return f"results/{dataset}/dedup/{sample}.{allele}.bam"


def final_allele_bam(dataset, sample, allele):
    """The BAM that peaks, counts and tracks use: Tn5-shifted for ATAC, deduplicated otherwise."""
    if daw.tn5_shift(config, dataset):
        return f"results/{dataset}/shifted/{sample}.{allele}.bam"
    return dedup_bam(dataset, sample, allele)


def control_samples(dataset):
    """Samples of a dataset that another sample names in the sheet's 'control' column (input
    libraries: through the read stages, then to MACS3 as -c; never counted), in sheet order."""
    units = units_of(dataset)
    named = set(units["control"]) - {""} if "control" in units else set()
    return [s for s in samples_of(dataset) if s in named]


def counted_samples(dataset):
    """Samples whose fragments are counted, tracked and given to MACS3 as -t: all but the controls."""
    controls = set(control_samples(dataset))
    return [s for s in samples_of(dataset) if s not in controls]


def final_allele_bams(dataset, samples=None):
    """Ref and alt final BAM of each counted sample of a dataset (or of ``samples``; sheet
    order, ref first)."""
    samples = counted_samples(dataset) if samples is None else samples
    return [final_allele_bam(dataset, s, a) for s in samples for a in ("ref", "alt")]


def final_bams_by_sample(dataset):
    """{sample: {"ref": bam, "alt": bam}} of the counted samples' final BAMs (the counting
    script's input)."""
    return {s: {a: final_allele_bam(dataset, s, a) for a in ("ref", "alt")} for s in counted_samples(dataset)}


def track_bam(dataset, allele):
    """BAM behind an allele's coverage track: the sample's final BAM, or all counted samples pooled."""
    samples = counted_samples(dataset)
    if len(samples) == 1:
        return final_allele_bam(dataset, samples[0], allele)
    return f"results/{dataset}/tracks/{allele}.pooled.bam"


def reference_fasta(dataset):
    return daw.genome_files(config, genome_of(dataset))["reference_fasta"]


def reference_fai(dataset):
    return reference_fasta(dataset) + ".fai"


def given_peaks(dataset):
    """The dataset's given peak set (config key 'peaks'; a simulated scATAC dataset: the
    simulator's regions), or None when MACS3 calls peaks."""
    given = config["datasets"][dataset].get("peaks")
    if not given and dataset in SCATAC_DATASETS and dataset in SIMULATED_DATASETS:
        return f"{SIM}/datasets/{dataset}/known_peaks.bed"
    return given or None


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
    if dataset in SCATAC_DATASETS:
        return scatac_counts_targets(dataset)
    if dataset not in BAM_DATASETS:
        return []
    return [
        f"results/{dataset}/peaks/peaks.bed",
        f"results/{dataset}/counts/allele_counts.tsv",
        f"results/{dataset}/counts/allele_counts_per_sample.tsv",
        *(f"results/{dataset}/tracks/{a}.bw" for a in ("ref", "alt")),
        *(f"results/{dataset}/dedup/{s}.{a}.metrics.txt" for s in counted_samples(dataset) for a in ("ref", "alt")),
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


def effective_genome_size_input(wildcards):
    """The reference FASTA whose non-N bases are counted; nothing when peaks.genome_size is set."""
    if configured_genome_size(config["peaks"]["genome_size"]) is not None:
        return {}
    return {"fasta": reference_fasta(wildcards.dataset), "fai": reference_fai(wildcards.dataset)}


def call_peaks_input(wildcards):
    """MACS3's treatment BAMs (counted samples) and control BAMs (control samples), indexes and
    the effective genome size."""
    ds = wildcards.dataset
    files = {
        "bams": final_allele_bams(ds),
        "gsize": f"results/{ds}/peaks/effective_genome_size.txt",
    }
    files["bais"] = [f"{b}.bai" for b in files["bams"]]
    controls = final_allele_bams(ds, control_samples(ds))
    if controls:
        files["controls"] = controls
        files["control_bais"] = [f"{b}.bai" for b in controls]
    return files


def macs3_control_option(input):
    """``-c <control BAMs>`` for macs3 callpeak when the dataset has control samples, else ''."""
    if "controls" not in input.keys():
        return ""
    return "-c " + " ".join(shlex.quote(str(b)) for b in input.controls)


def bigwig_input(wildcards):
    files = {"bam": track_bam(wildcards.dataset, wildcards.allele)}
    files["bai"] = files["bam"] + ".bai"
    if config["tracks"]["normalize"] == "RPGC":
        files["gsize"] = f"results/{wildcards.dataset}/peaks/effective_genome_size.txt"
    return files
