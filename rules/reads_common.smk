# Input functions and path helpers of the read stages (SRA download, unit merging, trimming).
# Functions only, no rules; included after common.smk, whose UNITS (per dataset, one row per
# sequencing unit, indexed by (sample, unit), in sample-sheet order), samples_of() and
# trimmed_reads() they use.

TRIM_ADAPTER_OPTIONS = {
    "auto": "",
    "illumina": "--illumina",
    "nextera": "--nextera",
    "small_rna": "--small_rna",
}


def sra_fastq_pair(accession):
    """The gzipped FASTQ pair that rule sra_fastq dumps from an SRA run."""
    return (f"resources/sra/{accession}_1.fastq.gz", f"resources/sra/{accession}_2.fastq.gz")


def unit_fastqs(dataset, sample):
    """FASTQ pair of each unit of a sample, in sample-sheet order (the order they are merged in).

    A unit given as an SRA run accession gets the FASTQ pair dumped from it under
    resources/sra/; a unit given as files keeps its paths (absolute or workdir-relative).
    """
    units = units_of(dataset)
    rows = units[units["sample"] == sample]
    if rows.empty:
        raise WorkflowError(f"dataset '{dataset}' has no sample '{sample}' (samples: {', '.join(samples_of(dataset))})")
    if dataset in SCATAC_DATASETS:
        # the genomic mates with each read's cell barcode in its header (rule sc_barcodes)
        return [barcoded_fastq_pair(dataset, sample, u.unit) for u in rows.itertuples(index=False)]
    return [sra_fastq_pair(u.sra) if u.sra else (u.fastq_1, u.fastq_2) for u in rows.itertuples(index=False)]


def bowtie2_options(dataset):
    """The configured bowtie2 options. scATAC has its own (end-to-end) and adds
    --sam-append-comment, which turns the cell barcode written into each read's header (rule
    sc_barcodes) into a CB tag on both mates."""
    if dataset not in SCATAC_DATASETS:
        return config["alignment"]["bowtie2"]
    options = scatac_setting(dataset, "bowtie2")
    if scatac_setting(dataset, "barcode_correction") != "none":
        options = f"{options} --sam-append-comment"
    return options


def allele_split_min_mapq(dataset):
    """MAPQ both mates need on each genome in the allele split (scATAC: its split_min_mapq)."""
    if dataset in SCATAC_DATASETS:
        return scatac_setting(dataset, "split_min_mapq")
    return config["alignment"]["min_mapq"]


def merge_units_input(wildcards):
    """All unit FASTQs of a sample, flat: R1 and R2 of the first unit, then of the next..."""
    return [f for pair in unit_fastqs(wildcards.dataset, wildcards.sample) for f in pair]


def merge_units_labels(wildcards):
    """'unit' or 'unit (SRR...)' of each unit of a sample, in merge order, for the log."""
    units = units_of(wildcards.dataset)
    rows = units[units["sample"] == wildcards.sample]
    return [f"{u.unit} ({u.sra})" if u.sra else u.unit for u in rows.itertuples(index=False)]


def trim_adapter_option():
    """trim_galore's adapter option for config trimming.adapter ('' lets it auto-detect)."""
    return TRIM_ADAPTER_OPTIONS[config["trimming"]["adapter"]]


def trimming_reports(dataset, sample):
    """trim_galore's reports of a sample (kept for QC)."""
    return [f"results/{dataset}/trimmed/{sample}_R{m}.trimming_report.txt" for m in (1, 2)]


def trimming_targets(dataset):
    """Trimmed FASTQ pairs (see trimmed_reads) and trimming reports of every sample of a dataset."""
    return [
        f
        for s in samples_of(dataset)
        for f in [
            f"results/{dataset}/trimmed/{s}_R1.fastq.gz",
            f"results/{dataset}/trimmed/{s}_R2.fastq.gz",
            *trimming_reports(dataset, s),
        ]
    ]
