# Peaks: MACS3 on all final allele BAMs of a dataset pooled (only when the dataset gives no
# 'peaks'), then the peak set the counts use, results/{dataset}/peaks/peaks.bed: fixed-width
# windows around the MACS3 summits, or the given peak set re-validated and normalised (own
# coordinates, names chrom-start-end when absent, BED6 in FASTA contig order).


rule effective_genome_size:
    input:
        fai=lambda wc: reference_fai(wc.dataset),
    output:
        "results/{dataset}/peaks/effective_genome_size.txt",
    params:
        exclude=config["alignment"]["exclude_contigs"],
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/effective_genome_size/{dataset}.log",
    resources:
        mem_mb=500,
        runtime=5,
    script:
        "../scripts/effective_genome_size.py"


rule call_peaks:
    input:
        bams=lambda wc: final_allele_bams(wc.dataset),
        bais=lambda wc: [f"{b}.bai" for b in final_allele_bams(wc.dataset)],
        gsize="results/{dataset}/peaks/effective_genome_size.txt",
    output:
        narrowpeak="results/{dataset}/peaks/macs3/{dataset}_peaks.narrowPeak",
        summits="results/{dataset}/peaks/macs3/{dataset}_summits.bed",
        xls="results/{dataset}/peaks/macs3/{dataset}_peaks.xls",
    params:
        outdir=lambda wc, output: str(Path(output.narrowpeak).parent),
        qvalue=config["peaks"]["qvalue"],
        extra=config["peaks"]["macs3"],
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/call_peaks/{dataset}.log",
    benchmark:
        "results/benchmarks/jobs/call_peaks/{dataset}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
    shell:
        "macs3 callpeak -t {input.bams:q} -f BAMPE -g $(cat {input.gsize:q}) -n {wildcards.dataset}"
        " --outdir {params.outdir:q} -q {params.qvalue} {params.extra} > {log:q} 2>&1"


rule peak_windows:
    input:
        unpack(peak_windows_input),
    output:
        bed="results/{dataset}/peaks/peaks.bed",
    params:
        width=lambda wc: daw.peak_width(config, wc.dataset),
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/peak_windows/{dataset}.log",
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/peak_windows.py"
