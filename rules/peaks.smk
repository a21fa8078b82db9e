# Peaks: MACS3 on all final allele BAMs of a dataset's ChIP (or ATAC) samples pooled, with the
# control (input) samples' final allele BAMs pooled as -c (sample-sheet column 'control'), only
# when the dataset gives no 'peaks'; then the peak set the counts use,
# results/{dataset}/peaks/peaks.bed: fixed-width windows around the MACS3 summits, or the given
# peak set re-validated and normalised (own coordinates, names chrom-start-end when absent, BED6
# in FASTA contig order). The effective genome size (MACS3 -g, bamCoverage RPGC) is the
# configured peaks.genome_size or the reference's non-N bases outside the excluded contigs.


rule effective_genome_size:
    input:
        unpack(effective_genome_size_input),
    output:
        GENOME_SIZE,
    params:
        exclude=config["alignment"]["exclude_contigs"],
        configured=config["peaks"]["genome_size"],
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/effective_genome_size/{dataset}.log",
    resources:
        mem_mb=1000,
        runtime=15,
    script:
        "../scripts/effective_genome_size.py"


rule call_peaks:
    input:
        unpack(call_peaks_input),
    output:
        narrowpeak=MACS3_NARROWPEAK,
        summits=MACS3_SUMMITS,
        xls=MACS3_XLS,
    params:
        outdir=lambda wc, output: str(Path(output.narrowpeak).parent),
        qvalue=config["peaks"]["qvalue"],
        extra=config["peaks"]["macs3"],
        control=lambda wc, input: macs3_control_option(input),
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
        "macs3 callpeak -t {input.bams:q} {params.control} -f BAMPE -g $(cat {input.gsize:q})"
        " -n {wildcards.dataset} --outdir {params.outdir:q} -q {params.qvalue} {params.extra} > {log:q} 2>&1"


rule peak_windows:
    input:
        unpack(peak_windows_input),
    output:
        bed=PEAKS,
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
