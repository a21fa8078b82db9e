"""Shared fixtures: the repository root, a tiny simulated dataset and the tiny workflow run (each
made once per test run, also when pytest-xdist splits the run over several workers), and the
order in which xdist hands out the test files (the long end-to-end files first)."""
from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TINY_CONFIG = REPO / "tests" / "data" / "tiny_config.yaml"
# tests/bin/scontrol: answers `scontrol show config` at once when no SLURM controller runs (every
# snakemake start asks it; the real one waits ~9 s for the absent controller). First on PATH for
# the tests and every process they start.
SHIMS = REPO / "tests" / "bin"

# Under xdist (`-n 2 --dist loadfile`, scripts/run_tests.sh) the files are handed out in collection
# order, the next one to a worker once at most 2 of its tests are left. The long end-to-end files
# go first, so that they overlap each other and the unit tests fill in behind them: one worker takes
# test_entry_points.py, which builds `tiny_run` (then its own imported run; ~12 min), while the other
# runs the scATAC, SLURM and stage-harness runs. No reader of `tiny_run` is listed: a worker that
# took one early would wait for the build. They (tests/workflow/test_multiqc_rules.py,
# test_reads_pipeline.py, test_report.py, test_targets.py, test_workflow.py) stay at the end of the
# collection, by which time it is built.
START_FIRST = [
    "tests/workflow/test_entry_points.py",      # tiny_run (~8 min on 2 cores), then its imported run
    "tests/workflow/test_scatac_workflow.py",   # the tiny scATAC run
    "tests/workflow/test_slurm.py",             # the SLURM cluster run
    "tests/workflow/test_interpret_rules.py",   # 4 toy models, interpretation, the paper-size benchmark
    "tests/workflow/test_meandiff_rules.py",    # MeanDiff over the 746 JASPAR motifs
    "tests/workflow/test_models_rules.py",      # 4 toy trainings, evaluation, figures
    "tests/test_packaging.py",                  # two fresh virtual environments
]


def pytest_configure(config):
    path = os.environ.get("PATH", "")
    if str(SHIMS) not in path.split(os.pathsep):
        os.environ["PATH"] = str(SHIMS) + os.pathsep + path


def pytest_collection_modifyitems(session, config, items):
    """In an xdist worker (whose collection the scheduler hands out), the files of START_FIRST first
    (a stable sort: the rest keep collection order)."""
    if not hasattr(config, "workerinput"):
        return
    rank = {name: i for i, name in enumerate(START_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def shared_dir(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A directory that ``build`` fills once per test run.

    Without xdist, a new temporary directory (session fixtures call this once). Under xdist, the
    workers share one directory beside their own temporary roots: the first worker to ask builds
    it under a file lock while the others wait, and later ones reuse it (the xdist docs' pattern for
    session fixtures). A failed build is recorded, so the other workers fail with its message
    instead of building again.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        path = tmp_path_factory.mktemp(name)
        build(path)
        return path
    root = tmp_path_factory.getbasetemp().parent  # this run's folder, shared by its workers
    path, done, failed = root / name, root / f"{name}.done", root / f"{name}.failed"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"building {name} failed in another xdist worker:\n{failed.read_text()}")
        if not done.exists():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()
            try:
                build(path)
            except BaseException as err:
                failed.write_text(f"{type(err).__name__}: {err}")
                raise
            done.touch()
    return path


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

    def build(out: Path) -> None:
        assert main(["simulate", "--config", str(TINY_CONFIG), "--outdir", str(out)]) == 0

    return shared_dir(tmp_path_factory, "sim", build)


def run_snakemake(*args: str, cwd: Path | None = None):
    """Run the repository's workflow with this interpreter's snakemake; returns CompletedProcess."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args],
                          capture_output=True, text=True, cwd=cwd or REPO)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The whole workflow run once on the tiny config (real tools, 2 cores). Tests only read it or
    dry-run in it (a test that changes files works on a copy)."""

    def build(work: Path) -> None:
        res = run_snakemake("--directory", str(work), "--configfile", str(TINY_CONFIG), "--cores", "2")
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]

    return shared_dir(tmp_path_factory, "tiny_workflow", build)


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
