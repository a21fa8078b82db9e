# 10x scATAC (assay scatac): each lane's cell barcodes (R2) checked against the whitelist and
# written into the genomic reads' headers -> the bulk read stages (merge, trim, bowtie2 with
# --sam-append-comment so the barcode becomes a CB tag on both mates, allele split) -> per-allele
# fragment files (Tn5 +4/-5 once, sinto's duplicate collapse, the paper's binomial tie split) ->
# peaks x cells per allele for the chosen cell types and their pseudo-bulk allele counts, the same
# results/{dataset}/counts/allele_counts.tsv as the bulk path, so every later stage runs unchanged.
# Helpers of this stage live in rules/scatac_common.smk; common.smk's SCATAC_DATASETS names the datasets.


rule sc_barcodes:
    input:
        unpack(sc_barcodes_input),
    output:
        r1=temp(fill(BARCODED_FASTQ, read="R1")),
        r3=temp(fill(BARCODED_FASTQ, read="R3")),
        report=BARCODE_REPORT,
    wildcard_constraints:
        dataset="|".join(SCATAC_DATASETS) or "NONE",
        sample="[A-Za-z0-9_.-]+",
        unit="[A-Za-z0-9_.-]+",
    params:
        orientation=lambda wc: scatac_setting(wc.dataset, "barcode_orientation"),
        correction=lambda wc: scatac_setting(wc.dataset, "barcode_correction"),
        min_posterior=lambda wc: scatac_setting(wc.dataset, "min_posterior"),
        suffix=lambda wc: sc_unit(wc)["barcode_suffix"],
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/sc_barcodes/{dataset}/{sample}_{unit}.log",
    benchmark:
        SC_BARCODES_BENCHMARK
    # one thread reads and corrects, one per output compresses
    threads: 2
    resources:
        # the 737k-barcode whitelist as a set, plus the per-barcode counts
        mem_mb=attempt_scaled(3000),
        runtime=attempt_scaled(480),
    script:
        "../scripts/sc_barcodes.py"


rule sc_fragments:
    input:
        unpack(lambda wc: sc_allele_bams(wc.dataset)),
        bais=lambda wc: [f"{b}.bai" for bams in sc_allele_bams(wc.dataset).values() for b in bams],
    output:
        **sc_fragment_files("{dataset}"),
        stats=FRAGMENT_STATS,
    wildcard_constraints:
        dataset="|".join(SCATAC_DATASETS) or "NONE",
    params:
        fragments=lambda wc: scatac_setting(wc.dataset, "fragments"),
        tie_split=lambda wc: scatac_setting(wc.dataset, "tie_split"),
        seed=lambda wc: scatac_setting(wc.dataset, "tie_seed"),
        # the authors' route (no correction) keeps the raw barcode in front of the read name
        barcode_regex=lambda wc: r"^([ACGTN]+):" if scatac_setting(wc.dataset, "barcode_correction") == "none" else None,
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/sc_fragments/{dataset}.log",
    benchmark:
        SC_FRAGMENTS_BENCHMARK
    threads: 1
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(480),
    script:
        "../scripts/sc_fragments.py"


rule sc_counts:
    input:
        ref=fill(FRAGMENTS, kind="ref"),
        alt=fill(FRAGMENTS, kind="alt"),
        peaks=PEAKS,
        cell_types=lambda wc: scatac_setting(wc.dataset, "cell_types"),
    output:
        counts=COUNTS,
        matrices=directory(SC_MATRICES),
        match=CELL_MATCH,
    wildcard_constraints:
        dataset="|".join(SCATAC_DATASETS) or "NONE",
    params:
        cell_type=lambda wc: scatac_setting(wc.dataset, "cell_type"),
        min_cell_fraction=lambda wc: scatac_setting(wc.dataset, "min_cell_fraction"),
        count_contigs=lambda wc: scatac_setting(wc.dataset, "count_contigs"),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/sc_counts/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/sc_counts/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(120),
    script:
        "../scripts/sc_counts.py"


rule sc_qc:
    input:
        **{k: fill(FRAGMENTS, kind=k) for k in SC_FRAGMENT_SETS},
        peaks=PEAKS,
        cell_types=lambda wc: scatac_setting(wc.dataset, "cell_types"),
        match=CELL_MATCH,
        fragment_stats=FRAGMENT_STATS,
        counts=COUNTS,
        reports=lambda wc: sc_barcode_reports(wc.dataset),
        splits=lambda wc: split_summaries(wc.dataset),
    output:
        cells=report(
            SC_CELL_QC,
            caption="../report/tables/scatac_cell_qc.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "scATAC cells"},
        ),
        barcodes=report(
            SC_BARCODE_TABLE,
            caption="../report/tables/scatac_barcodes.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "scATAC barcodes per lane"},
        ),
        funnel=report(
            SC_FUNNEL,
            caption="../report/tables/scatac_funnel.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "scATAC per-allele funnel"},
        ),
        lengths=SC_FRAGMENT_LENGTHS,
        rank_png=report(
            SC_BARCODE_RANK_PLOT,
            caption="../report/figures/scatac_barcode_rank.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"figure": "scATAC barcode ranks"},
        ),
        lengths_png=report(
            SC_FRAGMENT_LENGTHS_PLOT,
            caption="../report/figures/scatac_fragment_lengths.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"figure": "scATAC fragment lengths"},
        ),
    wildcard_constraints:
        dataset="|".join(SCATAC_DATASETS) or "NONE",
    params:
        cell_type=lambda wc: scatac_setting(wc.dataset, "cell_type"),
        exclude_contigs=config["alignment"]["exclude_contigs"],
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/sc_qc/{dataset}.log",
    group:
        "qc"
    threads: 1
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=30,
    script:
        "../scripts/sc_qc.py"


# Throughput of barcode correction and fragment building on this run (read pairs per second,
# from the jobs' own benchmark files) and the time a 200 M-pair library would take at that rate.
rule sc_benchmark:
    input:
        barcode_jobs=lambda wc: [
            fill(SC_BARCODES_BENCHMARK, dataset=wc.dataset, sample=u.sample, unit=u.unit)
            for u in units_of(wc.dataset).itertuples(index=False)
        ],
        reports=lambda wc: sc_barcode_reports(wc.dataset),
        fragment_job=SC_FRAGMENTS_BENCHMARK,
        fragment_stats=FRAGMENT_STATS,
    output:
        table=report(
            SC_BENCHMARK,
            caption="../report/tables/scatac_benchmark.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "scATAC throughput"},
        ),
    wildcard_constraints:
        dataset="|".join(SCATAC_DATASETS) or "NONE",
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/sc_benchmark/{dataset}.log",
    group:
        "qc"
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/sc_benchmark.py"


rule validate_scatac:
    input:
        unpack(validate_scatac_input),
    output:
        table=report(
            VALIDATION_SCATAC,
            caption="../report/tables/validation_scatac.rst",
            category="Validation",
            subcategory="{dataset}",
            labels={"table": "scATAC"},
        ),
    wildcard_constraints:
        dataset="|".join(d for d in SCATAC_DATASETS if d in SIMULATED_DATASETS) or "NONE",
    params:
        fragments=lambda wc: scatac_setting(wc.dataset, "fragments"),
        cell_type=lambda wc: scatac_setting(wc.dataset, "cell_type"),
        exclude_contigs=config["alignment"]["exclude_contigs"],
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/validate_scatac/{dataset}.log",
    group:
        "qc"
    resources:
        mem_mb=4000,
        runtime=20,
    script:
        "../scripts/validate_scatac.py"
