# Helpers of the read stages (rules/resources.smk's run downloads, rules/sra.smk, rules/trim.smk,
# rules/align.smk, rules/alleles.smk): where each unit's FASTQs come from, trimming and alignment
# options. Functions and constants only, no rules. A dataset's units (units_of) are one row per
# sequencing unit, indexed by (sample, unit), in sample-sheet order.

TRIM_ADAPTER_OPTIONS = {
    "auto": "",
    "illumina": "--illumina",
    "nextera": "--nextera",
    "small_rna": "--small_rna",
}


def run_table_of(run):
    """The run table that lists a run (input of download_run); a table still to be resolved is
    resolved first (checkpoint), so a run's FASTQ is a valid target on its own."""
    for ds in DATASETS:
        if not daw.needs_runs(config, ds):
            continue
        if ds in PENDING_DATASETS:
            checkpoints.resolve_runs.get(dataset=ds)
        if run in set(units_of(ds)["unit"]):
            return daw.runs_table_path(config, ds)
    raise WorkflowError(f"run {run} is in no dataset's run table")


def sra_fastq_pair(accession):
    """The gzipped FASTQ pair that rule sra_fastq dumps from an SRA run."""
    return tuple(fill(SRA_FASTQ, accession=accession, mate=m) for m in (1, 2))


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


def trimmed_reads(wildcards):
    """The trimmed FASTQ pair of a sample, {"r1": ..., "r2": ...}, from rule trim_galore."""
    return {f"r{m}": fill(TRIMMED_FASTQ, dataset=wildcards.dataset, sample=wildcards.sample, mate=m) for m in (1, 2)}


def trimming_reports(dataset, sample):
    """trim_galore's reports of a sample (kept for QC)."""
    return [fill(TRIMMING_REPORT, dataset=dataset, sample=sample, mate=m) for m in (1, 2)]


def trimming_targets(dataset):
    """Trimmed FASTQ pairs (see trimmed_reads) and trimming reports of every sample of a dataset."""
    return [
        f
        for s in samples_of(dataset)
        for f in [
            *(fill(TRIMMED_FASTQ, dataset=dataset, sample=s, mate=m) for m in (1, 2)),
            *trimming_reports(dataset, s),
        ]
    ]


def bowtie2_index_prefix(dataset, side):
    """The bowtie2 index (prefix) of one side of a dataset's genome (rule bowtie2_index)."""
    return fill(BOWTIE2_INDEX, genome=genome_of(dataset), side=side)


def bowtie2_index_files(wildcards):
    prefix = bowtie2_index_prefix(wildcards.dataset, wildcards.side)
    return [prefix + ext for ext in BOWTIE2_INDEX_EXTS]


def split_summaries(dataset):
    """The allele split's summary of every sample of a dataset (rule split_alleles)."""
    return [fill(SPLIT_SUMMARY, dataset=dataset, sample=s) for s in samples_of(dataset)]
