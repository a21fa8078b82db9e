"""Shared fixtures: the repository root, a tiny simulated dataset (made once per session)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TINY_CONFIG = REPO / "tests" / "data" / "tiny_config.yaml"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def tiny_config() -> dict:
    return yaml.safe_load(TINY_CONFIG.read_text())


@pytest.fixture(scope="session")
def tiny_sim(tmp_path_factory) -> Path:
    """The tiny config simulated once (CLI path, same code as the rules)."""
    from deepallele.cli import main

    out = tmp_path_factory.mktemp("sim")
    assert main(["simulate", "--config", str(TINY_CONFIG), "--outdir", str(out)]) == 0
    return out


def run_snakemake(*args: str, cwd: Path | None = None):
    """Run the repository's workflow with this interpreter's snakemake; returns CompletedProcess."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args],
                          capture_output=True, text=True, cwd=cwd or REPO)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The whole workflow run once on the tiny config (real tools, 2 cores)."""
    work = tmp_path_factory.mktemp("tiny_workflow")
    res = run_snakemake("--directory", str(work), "--configfile", str(TINY_CONFIG), "--cores", "2")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    return work


def dry_run_job_counts(stdout: str) -> dict[str, int]:
    """{rule: jobs} from the job-stats table of ``snakemake -n --quiet rules`` (without the total)."""
    counts = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts


@pytest.fixture(scope="session")
def job_counts():
    """:func:`dry_run_job_counts`, as a fixture (test modules cannot import this conftest by name)."""
    return dry_run_job_counts


@pytest.fixture(scope="session")
def snakemake_run():
    """:func:`run_snakemake`, as a fixture (test modules cannot import this conftest by name)."""
    return run_snakemake


@pytest.fixture(scope="session")
def tiny_config_path() -> Path:
    return TINY_CONFIG


def write_real_genome(tmp: Path) -> dict:
    """A 400-bp reference and a one-SNP strain VCF (bgzipped + indexed), as config entries."""
    import pysam

    fa = tmp / "ref.fa"
    fa.write_text(">chr1\n" + "ACGT" * 100 + "\n")
    vcf = tmp / "strain.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=400>\n"
                   '##FORMAT=<ID=GT,Number=1,Type=String,Description="GT">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tCAST\n"
                   "chr1\t5\t.\tA\tG\t.\tPASS\t.\tGT\t1/1\n")
    pysam.tabix_compress(str(vcf), str(vcf) + ".gz", force=True)
    pysam.tabix_index(str(vcf) + ".gz", preset="vcf", force=True)
    return {"reference_fasta": str(fa), "strain_vcf": str(vcf) + ".gz"}


@pytest.fixture(scope="session")
def real_genome():
    """:func:`write_real_genome` as a fixture: ``real_genome(tmp_path) -> genome config entry``."""
    return write_real_genome
