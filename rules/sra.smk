# SRA runs: download the .sra file (prefetch), then dump it to a gzipped FASTQ pair.
#
# Both rules are candidates for `localrules:` (downloads belong on the head node, since compute
# nodes are often offline); that is decided where the workflow is assembled, not here.
# A run that cannot be downloaded (no network, dbGaP-protected, ...) can be placed by hand at
# resources/sra/<ACC>/<ACC>.sra (prefetch's own layout); Snakemake then skips sra_prefetch.


wildcard_constraints:
    accession="[SED]RR[0-9]+",


rule sra_prefetch:
    output:
        sra=SRA_FILE,
    params:
        # prefetch writes <outdir>/<ACC>/<ACC>.sra; derived from the output so it follows --directory
        outdir=lambda wc, output: str(Path(output.sra).parents[1]),
        attempts=max(1, int(config["sra"]["retries"])),
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/sra_prefetch/{accession}.log",
    benchmark:
        "results/benchmarks/jobs/sra_prefetch/{accession}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=360,
    shell:
        r"""
        : > {log:q}
        for attempt in $(seq 1 {params.attempts}); do
            echo "prefetch {wildcards.accession}: attempt $attempt of {params.attempts}" >> {log:q}
            status=0
            prefetch --max-size u --output-directory {params.outdir:q} {wildcards.accession} >> {log:q} 2>&1 \
                || status=$?
            if [ "$status" -eq 0 ] && [ -s {output.sra:q} ]; then
                exit 0
            fi
            if [ "$status" -eq 0 ] && [ -e {params.outdir:q}/{wildcards.accession}/{wildcards.accession}.sralite ]; then
                {{
                echo "ERROR: prefetch downloaded {wildcards.accession} as SRA Lite (.sralite, simplified base"
                echo "qualities) instead of a full .sra file. Run 'vdb-config --simplified-quality-scores no' and"
                echo "rerun, or rename the .sralite file to {output.sra} to accept simplified qualities."
                }} | tee -a {log:q} >&2
                exit 1
            fi
            echo "prefetch exited with status $status" >> {log:q}
            if [ "$attempt" -lt {params.attempts} ]; then
                sleep $((attempt * 30))
            fi
        done
        {{
        echo "ERROR: could not download SRA run {wildcards.accession} with prefetch"
        echo "({params.attempts} attempt(s), config sra.retries; last exit status $status; see {log})."
        echo "Without network access prefetch exits with status 3 and prints no message. On a cluster whose"
        echo "compute nodes are offline, run this rule on the head node (localrules), or download the run"
        echo "elsewhere and place it at {output.sra}; the workflow then skips the download."
        }} | tee -a {log:q} >&2
        exit 1
        """


rule sra_fastq:
    input:
        sra=SRA_FILE,
    output:
        r1=fill(SRA_FASTQ, mate=1),
        r2=fill(SRA_FASTQ, mate=2),
    params:
        # scratch space next to the .sra file: fasterq-dump's temp files and uncompressed output
        scratch=lambda wc, input: str(Path(input.sra).parent),
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/sra_fastq/{accession}.log",
    benchmark:
        "results/benchmarks/jobs/sra_fastq/{accession}.tsv"
    threads: config["threads"]["trim"]
    resources:
        mem_mb=2000,
        runtime=240,
    shell:
        r"""
        tmp={params.scratch:q}/tmp
        dump={params.scratch:q}/fastq
        trap 'rm -rf "$tmp" "$dump"' EXIT
        rm -rf "$tmp" "$dump"
        mkdir -p "$tmp" "$dump"
        fasterq-dump --split-3 --skip-technical --qual-defline '+' --threads {threads} \
            --temp "$tmp" --outdir "$dump" {input.sra:q} > {log:q} 2>&1
        if [ ! -s "$dump/{wildcards.accession}_1.fastq" ] || [ ! -s "$dump/{wildcards.accession}_2.fastq" ]; then
            {{
            echo "ERROR: SRA run {wildcards.accession} ({input.sra}) is not paired-end: fasterq-dump --split-3"
            echo "wrote $(cd "$dump" && ls | tr '\n' ' ')(no {wildcards.accession}_1/_2.fastq pair)."
            echo "This workflow needs paired-end reads; remove the run from the sample sheet."
            }} | tee -a {log:q} >&2
            exit 1
        fi
        if [ -s "$dump/{wildcards.accession}.fastq" ]; then
            echo "warning: dropped $(( $(wc -l < "$dump/{wildcards.accession}.fastq") / 4 )) unpaired reads" \
                "of {wildcards.accession} (spots with one mate only)" >> {log:q}
        fi
        pigz -p {threads} -c "$dump/{wildcards.accession}_1.fastq" > {output.r1:q}
        pigz -p {threads} -c "$dump/{wildcards.accession}_2.fastq" > {output.r2:q}
        echo "wrote $(( $(wc -l < "$dump/{wildcards.accession}_1.fastq") / 4 )) read pairs" >> {log:q}
        """
