# Input functions and target helpers of the QC report stage (rules/multiqc.smk): FastQC,
# samtools stats/flagstat/idxstats, MultiQC. Functions only, no rules; include after
# rules/common.smk, reads_common.smk and counts_common.smk, whose helpers they use.

SOFTWARE_VERSIONS = "results/software_versions.tsv"


def unit_fastq_pair(dataset, sample, unit):
    """The raw FASTQ pair of one sequencing unit (as given, or dumped from its SRA run)."""
    units = units_of(dataset)
    rows = units[(units["sample"] == sample) & (units["unit"] == unit)]
    if rows.empty:
        raise WorkflowError(f"dataset '{dataset}' has no unit '{unit}' of sample '{sample}'")
    u = rows.iloc[0]
    return sra_fastq_pair(u["sra"]) if u["sra"] else (u["fastq_1"], u["fastq_2"])


def fastqc_raw_files(dataset):
    """FastQC zips of the raw reads of a dataset: per unit (lane, SRA run) and mate."""
    units = units_of(dataset)
    return [
        f"results/{dataset}/qc/fastqc/raw/{u.sample}/{u.sample}.{u.unit}_R{m}_fastqc.zip"
        for u in units.itertuples(index=False)
        for m in (1, 2)
    ]


def fastqc_trimmed_files(dataset):
    """FastQC zips of the trimmed reads of a dataset: per sample and mate."""
    return [f"results/{dataset}/qc/fastqc/trimmed/{s}_R{m}_fastqc.zip" for s in samples_of(dataset) for m in (1, 2)]


def genome_stats_files(dataset):
    """samtools stats + flagstat of the raw per-genome alignments, and the bowtie2 logs."""
    return [
        f"results/{dataset}/qc/{tool}/{s}.genome_{side}.{ext}"
        for s in samples_of(dataset)
        for side in ("ref", "strain")
        for tool, ext in (("samtools", "stats.txt"), ("samtools", "flagstat.txt"), ("bowtie2", "bowtie2.log"))
    ]


def allele_stats_file(dataset, sample, allele, ext="stats.txt"):
    """samtools output of an allele BAM after duplicate removal (named <sample>.<allele>, as
    Picard's metrics are in MultiQC)."""
    return f"results/{dataset}/qc/samtools/{sample}.{allele}.{ext}"


def allele_stats_files(dataset):
    """samtools stats, flagstat and idxstats of every sample's deduplicated allele BAMs."""
    return [
        allele_stats_file(dataset, s, a, ext)
        for s in samples_of(dataset)
        for a in ("ref", "alt")
        for ext in ("stats.txt", "flagstat.txt", "idxstats.txt")
    ]


def multiqc_custom_input(wildcards):
    """What the custom content is made from: the per-sample counts, the deduplicated allele
    BAMs' samtools stats, the Tn5 summaries (shifted datasets), the software versions and, for
    datasets with reads, the inputs of the read QC table (rule reads_qc), whose funnel is
    rebuilt by the same code (deepallele.reads.qc.sample_qc) rather than read from
    qc/reads_qc.tsv, so that a plot-only change to reads_qc does not rerun MultiQC."""
    ds = wildcards.dataset
    files = {
        "counts_per_sample": f"results/{ds}/counts/allele_counts_per_sample.tsv",
        "fragment_stats": [allele_stats_file(ds, s, a) for s in samples_of(ds) for a in ("ref", "alt")],
        "versions": SOFTWARE_VERSIONS,
    }
    if ds in READ_DATASETS:
        files.update(reads_qc_inputs(wildcards))
    if daw.tn5_shift(config, ds):
        files["tn5"] = [f"results/{ds}/shifted/{s}.{a}.shift.json" for s in samples_of(ds) for a in ("ref", "alt")]
    return files


def multiqc_input(wildcards):
    """Every file MultiQC reads for a dataset: the tools' outputs and our custom content."""
    ds = wildcards.dataset
    files = {
        "custom": f"results/{ds}/qc/multiqc_custom",
        "samtools": allele_stats_files(ds),
        "picard": [f"results/{ds}/dedup/{s}.{a}.metrics.txt" for s in samples_of(ds) for a in ("ref", "alt")],
    }
    if ds in READ_DATASETS:
        files["fastqc"] = fastqc_raw_files(ds) + fastqc_trimmed_files(ds)
        files["trimming"] = [r for s in samples_of(ds) for r in trimming_reports(ds, s)]
        files["genome"] = genome_stats_files(ds)
    if not given_peaks(ds):
        files["macs"] = f"results/{ds}/peaks/macs3/{ds}_peaks.xls"
    return files


def multiqc_targets(dataset):
    """The MultiQC report of a dataset with per-allele BAMs (from reads or given); none for a
    dataset imported from a count table or the authors' HDF5."""
    if dataset not in BAM_DATASETS:
        return []
    return [f"results/{dataset}/qc/multiqc/multiqc_report.html"]
