# Helpers of the stages after allele assignment (rules/dedup.smk, rules/atac.smk, rules/peaks.smk,
# rules/counts.smk): which BAM each sample's reads end in, controls, peaks, counts. Functions only,
# no rules.
import shlex

from deepallele.reads.peaks import configured_genome_size


def dedup_bam(dataset, sample, allele):
    return fill(DEDUP_BAM, dataset=dataset, sample=sample, allele=allele)


def final_allele_bam(dataset, sample, allele):
    """The BAM that peaks, counts and tracks use: Tn5-shifted for ATAC, deduplicated otherwise."""
    if daw.tn5_shift(config, dataset):
        return fill(SHIFTED_BAM, dataset=dataset, sample=sample, allele=allele)
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
    return fill(POOLED_BAM, dataset=dataset, allele=allele)


def given_peaks(dataset):
    """The dataset's given peak set (config key 'peaks'; a simulated scATAC dataset: the
    simulator's regions), or None when MACS3 calls peaks."""
    given = config["datasets"][dataset].get("peaks")
    if not given and dataset in SCATAC_DATASETS and dataset in SIMULATED_DATASETS:
        return fill(SIM_KNOWN_PEAKS, dataset=dataset)
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
        return [fill(COUNTS, dataset=dataset)]
    if dataset in SCATAC_DATASETS:
        return scatac_counts_targets(dataset)
    if dataset not in BAM_DATASETS:
        return []
    return [
        fill(PEAKS, dataset=dataset),
        fill(COUNTS, dataset=dataset),
        fill(COUNTS_PER_SAMPLE, dataset=dataset),
        *(fill(TRACK, dataset=dataset, allele=a) for a in ("ref", "alt")),
        *dedup_metrics(dataset, counted_samples(dataset)),
    ]


def dedup_metrics(dataset, samples):
    """Picard's duplicate metrics of the ref and alt BAM of each of ``samples`` (rule mark_duplicates)."""
    return [fill(DEDUP_METRICS, dataset=dataset, sample=s, allele=a) for s in samples for a in ("ref", "alt")]


# --- input functions of the rules


def mark_duplicates_input(wildcards):
    bam = fill(ALLELE_BAM, dataset=wildcards.dataset, sample=wildcards.sample, allele=wildcards.allele)
    files = {"bam": bam, "bai": f"{bam}.bai"}
    if blacklist_bed():
        files["blacklist"] = blacklist_bed()
    return files


def peak_windows_input(wildcards):
    files = {"fai": reference_fai(wildcards.dataset)}
    if given_peaks(wildcards.dataset):
        files["given"] = given_peaks(wildcards.dataset)
    else:
        files["narrowpeak"] = fill(MACS3_NARROWPEAK, dataset=wildcards.dataset)
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
        "gsize": fill(GENOME_SIZE, dataset=ds),
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
        files["gsize"] = fill(GENOME_SIZE, dataset=wildcards.dataset)
    return files
