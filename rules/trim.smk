# Per sample: check every unit's FASTQ pair and merge the units (lanes, SRA runs), then trim
# adapters and low-quality ends with trim_galore (cutadapt). The merged pair is temporary; the
# trimmed pair and trim_galore's reports (for QC) are kept.


rule merge_units:
    input:
        fastqs=merge_units_input,
    output:
        r1=temp(fill(MERGED_FASTQ, mate=1)),
        r2=temp(fill(MERGED_FASTQ, mate=2)),
    params:
        units=merge_units_labels,
    wildcard_constraints:
        sample="[A-Za-z0-9_.-]+",
    conda:
        "../envs/python.yaml"
    log:
        "results/logs/merge_units/{dataset}/{sample}.log",
    benchmark:
        "results/benchmarks/jobs/merge_units/{dataset}/{sample}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    script:
        "../scripts/merge_units.py"


rule trim_galore:
    input:
        r1=fill(MERGED_FASTQ, mate=1),
        r2=fill(MERGED_FASTQ, mate=2),
    output:
        r1=fill(TRIMMED_FASTQ, mate=1),
        r2=fill(TRIMMED_FASTQ, mate=2),
        report1=fill(TRIMMING_REPORT, mate=1),
        report2=fill(TRIMMING_REPORT, mate=2),
    params:
        adapter=trim_adapter_option(),
        extra=config["trimming"]["extra"],
        # trim_galore's own names: <input minus .fastq.gz>_val_{1,2}.fq.gz, <input>_trimming_report.txt
        name1=lambda wc, input: Path(input.r1).name,
        name2=lambda wc, input: Path(input.r2).name,
        stem1=lambda wc, input: Path(input.r1).name.removesuffix(".fastq.gz"),
        stem2=lambda wc, input: Path(input.r2).name.removesuffix(".fastq.gz"),
    wildcard_constraints:
        sample="[A-Za-z0-9_.-]+",
    shadow:
        "minimal"
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/trim_galore/{dataset}/{sample}.log",
    benchmark:
        "results/benchmarks/jobs/trim_galore/{dataset}/{sample}.tsv"
    threads: config["threads"]["trim"]
    resources:
        mem_mb=2000,
        runtime=240,
    shell:
        r"""
        out=trim_galore.out
        mkdir -p "$out"
        trim_galore --paired --cores {threads} --output_dir "$out" {params.adapter} {params.extra} \
            {input.r1:q} {input.r2:q} > {log:q} 2>&1
        mv "$out"/{params.stem1:q}_val_1.fq.gz {output.r1:q}
        mv "$out"/{params.stem2:q}_val_2.fq.gz {output.r2:q}
        mv "$out"/{params.name1:q}_trimming_report.txt {output.report1:q}
        mv "$out"/{params.name2:q}_trimming_report.txt {output.report2:q}
        """
