"""Per-allele BAMs split elsewhere: a sample sheet of ref_bam/alt_bam enters at duplicate removal
(no trimming, alignment or allele split), and the given BAMs are taken in coordinate-sorted and
indexed whatever their order."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pysam
import yaml

REPO = Path(__file__).resolve().parents[2]


def unsorted_bam(path: Path, starts: list[int]) -> None:
    header = {"HD": {"VN": "1.6", "SO": "unsorted"}, "SQ": [{"SN": "chr1", "LN": 400}]}
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for i, start in enumerate(starts):
            for mate, (pos, mpos, flag) in enumerate(((start, start + 50, 99), (start + 50, start, 147))):
                r = pysam.AlignedSegment()
                r.query_name, r.flag, r.reference_id, r.reference_start = f"p{i}", flag, 0, pos
                r.mapping_quality, r.cigarstring, r.query_sequence = 30, "20M", "A" * 20
                r.next_reference_id, r.next_reference_start = 0, mpos
                r.template_length = 70 if mate == 0 else -70
                r.query_qualities = pysam.qualitystring_to_array("I" * 20)
                out.write(r)


def test_allele_bams_enter_at_duplicate_removal(tmp_path, real_genome, job_counts):
    genome = real_genome(tmp_path)
    unsorted_bam(tmp_path / "s1.B6.bam", [200, 10, 100])
    unsorted_bam(tmp_path / "s1.CAST.bam", [150, 30])
    (tmp_path / "bams.tsv").write_text("sample\tunit\tref_bam\talt_bam\ns1\tL1\ts1.B6.bam\ts1.CAST.bam\n")
    cfg = {"target_datasets": ["bams"],
           "genomes": {"g": {"reference_name": "B6", "strain_name": "CAST", **genome}},
           "datasets": {"bams": {"genome": "g", "assay": "chip", "samples": str(tmp_path / "bams.tsv")}}}
    (tmp_path / "bams.yaml").write_text(yaml.safe_dump(cfg))

    def snakemake(*args):
        return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                               "--configfile", str(tmp_path / "bams.yaml"), *args],
                              capture_output=True, text=True, cwd=tmp_path)

    res = snakemake("-n", "--quiet", "rules")
    assert res.returncode == 0, res.stderr[-4000:]
    jobs = job_counts(res.stdout)
    assert jobs["link_allele_bam"] == 2 and jobs["mark_duplicates"] == 2 and jobs["allele_counts"] == 1, jobs
    assert not {"trim_galore", "bowtie2", "split_alleles", "reads_qc"} & set(jobs), jobs
    # its MultiQC report has the BAM-level parts only (no FastQC, bowtie2 or per-genome stats)
    assert jobs["multiqc"] == 1 and jobs["allele_bam_stats"] == 2 and jobs["software_versions"] == 1, jobs
    assert not {"fastqc_raw", "fastqc_trimmed", "genome_alignment_stats"} & set(jobs), jobs
    assert "figure_performance" in jobs
    res = snakemake("--cores", "1", "results/bams/alleles/s1.ref.bam", "results/bams/alleles/s1.alt.bam")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-4000:]
    with pysam.AlignmentFile(str(tmp_path / "results/bams/alleles/s1.ref.bam")) as bam:
        assert [r.reference_start for r in bam] == [10, 60, 100, 150, 200, 250]
    assert (tmp_path / "results/bams/alleles/s1.alt.bam.bai").exists()
