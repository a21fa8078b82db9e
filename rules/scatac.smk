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
        r1=temp("results/{dataset}/barcodes/{sample}_{unit}_R1.fastq.gz"),
        r3=temp("results/{dataset}/barcodes/{sample}_{unit}_R3.fastq.gz"),
        report="results/{dataset}/barcodes/{sample}_{unit}.json",
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
        "results/benchmarks/jobs/sc_barcodes/{dataset}/{sample}_{unit}.tsv"
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
        stats="results/{dataset}/fragments/stats.json",
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
        "results/benchmarks/jobs/sc_fragments/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(480),
    script:
        "../scripts/sc_fragments.py"


rule sc_counts:
    input:
        ref="results/{dataset}/fragments/ref.tsv.gz",
        alt="results/{dataset}/fragments/alt.tsv.gz",
        peaks="results/{dataset}/peaks/peaks.bed",
        cell_types=lambda wc: scatac_setting(wc.dataset, "cell_types"),
    output:
        counts="results/{dataset}/counts/allele_counts.tsv",
        matrices=directory("results/{dataset}/counts/matrices"),
        match="results/{dataset}/counts/cell_match.json",
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
        **{k: f"results/{{dataset}}/fragments/{k}.tsv.gz" for k in SC_FRAGMENT_SETS},
        peaks="results/{dataset}/peaks/peaks.bed",
        cell_types=lambda wc: scatac_setting(wc.dataset, "cell_types"),
        match="results/{dataset}/counts/cell_match.json",
        fragment_stats="results/{dataset}/fragments/stats.json",
        counts="results/{dataset}/counts/allele_counts.tsv",
        reports=lambda wc: sc_barcode_reports(wc.dataset),
        splits=lambda wc: [f"results/{wc.dataset}/alleles/{s}.split.json" for s in samples_of(wc.dataset)],
    output:
        cells=report(
            "results/{dataset}/qc/scatac/cell_qc.tsv",
            caption="../report/tables/scatac_cell_qc.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "scATAC cells"},
        ),
        barcodes=report(
            "results/{dataset}/qc/scatac/barcodes.tsv",
            caption="../report/tables/scatac_barcodes.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "scATAC barcodes per lane"},
        ),
        funnel=report(
            "results/{dataset}/qc/scatac/funnel.tsv",
            caption="../report/tables/scatac_funnel.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"table": "scATAC per-allele funnel"},
        ),
        lengths="results/{dataset}/qc/scatac/fragment_lengths.tsv",
        rank_png=report(
            "results/{dataset}/qc/scatac/barcode_rank.png",
            caption="../report/figures/scatac_barcode_rank.rst",
            category="QC",
            subcategory="{dataset}",
            labels={"figure": "scATAC barcode ranks"},
        ),
        lengths_png=report(
            "results/{dataset}/qc/scatac/fragment_lengths.png",
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
            f"results/benchmarks/jobs/sc_barcodes/{wc.dataset}/{u.sample}_{u.unit}.tsv"
            for u in units_of(wc.dataset).itertuples(index=False)
        ],
        reports=lambda wc: sc_barcode_reports(wc.dataset),
        fragment_job="results/benchmarks/jobs/sc_fragments/{dataset}.tsv",
        fragment_stats="results/{dataset}/fragments/stats.json",
    output:
        table=report(
            "results/benchmarks/scatac_{dataset}.tsv",
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
            "results/{dataset}/validation/scatac.tsv",
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
