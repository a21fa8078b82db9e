"""SRA dump, unit merging and trimming, run through Snakemake with the real tools (no mocks).

An SRA run is built locally (latf-load + kar) from simulated ATAC reads and placed where
prefetch would put it, so the download is skipped and fasterq-dump reads the local file.
"""
from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deepallele.reads.fastq import check_fastq_pair

SNAKEFILE = Path(__file__).parent / "data" / "Snakefile.reads"
ACC = "SRR9999999"
NEXTERA = "CTGTCTCTTATACACATCT"
SRA_PAIRS = 400

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("latf-load", "kar", "fasterq-dump", "trim_galore", "pigz")),
    reason="needs sra-toolkit (latf-load, kar, fasterq-dump), trim_galore and pigz")


def _fastq(path: Path) -> list[tuple[str, str, str]]:
    """(name line, sequence, qualities) of every record, in order."""
    with gzip.open(path, "rt") if path.suffix == ".gz" else open(path) as fh:
        lines = fh.read().splitlines()
    return list(zip(lines[0::4], lines[1::4], lines[3::4]))


def _config(tmp: Path, rows: list[str], genome: dict, dataset: str = "atac") -> Path:
    sheet = tmp / "samples.tsv"
    sheet.write_text("sample\tunit\tfastq_1\tfastq_2\tsra\n" + "\n".join(rows) + "\n")
    cfg = {"genomes": {"g": genome},
           "datasets": {dataset: {"genome": "g", "assay": "atac", "samples": str(sheet)}},
           "sra": {"retries": 1}, "threads": {"trim": 2}}
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _snakemake(work: Path, config: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE),
                           "--directory", str(work), "--configfile", str(config), "--cores", "2", *targets],
                          capture_output=True, text=True)


def _build_sra(fq1: Path, fq2: Path, n: int, scratch: Path, dest: Path) -> list[tuple]:
    """A local SRA run of the first ``n`` pairs of a FASTQ pair; returns those pairs."""
    recs = list(zip(_fastq(fq1)[:n], _fastq(fq2)[:n]))
    scratch.mkdir(parents=True)
    for mate in (0, 1):
        (scratch / f"r{mate + 1}.fq").write_text("".join(f"{r[mate][0]}\n{r[mate][1]}\n+\n{r[mate][2]}\n"
                                                         for r in recs))
    subprocess.run(["latf-load", "--quality", "PHRED_33", "-p", "ILLUMINA", "-o", str(scratch / f"{ACC}.db"),
                    str(scratch / "r1.fq"), str(scratch / "r2.fq")], check=True, capture_output=True)
    dest.parent.mkdir(parents=True)
    subprocess.run(["kar", "--create", str(dest), "-d", str(scratch / f"{ACC}.db")], check=True,
                   capture_output=True)
    return recs


@pytest.fixture(scope="module")
def reads_run(tiny_sim, tmp_path_factory, real_genome):
    """Sample 'atac1' = a FASTQ unit (tiny ATAC lane 1) + an SRA unit (400 pairs of lane 2)."""
    tmp = tmp_path_factory.mktemp("sra_trim")
    reads = tiny_sim / "datasets" / "tiny_atac" / "reads"
    work = tmp / "work"
    sra_pairs = _build_sra(reads / "F1_1_L002_R1.fastq.gz", reads / "F1_1_L002_R2.fastq.gz", SRA_PAIRS,
                           tmp / "sra_build", work / f"resources/sra/{ACC}/{ACC}.sra")
    lane1 = (reads / "F1_1_L001_R1.fastq.gz", reads / "F1_1_L001_R2.fastq.gz")
    config = _config(tmp, [f"atac1\tL001\t{lane1[0]}\t{lane1[1]}\t", f"atac1\tSRA1\t\t\t{ACC}"],
                     real_genome(tmp))
    res = _snakemake(work, config, f"resources/sra/{ACC}_1.fastq.gz", f"resources/sra/{ACC}_2.fastq.gz",
                     "results/atac/trimmed/atac1_R1.fastq.gz", "results/atac/trimmed/atac1_R2.fastq.gz",
                     "results/atac/trimmed/atac1_R1.trimming_report.txt",
                     "results/atac/trimmed/atac1_R2.trimming_report.txt")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-5000:]
    return {"work": work, "sra_pairs": sra_pairs, "lane1": lane1, "log": res.stdout + res.stderr}


def test_sra_rule_reads_back_the_local_run(reads_run):
    work = reads_run["work"]
    assert "rule sra_prefetch" not in reads_run["log"]  # the pre-placed run is used as is
    r1 = _fastq(work / f"resources/sra/{ACC}_1.fastq.gz")
    r2 = _fastq(work / f"resources/sra/{ACC}_2.fastq.gz")
    orig = reads_run["sra_pairs"]
    assert len(r1) == len(r2) == SRA_PAIRS
    assert [(s, q) for _, s, q in r1] == [(o[0][1], o[0][2]) for o in orig]
    assert [(s, q) for _, s, q in r2] == [(o[1][1], o[1][2]) for o in orig]
    for i, (a, b, o) in enumerate(zip(r1, r2, orig), start=1):
        # SRA names: '@SRR9999999.<spot> <original name without /1> length=N', one spot per pair
        assert a[0].split()[0] == b[0].split()[0] == f"@{ACC}.{i}"
        assert a[0].split()[1] == b[0].split()[1] == o[0][0][1:].removesuffix("/1")
    assert not (work / f"resources/sra/{ACC}/tmp").exists()
    assert not (work / f"resources/sra/{ACC}/fastq").exists()
    assert check_fastq_pair(work / f"resources/sra/{ACC}_1.fastq.gz",
                            work / f"resources/sra/{ACC}_2.fastq.gz")["pairs"] == SRA_PAIRS


def test_mixed_units_are_merged_in_order_and_trimmed(reads_run):
    work = reads_run["work"]
    trimmed = work / "results/atac/trimmed"
    n_in = sum(1 for _ in _fastq(reads_run["lane1"][0])) + SRA_PAIRS
    stats = check_fastq_pair(trimmed / "atac1_R1.fastq.gz", trimmed / "atac1_R2.fastq.gz")
    assert 0.9 * n_in <= stats["pairs"] <= n_in
    r1 = _fastq(trimmed / "atac1_R1.fastq.gz")
    assert r1[0][0].startswith("@sim") and r1[-1][0].startswith(f"@{ACC}.")  # FASTQ unit, then SRA unit
    # the merged pair was temporary
    assert not (work / "results/atac/fastq/atac1_R1.fastq.gz").exists()
    merge_log = (work / "results/logs/merge_units/atac/atac1.log").read_text()
    assert f"unit L001: {n_in - SRA_PAIRS} read pairs" in merge_log and f"unit SRA1 ({ACC}): {SRA_PAIRS} read pairs" in merge_log
    assert (work / "results/benchmarks/jobs/trim_galore/atac/atac1.tsv").exists()


def test_trim_galore_detects_and_removes_nextera(reads_run):
    work = reads_run["work"]
    trimmed = work / "results/atac/trimmed"
    for mate in (1, 2):
        report = (trimmed / f"atac1_R{mate}.trimming_report.txt").read_text()
        assert "Nextera" in report and "auto-detected" in report
    before = _fastq(reads_run["lane1"][0])
    assert sum(NEXTERA in s for _, s, _ in before) > 0.02 * len(before)  # the data do carry the adapter
    for mate in (1, 2):
        seqs = [s for _, s, _ in _fastq(trimmed / f"atac1_R{mate}.fastq.gz")]
        assert sum(NEXTERA in s for s in seqs) <= 0.001 * len(seqs)


def test_truncated_fastq_stops_at_merge_units(tmp_path, real_genome):
    good = [(f"@p{i}/{m}", "ACGTACGTAC" * 3, "I" * 30) for m in (1, 2) for i in range(100)]
    files = {}
    for name in ("good", "cut"):
        for m in (1, 2):
            text = "".join(f"{h}\n{s}\n+\n{q}\n" for h, s, q in good if h.endswith(f"/{m}"))
            files[name, m] = tmp_path / f"{name}_R{m}.fastq.gz"
            files[name, m].write_bytes(gzip.compress(text.encode()))
    data = files["cut", 2].read_bytes()
    files["cut", 2].write_bytes(data[: len(data) // 2])
    config = _config(tmp_path, [f"s1\tL1\t{files['good', 1]}\t{files['good', 2]}\t",
                                f"s1\tL2\t{files['cut', 1]}\t{files['cut', 2]}\t"], real_genome(tmp_path))
    work = tmp_path / "work"
    res = _snakemake(work, config, "results/atac/trimmed/s1_R1.fastq.gz")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "merge_units" in out and str(files["cut", 2]) in out and "truncated" in out
    log = (work / "results/logs/merge_units/atac/s1.log").read_text()
    assert str(files["cut", 2]) in log and "truncated" in log
    assert not (work / "results/atac/fastq/s1_R1.fastq.gz").exists()
    assert not (work / "results/atac/fastq/s1_R2.fastq.gz").exists()
    assert not list(work.glob("results/atac/fastq/*"))  # no temporary leftovers either
    assert not (work / "results/logs/trim_galore").exists()


def test_failed_download_explains_what_to_do(tmp_path, real_genome):
    # SRR0 is not a run: prefetch fails offline (status 3, no message) and online alike
    config = _config(tmp_path, ["s1\tL1\t\t\tSRR0"], real_genome(tmp_path))
    work = tmp_path / "work"
    res = _snakemake(work, config, "resources/sra/SRR0/SRR0.sra")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "could not download SRA run SRR0" in out
    assert "exits with status 3 and prints no message" in out and "resources/sra/SRR0/SRR0.sra" in out
    assert not (work / "resources/sra/SRR0/SRR0.sra").exists()
