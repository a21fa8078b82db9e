# Datasets that start after the reads: per-allele BAMs split elsewhere, a per-allele peak count
# table (the paper's ChIP route: Link et al.'s tables), or the authors' processed HDF5
# (sequences and targets as published). Each enters at the stage it replaces; everything after
# it (paired dataset, models, interpretation, MeanDiff, figures) runs unchanged. Our pairs.h5
# can also be exported in the authors' layout.


rule link_allele_bam:
    input:
        bam=lambda wc: given_allele_bam(wc.dataset, wc.sample, wc.allele),
    output:
        bam=ALLELE_BAM,
        bai=f"{ALLELE_BAM}.bai",
    wildcard_constraints:
        dataset="|".join(ALLELE_BAM_DATASETS) or "NONE",
    log:
        "results/logs/link_allele_bam/{dataset}/{sample}.{allele}.log",
    benchmark:
        "results/benchmarks/jobs/link_allele_bam/{dataset}/{sample}.{allele}.tsv"
    conda:
        "../envs/reads.yaml"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=4000,
        runtime=120,
    shell:
        # coordinate-sorted copy (the given BAM may be name-sorted or unsorted; Picard needs sorted)
        """
        samtools sort -@ {threads} -o {output.bam:q}.part.bam {input.bam:q} > {log:q} 2>&1
        mv {output.bam:q}.part.bam {output.bam:q}
        samtools index {output.bam:q} >> {log:q} 2>&1
        """


rule import_count_table:
    input:
        unpack(import_count_table_input),
    output:
        counts=COUNTS,
    wildcard_constraints:
        dataset="|".join(COUNT_TABLE_DATASETS) or "NONE",
    params:
        columns=lambda wc: daw.canonical(count_table_columns(wc.dataset)),
    log:
        "results/logs/import_count_table/{dataset}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/import_count_table.py"


rule import_authors_h5:
    input:
        h5=lambda wc: daw.resource_path(config, config["datasets"][wc.dataset]["authors_h5"]["path"]),
    output:
        h5=PAIRS_H5,
        summary=PAIRS_SUMMARY,
    wildcard_constraints:
        dataset="|".join(AUTHORS_H5_DATASETS) or "NONE",
    params:
        target=lambda wc: config["datasets"][wc.dataset]["authors_h5"].get("target", "auto"),
        peak_pattern=lambda wc: config["datasets"][wc.dataset]["authors_h5"].get("peak_pattern"),
        scheme=config["split"]["scheme"],
        val=config["split"]["val"],
        test=config["split"]["test"],
        names=lambda wc: genome_names(wc.dataset),
    log:
        "results/logs/import_authors_h5/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/import_authors_h5/{dataset}.tsv"
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=lambda wc, input: max(2000, int(4 * input.size_mb) + 1000),
        runtime=60,
    script:
        "../scripts/import_authors_h5.py"


rule export_authors_h5:
    input:
        h5=PAIRS_H5,
    output:
        h5=AUTHORS_LAYOUT_H5,
    params:
        # the authors' ATAC file holds bulk sums and single-cell pseudo-bulk (sc) targets
        layout=lambda wc: "chip" if config["datasets"][wc.dataset]["assay"] == "chip" else "atac",
        target=lambda wc: "sc" if config["datasets"][wc.dataset]["assay"] == "scatac" else "sum",
    log:
        "results/logs/export_authors_h5/{dataset}.log",
    conda:
        "../envs/python.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    script:
        "../scripts/export_authors_h5.py"
