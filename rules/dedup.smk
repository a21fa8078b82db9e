# Duplicate removal per sample and allele: Picard MarkDuplicates on the coordinate-sorted
# allele BAM (duplicates removed), then, when duplicates.blacklist is set, removal of every read
# pair with a mate overlapping the blacklist, then the index.
#
# Blacklist removal is pair-aware: `bedtools intersect -v` alone would drop one mate and leave
# its partner as an orphan, so the names of reads overlapping the blacklist are collected with
# `bedtools intersect -u` and every record with one of those names (both mates) is dropped.
import shlex

from deepallele.reads.dedup import java_heap_mb, markduplicates_command


wildcard_constraints:
    allele="ref|alt",


rule mark_duplicates:
    input:
        unpack(mark_duplicates_input),
    output:
        bam=DEDUP_BAM,
        bai=f"{DEDUP_BAM}.bai",
        metrics=DEDUP_METRICS,
    params:
        picard=lambda wc, input, output: shlex.join(
            markduplicates_command(
                config["picard_cmd"],
                config["duplicates"]["java_opts"],
                input.bam,
                marked_bam(output),
                output.metrics,
                fill(DEDUP_TMP, dataset=wc.dataset, sample=wc.sample, allele=wc.allele),
            )
        ),
        tmp_dir=DEDUP_TMP,
        marked=lambda wc, output: marked_bam(output),
        names=lambda wc, output: f"{output.bam}.blacklisted_names.txt",
        blacklist=blacklist_bed() or "",
        use_blacklist=int(bool(blacklist_bed())),
    conda:
        "../envs/reads.yaml"
    log:
        "results/logs/mark_duplicates/{dataset}/{sample}.{allele}.log",
    benchmark:
        "results/benchmarks/jobs/mark_duplicates/{dataset}/{sample}.{allele}.tsv"
    threads: 1
    resources:
        # the Java heap is fixed by java_opts; the retry gets more time and room around it
        mem_mb=attempt_scaled(java_heap_mb(config["duplicates"]["java_opts"]) + 1024),
        runtime=attempt_scaled(120),
    shell:
        """
        mkdir -p {params.tmp_dir:q}
        {params.picard} > {log:q} 2>&1
        if [ {params.use_blacklist} -eq 1 ]; then
            bedtools intersect -u -abam {params.marked:q} -b {params.blacklist:q} \
                | samtools view - | cut -f 1 | sort -u > {params.names:q}
            samtools view -h {params.marked:q} \
                | awk -v names={params.names:q} \
                    'BEGIN {{ while ((getline n < names) > 0) drop[n] = 1 }} /^@/ || !($1 in drop)' \
                | samtools view -b -o {output.bam:q} -
            echo "blacklist {params.blacklist}: removed the $(wc -l < {params.names:q}) read pair(s)" \
                "with a mate overlapping it" >> {log:q}
            rm -f {params.marked:q} {params.names:q}
        fi
        samtools index {output.bam:q} >> {log:q} 2>&1
        rm -rf {params.tmp_dir:q}
        """
