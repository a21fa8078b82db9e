"""ChIP control (input) samples: the sample sheet's 'control' column (nf-core/chipseq's
convention), checked before any job; controls go through the read stages and to MACS3 as -c,
and are neither counted nor tracked."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deepallele.workflow import ConfigError, read_sample_sheet

REPO = Path(__file__).resolve().parents[2]
HEADER = "sample\tunit\tfastq_1\tfastq_2\tcontrol\n"


def _sheet(tmp_path, rows) -> Path:
    for sample, *_ in rows:
        for mate in (1, 2):
            (tmp_path / f"{sample}_{mate}.fq.gz").write_bytes(b"")
    path = tmp_path / "samples.tsv"
    path.write_text(HEADER + "".join(f"{s}\t{u}\t{s}_1.fq.gz\t{s}_2.fq.gz\t{c}\n" for s, u, c in rows))
    return path


def test_control_column_is_read_and_checked(tmp_path):
    sheet = read_sample_sheet(_sheet(tmp_path, [("S1", "L1", "IN"), ("S1", "L2", "IN"), ("IN", "L1", "")]))
    assert sheet["control"].tolist() == ["IN", "IN", ""]
    bad = [
        ([("S1", "L1", "INPUT"), ("IN", "L1", "")], "control 'INPUT' is not a sample of this sheet"),
        ([("S1", "L1", "S1")], "sample 'S1' cannot be its own control"),
        ([("S1", "L1", "IN"), ("S1", "L2", ""), ("IN", "L1", "")], "the rows of sample 'S1' name different controls"),
        ([("S1", "L1", "IN"), ("IN", "L1", "IN2"), ("IN2", "L1", "")], "control sample 'IN' names a control itself"),
    ]
    for i, (rows, message) in enumerate(bad):
        (tmp_path / str(i)).mkdir()
        with pytest.raises(ConfigError, match=re.escape(message)):
            read_sample_sheet(_sheet(tmp_path / str(i), rows))


def test_sheet_without_control_column_still_reads(tmp_path):
    (tmp_path / "a_1.fq.gz").write_bytes(b"")
    (tmp_path / "a_2.fq.gz").write_bytes(b"")
    (tmp_path / "s.tsv").write_text("sample\tunit\tfastq_1\tfastq_2\na\tL1\ta_1.fq.gz\ta_2.fq.gz\n")
    assert read_sample_sheet(tmp_path / "s.tsv")["control"].tolist() == [""]


def test_macs3_gets_the_controls_and_counts_leave_them_out(tmp_path, real_genome, job_counts):
    genome = real_genome(tmp_path)
    sheet = _sheet(tmp_path, [("S1", "L1", "IN"), ("S2", "L1", "IN"), ("IN", "L1", "")])
    cfg = {"target_datasets": ["chipc"],
           "genomes": {"g": {"reference_name": "B6", "strain_name": "CAST", **genome}},
           "datasets": {"chipc": {"genome": "g", "assay": "chip", "samples": str(sheet)}}}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg))

    def snakemake(*args):
        res = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                              "--configfile", str(tmp_path / "c.yaml"), *args], capture_output=True, text=True,
                             cwd=tmp_path)
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-4000:]
        return res.stdout

    out = snakemake("-n", "-p", "results/chipc/counts/allele_counts.tsv", "results/chipc/tracks/ref.bw")
    macs3 = [line for line in out.splitlines() if line.startswith("Shell command: macs3 callpeak")]
    assert len(macs3) == 1
    treatment, control = re.match(r"Shell command: macs3 callpeak -t (.*) -c (.*) -f BAMPE", macs3[0]).groups()
    assert treatment.split() == [f"results/chipc/dedup/{s}.{a}.bam" for s in ("S1", "S2") for a in ("ref", "alt")]
    assert control.split() == ["results/chipc/dedup/IN.ref.bam", "results/chipc/dedup/IN.alt.bam"]
    counts_input = out.split("rule allele_counts:")[1].split("output:")[0]
    pool_inputs = " ".join(b.split("output:")[0] for b in out.split("rule pool_allele_bams:")[1:])
    assert "S1.ref.bam" in counts_input and "IN." not in counts_input
    assert "S2.ref.bam" in pool_inputs and "IN." not in pool_inputs
    # the control goes through the read stages: both alignments, the allele split, dedup
    jobs = job_counts(snakemake("-n", "--quiet", "rules"))
    assert jobs["bowtie2"] == 6 and jobs["split_alleles"] == 3 and jobs["mark_duplicates"] == 6, jobs
    assert jobs["call_peaks"] == 1 and jobs["allele_counts"] == 1
    # the named target `reads` includes the control's allele BAMs (2 x 3 samples), and no peaks
    reads_jobs = job_counts(snakemake("-n", "reads", "--quiet", "rules"))
    assert reads_jobs["mark_duplicates"] == 6 and "call_peaks" not in reads_jobs, reads_jobs
