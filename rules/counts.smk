# Per-allele fragment counts in the peaks (summed over samples, plus a per-sample long table;
# counts.mode says what makes a fragment count in a peak, see deepallele.reads.counts; every
# mode is also written side by side to counts/count_modes.tsv from the same sweep) and one
# coverage track per allele. Control (input) samples are neither counted nor tracked. A
# dataset with several samples gets one track per allele from all its samples pooled (samtools
# merge), matching the summed count table; the per-sample BAMs stay available for per-sample
# tracks.


rule allele_counts:
    input:
        peaks=PEAKS,
        bams=lambda wc: final_allele_bams(wc.dataset),
        bais=lambda wc: [f"{b}.bai" for b in final_allele_bams(wc.dataset)],
    output:
        counts=COUNTS,
        per_sample=COUNTS_PER_SAMPLE,
        modes=COUNT_MODES,
    wildcard_constraints:
        dataset="|".join(BAM_DATASETS) or "NONE",
    params:
        bams=lambda wc: final_bams_by_sample(wc.dataset),
        mode=config["counts"]["mode"],
        multi_overlap=config["counts"]["multi_overlap"],
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/allele_counts/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/allele_counts/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
    script:
        "../scripts/allele_counts.py"


rule pool_allele_bams:
    input:
        bams=lambda wc: [final_allele_bam(wc.dataset, s, wc.allele) for s in counted_samples(wc.dataset)],
    output:
        bam=temp(POOLED_BAM),
        bai=temp(f"{POOLED_BAM}.bai"),
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/pool_allele_bams/{dataset}/{allele}.log",
    group:
        "tracks"
    benchmark:
        "results/benchmarks/jobs/pool_allele_bams/{dataset}/{allele}.tsv"
    threads: config["threads"]["samtools"]
    resources:
        mem_mb=1000,
        runtime=60,
    shell:
        """
        samtools merge -f -@ {threads} -o {output.bam:q} {input.bams:q} > {log:q} 2>&1
        samtools index {output.bam:q} >> {log:q} 2>&1
        """


rule bigwig:
    input:
        unpack(bigwig_input),
    output:
        bw=TRACK,
    params:
        bin_size=config["tracks"]["bin_size"],
        normalize=config["tracks"]["normalize"],
        gsize=lambda wc, input: (f"--effectiveGenomeSize $(cat {input.gsize})" if "gsize" in input.keys() else ""),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/bigwig/{dataset}/{allele}.log",
    group:
        "tracks"
    benchmark:
        "results/benchmarks/jobs/bigwig/{dataset}/{allele}.tsv"
    threads: config["threads"]["deeptools"]
    resources:
        mem_mb=2000,
        runtime=60,
    shell:
        "bamCoverage -b {input.bam:q} -o {output.bw:q} --binSize {params.bin_size}"
        " --normalizeUsing {params.normalize} -p {threads} {params.gsize} > {log:q} 2>&1"
