# Helpers of the QC stages (rules/qc.smk: read QC, validation of the read stages, their
# benchmark; rules/multiqc.smk: FastQC, samtools stats/flagstat/idxstats, MultiQC). Functions
# only, no rules.


def reads_qc_inputs(wildcards):
    ds, samples = wildcards.dataset, samples_of(wildcards.dataset)
    return {
        "trim_r1": [fill(TRIMMING_REPORT, dataset=ds, sample=s, mate=1) for s in samples],
        "trim_r2": [fill(TRIMMING_REPORT, dataset=ds, sample=s, mate=2) for s in samples],
        "split": split_summaries(ds),
        "dedup_ref": [fill(DEDUP_METRICS, dataset=ds, sample=s, allele="ref") for s in samples],
        "dedup_alt": [fill(DEDUP_METRICS, dataset=ds, sample=s, allele="alt") for s in samples],
        "counts_per_sample": fill(COUNTS_PER_SAMPLE, dataset=ds),
    }


def reads_qc_files(dataset, exts=("tsv", "png", "pdf")):
    """The read QC table and plots of a dataset (rule reads_qc)."""
    return [fill(READS_QC, dataset=dataset, ext=ext) for ext in exts]


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
        fill(FASTQC_RAW, dataset=dataset, sample=u.sample, unit=u.unit, mate=m, ext="zip")
        for u in units.itertuples(index=False)
        for m in (1, 2)
    ]


def fastqc_trimmed_files(dataset):
    """FastQC zips of the trimmed reads of a dataset: per sample and mate."""
    return [
        fill(FASTQC_TRIMMED, dataset=dataset, sample=s, mate=m, ext="zip") for s in samples_of(dataset) for m in (1, 2)
    ]


def genome_stats_files(dataset):
    """samtools stats + flagstat of the raw per-genome alignments, and the bowtie2 logs."""
    return [
        f
        for s in samples_of(dataset)
        for side in ("ref", "strain")
        for f in (
            fill(GENOME_ALIGNMENT_STATS, dataset=dataset, sample=s, side=side, ext="stats.txt"),
            fill(GENOME_ALIGNMENT_STATS, dataset=dataset, sample=s, side=side, ext="flagstat.txt"),
            fill(GENOME_ALIGNMENT_BOWTIE2_LOG, dataset=dataset, sample=s, side=side),
        )
    ]


def allele_stats_file(dataset, sample, allele, ext="stats.txt"):
    """samtools output of an allele BAM after duplicate removal (named <sample>.<allele>, as
    Picard's metrics are in MultiQC)."""
    return fill(ALLELE_BAM_STATS, dataset=dataset, sample=sample, allele=allele, ext=ext)


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
        "counts_per_sample": fill(COUNTS_PER_SAMPLE, dataset=ds),
        "fragment_stats": [allele_stats_file(ds, s, a) for s in samples_of(ds) for a in ("ref", "alt")],
        "versions": SOFTWARE_VERSIONS,
    }
    if ds in READ_DATASETS:
        files.update(reads_qc_inputs(wildcards))
    if daw.tn5_shift(config, ds):
        files["tn5"] = [
            fill(SHIFT_SUMMARY, dataset=ds, sample=s, allele=a) for s in samples_of(ds) for a in ("ref", "alt")
        ]
    return files


def multiqc_input(wildcards):
    """Every file MultiQC reads for a dataset: the tools' outputs and our custom content."""
    ds = wildcards.dataset
    files = {
        "custom": fill(MULTIQC_CUSTOM, dataset=ds),
        "samtools": allele_stats_files(ds),
        "picard": dedup_metrics(ds, samples_of(ds)),
    }
    if ds in READ_DATASETS:
        files["fastqc"] = fastqc_raw_files(ds) + fastqc_trimmed_files(ds)
        files["trimming"] = [r for s in samples_of(ds) for r in trimming_reports(ds, s)]
        files["genome"] = genome_stats_files(ds)
    if not given_peaks(ds):
        files["macs"] = fill(MACS3_XLS, dataset=ds)
    return files


def multiqc_targets(dataset):
    """The MultiQC report of a dataset with per-allele BAMs (from reads or given); none for a
    dataset imported from a count table or the authors' HDF5."""
    if dataset not in BAM_DATASETS:
        return []
    return [fill(MULTIQC_REPORT, dataset=dataset)]
