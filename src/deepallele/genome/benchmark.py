"""Throughput of the genome-preparation stages, measured on a simulated chromosome.

:func:`benchmark_genome_prep` simulates one chromosome and a Mouse-Genomes-Project-like pair of
strain VCFs (SNPs + indels of sample ``CAST_EiJ``), then times the stages that prepare one genome
of the workflow, each called exactly as its rule calls it:

``prepare_reference_fasta``
    gzip FASTA -> plain FASTA + ``.fai``
    (:func:`deepallele.genome.reference.prepare_reference_fasta`, rule ``prepare_reference``);
``prepare_strain_vcf``
    the bcftools pipelines (:func:`deepallele.genome.strain_vcf.prepare_strain_vcf`);
``pseudogenome``
    strain FASTA + chain (:func:`deepallele.genome.pseudogenome.build_pseudogenome`, the
    function ``scripts/pseudogenome.py`` calls);
``bowtie2_build``
    ``bowtie2-build --threads T`` of the reference FASTA (rule ``bowtie2_index``).

The table gives a rate per unit (Mb of sequence or VCF records) and the peak memory, from which
the time and memory of a mouse genome (mm10: 2.7 Gb, ~22.6 M SNPs + a few M indels for
CAST_EiJ) can be *estimated*; the numbers are measurements on one chromosome of ``chrom_mb`` Mb,
not a run at that scale.

How memory is measured
----------------------
The simulation and every step run in fresh Python processes (``python -c``), so that the
kernel's per-process high-water marks belong to one step alone (on Linux a child's
``ru_maxrss`` starts from its parent's RSS at fork, so the orchestrating process keeps no data):

* ``self`` -- ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the step's process: the
  in-process Python work (decompression, pysam, the pseudogenome splice), including the
  interpreter and imports, which are reported as ``baseline`` (``ru_maxrss`` before the step);
* ``child`` -- ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the largest single child
  (a bcftools stage, ``bowtie2-build-s``). It starts from the step process's RSS at fork, so
  it is never below about ``baseline`` and measures the tool only where it is larger;
* ``sampled`` -- with ``psutil`` (when installed), every 0.1 s: the RSS summed over the step's
  process and all its descendants (``tree``: concurrent bcftools stages add up) and of the
  largest descendant; short peaks can be missed.

``peak_rss_mb`` is, for ``bowtie2_build``, the tool's own peak (``child``, or the sampled
largest child if larger: the rule runs it without a Python parent); for the other steps, the
larger of ``self`` and ``tree`` (the rule's Python script and its bcftools children).
``note`` lists every component.

Run it as ``python -m deepallele.genome.benchmark --out results/benchmarks/genome_prep.tsv``.
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where it is used: the spawned step processes import this module, and their
# memory baseline should be that of the rule scripts (numpy + pysam), not pandas'.

log = logging.getLogger("deepallele.genome.benchmark")

#: Columns of the table :func:`benchmark_genome_prep` returns and writes.
COLUMNS = ["step", "input_size", "unit", "seconds", "per_unit_rate", "peak_rss_mb", "note"]
#: Steps, in the order they run (each needs the outputs of the one before).
STEPS = ["prepare_reference_fasta", "prepare_strain_vcf", "pseudogenome", "bowtie2_build"]
SAMPLE = "CAST_EiJ"
#: MGP names contigs ``1``..``19``, ``X``, ``MT``; the mm10 (UCSC) FASTA ``chr1``...: the
#: simulated pair keeps that difference, so the strain-VCF step renames as it would for mm10.
VCF_CONTIG, FASTA_CONTIG = "1", "chr1"
#: FILTER values of the failed records (MGP v5 uses these and a few more).
FAIL_FILTERS = ["MinDP", "MinMQ", "Het", "StrandBias", "BaseQualBias"]

_VCF_HEADER = """##fileformat=VCFv4.2
##source=deepallele.genome.benchmark (simulated, Mouse Genomes Project v5 layout)
##contig=<ID={contig},length={length},assembly=GRCm38>
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=MinDP,Description="Minimum read depth (5)">
##FILTER=<ID=MinMQ,Description="Minimum RMS mapping quality (20)">
##FILTER=<ID=Het,Description="Heterozygous calls">
##FILTER=<ID=StrandBias,Description="Min P-value for strand bias (0.0001)">
##FILTER=<ID=BaseQualBias,Description="Min P-value for baseQ bias (1e-100)">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Raw read depth">
##INFO=<ID=DP4,Number=4,Type=Integer,Description="Number of high-quality ref-forward, ref-reverse, alt-forward and alt-reverse bases">
##INFO=<ID=MQ,Number=1,Type=Float,Description="Average mapping quality">
{indel_info}##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="# high-quality bases">
##FORMAT=<ID=FI,Number=1,Type=Integer,Description="Whether a sample was a Pass(1) or fail (0) based on FILTER values">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{sample}
"""
_INDEL_INFO = '##INFO=<ID=INDEL,Number=0,Type=Flag,Description="Indicates that the variant is an INDEL.">\n'


# --------------------------------------------------------------------------------------------
# simulated inputs
# --------------------------------------------------------------------------------------------

def _simulate_inputs(work: Path, chrom_mb: float, snp_spacing: float, indel_spacing: float,
                     seed: int) -> dict:
    """Write ``reference.fa.gz`` and the MGP-like ``snps.vcf.gz`` / ``indels.vcf.gz`` (+ .tbi)."""
    import pysam

    from deepallele.alphabet import decode
    from deepallele.simulate.genome import background_sequence
    from deepallele.simulate.variants import random_variants

    rng = np.random.default_rng(seed)
    length = max(int(round(chrom_mb * 1e6)), 10_000)
    ref = background_sequence(length, rng, gc=0.42)
    variants = random_variants(VCF_CONTIG, ref, rng, snp_spacing, indel_spacing)
    sequence = decode(ref)
    del ref

    fasta_gz = work / "reference.fa.gz"
    with gzip.open(fasta_gz, "wt", compresslevel=6) as handle:
        handle.write(f">{FASTA_CONTIG} simulated, 42% GC\n")
        handle.write("\n".join(sequence[i:i + 60] for i in range(0, len(sequence), 60)))
        handle.write("\n")
    del sequence

    snps = [v for v in variants if v.kind in ("snp", "mnp")]
    indels = [v for v in variants if v.kind in ("ins", "del")]
    counts = {}
    paths = {}
    for name, records, is_indel in (("snps", snps, False), ("indels", indels, True)):
        text = work / f"{name}.vcf"
        counts[name] = _write_mgp_vcf(text, records, length, rng, is_indel)
        # bgzip + tabix, as MGP distributes them
        paths[name] = Path(pysam.tabix_index(str(text), preset="vcf", force=True))
    return {"fasta_gz": str(fasta_gz), "snps": str(paths["snps"]), "indels": str(paths["indels"]),
            "length": length, "records": counts}


def _write_mgp_vcf(path: Path, variants: list, length: int, rng: np.random.Generator, is_indel: bool) -> dict:
    """MGP-like records: ~3 % failing a filter, ~2 % heterozygous, ~0.5 % multiallelic (2/2)."""
    n = len(variants)
    u = rng.random(n)
    failed = u < 0.03
    het = (u >= 0.03) & (u < 0.05)
    multi = (u >= 0.05) & (u < 0.055) & (not is_indel)
    fail_names = np.asarray(FAIL_FILTERS)[rng.integers(0, len(FAIL_FILTERS), n)]
    depth = rng.integers(8, 120, n)
    alt_fwd = depth // 2
    gq = rng.integers(20, 100, n)
    rs = rng.random(n) < 0.4
    rs_ids = rng.integers(30_000_000, 600_000_000, n)
    info_flag = "INDEL;" if is_indel else ""
    lines = []
    for i, v in enumerate(variants):
        alt, gt = v.alt, "1/1"
        if multi[i]:
            other = next(b for b in "ACGT" if b not in (v.ref, v.alt))
            alt, gt = f"{other},{v.alt}", "2/2"
        elif het[i]:
            gt = "0/1"
        filt = fail_names[i] if failed[i] else "PASS"
        d = int(depth[i])
        lines.append(f"{VCF_CONTIG}\t{v.pos + 1}\t{'rs%d' % rs_ids[i] if rs[i] else '.'}\t{v.ref}\t{alt}\t"
                     f"{min(228, 30 + d)}\t{filt}\t{info_flag}DP={d};DP4=0,0,{alt_fwd[i]},{d - alt_fwd[i]};MQ=60\t"
                     f"GT:GQ:DP:FI\t{gt}:{gq[i]}:{d}:{0 if failed[i] else 1}\n")
    with open(path, "w") as handle:
        handle.write(_VCF_HEADER.format(contig=VCF_CONTIG, length=length, sample=SAMPLE,
                                        indel_info=_INDEL_INFO if is_indel else ""))
        handle.writelines(lines)
    return {"records": n, "failed": int(failed.sum()), "het": int(het.sum()), "multiallelic": int(multi.sum())}


# --------------------------------------------------------------------------------------------
# one step in its own process
# --------------------------------------------------------------------------------------------

def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # KiB on Linux


class _TreeSampler:
    """Sampled RSS peaks (needs psutil): this process + its descendants, and the largest descendant."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak = self.child_peak = None
        self._stop = threading.Event()
        try:
            import psutil
        except ImportError:
            self._thread = None
            return
        self._psutil = psutil
        self.peak = self.child_peak = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        psutil = self._psutil
        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                rss = proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            total += rss
            if proc.pid != me.pid:
                self.child_peak = max(self.child_peak, rss / 2 ** 20)
        self.peak = max(self.peak, total / 2 ** 20)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self):
        if self._thread is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        return False


def _run_step(step: str, paths: dict, threads: int, log_level: int | None) -> dict:
    """Run one step (in a fresh worker process) and return its timing and memory."""
    if log_level is not None:
        from deepallele.logutil import setup_logging

        setup_logging(None, log_level)
    if step == "simulate":
        return _simulate_inputs(Path(paths["work"]), **paths["simulation"])
    # import here, before the baseline, so imports do not count as the step's memory
    from deepallele.genome.pseudogenome import build_pseudogenome
    from deepallele.genome.reference import prepare_reference_fasta
    from deepallele.genome.strain_vcf import prepare_strain_vcf

    baseline = _maxrss_mb(resource.RUSAGE_SELF)
    detail: dict = {}
    with _TreeSampler() as sampler:
        start = time.perf_counter()
        if step == "prepare_reference_fasta":
            prepare_reference_fasta(paths["fasta_gz"], paths["fasta"])
        elif step == "prepare_strain_vcf":
            res = prepare_strain_vcf([paths["snps"], paths["indels"]], paths["strain_vcf"], paths["fasta"],
                                     sample=SAMPLE, threads=threads, summary=paths["strain_vcf_summary"])
            detail = {"records_read": res["records_read"], "records_out": res["records_out"]}
        elif step == "pseudogenome":
            res = build_pseudogenome(paths["fasta"], paths["strain_vcf"], paths["strain_fa"], paths["chain"],
                                     sample=SAMPLE, report=paths["skipped"], summary=paths["pseudo_summary"])
            detail = {"records": res["records"], "applied": res["applied"], "skipped": res["skipped"]}
        elif step == "bowtie2_build":
            with open(paths["bowtie2_log"], "wb") as out:
                subprocess.run(["bowtie2-build", "--threads", str(threads), str(paths["fasta"]),
                                str(paths["bowtie2_prefix"])], stdout=out, stderr=subprocess.STDOUT, check=True)
        else:
            raise ValueError(f"unknown step {step!r}")
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "baseline_mb": baseline, "self_mb": _maxrss_mb(resource.RUSAGE_SELF),
            "child_mb": _maxrss_mb(resource.RUSAGE_CHILDREN), "tree_mb": sampler.peak,
            "child_sampled_mb": sampler.child_peak, **detail}


def _worker_main() -> None:
    """Entry of a step process: JSON arguments on stdin, the JSON result to the file they name."""
    args = json.loads(sys.stdin.read())
    result = _run_step(args["step"], args["paths"], args["threads"], args["log_level"])
    Path(args["result"]).write_text(json.dumps(result))


def _in_fresh_process(step: str, paths: dict, threads: int, work: Path) -> dict:
    """Run :func:`_run_step` in a new interpreter (its stderr, the step's log, passes through)."""
    level = log.getEffectiveLevel() if logging.getLogger("deepallele").handlers else None
    result = work / f"{step}.result.json"
    args = {"step": step, "paths": {k: v if isinstance(v, dict) else str(v) for k, v in paths.items()},
            "threads": threads, "log_level": level, "result": str(result)}
    res = subprocess.run([sys.executable, "-c", "from deepallele.genome.benchmark import _worker_main; "
                          "_worker_main()"], input=json.dumps(args), text=True)
    if res.returncode != 0:
        raise RuntimeError(f"benchmark step {step} failed (exit status {res.returncode}); see the log above")
    return json.loads(result.read_text())


def _tool_version(args: list[str]) -> str:
    try:
        res = subprocess.run(args, capture_output=True, text=True)
    except OSError:
        return "not found"
    first = (res.stdout or res.stderr).strip().splitlines()
    return first[0].split()[-1] if first else "?"


def _write_tsv_atomic(table, out_tsv: Path) -> None:
    out_tsv.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_tsv.name}.", suffix=".part", dir=out_tsv.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            table.to_csv(handle, sep="\t", index=False, float_format="%.6g")
        os.replace(tmp, out_tsv)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# the benchmark
# --------------------------------------------------------------------------------------------

def benchmark_genome_prep(out_tsv, *, chrom_mb: float = 10, snp_spacing: float = 140,
                          indel_spacing: float = 1500, threads: int = 1, seed: int = 0) -> pd.DataFrame:
    """Time and measure the memory of the genome-preparation stages on one simulated chromosome.

    Parameters
    ----------
    out_tsv : str or pathlib.Path
        TSV to write (atomically: a temporary file next to it, then renamed), with the columns
        of :data:`COLUMNS`, one row per step of :data:`STEPS`.
    chrom_mb : float
        Length of the simulated chromosome, in Mb (1 Mb = 10^6 bp).
    snp_spacing, indel_spacing : float
        Mean distance between SNPs and between indels, in bp (mm10 CAST_EiJ: ~120 and
        ~1000-1500).
    threads : int
        Threads of ``prepare_strain_vcf`` and ``bowtie2-build``.
    seed : int
        Seed of the simulation.

    Returns
    -------
    pandas.DataFrame
        The table written to ``out_tsv``: ``step``; ``input_size`` and its ``unit`` (``Mb`` of
        reference sequence, or ``records`` of the input VCFs for ``prepare_strain_vcf`` and of
        the prepared strain VCF for ``pseudogenome``); ``seconds`` (wall, ``time.perf_counter``
        around the call, without process start-up); ``per_unit_rate`` (``input_size / seconds``:
        Mb/s or records/s); ``peak_rss_mb`` (see the module docstring) and ``note`` (the
        memory components, counts, CPU count, load and tool versions).

    Raises
    ------
    FileNotFoundError
        ``bcftools``, ``tabix`` or ``bowtie2-build`` is not on ``PATH``.

    Notes
    -----
    The simulated chromosome is named ``chr1`` in the FASTA and ``1`` in the VCFs (mm10 UCSC vs
    MGP naming). The VCFs hold sample ``CAST_EiJ`` with non-overlapping, left-aligned variants,
    about 3 % failing a FILTER, 2 % heterozygous and 0.5 % multiallelic SNPs (``2/2``); INFO is
    ``DP``, ``DP4``, ``MQ`` (no VEP ``CSQ``, so records are shorter than MGP's). Inputs and
    outputs live in a temporary directory that is removed afterwards. Timings are wall-clock
    and depend on the machine's load (reported in ``note``).
    """
    for tool in ("bcftools", "tabix", "bowtie2-build"):
        if shutil.which(tool) is None:
            raise FileNotFoundError(f"{tool} is not on PATH (needed by the benchmark)")
    out_tsv = Path(out_tsv)
    threads = max(1, int(threads))
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cpus
    machine = f"cpus={cpus} (usable {usable}); threads={threads}; {platform.machine()}"
    versions = {"bcftools": _tool_version(["bcftools", "--version"]),
                "bowtie2-build": _tool_version(["bowtie2-build", "--version"])}
    log.info("genome-prep benchmark: %.3g Mb chromosome, SNP every %g bp, indel every %g bp; %s",
             chrom_mb, snp_spacing, indel_spacing, machine)

    rows = []
    with tempfile.TemporaryDirectory(prefix="deepallele_genome_bench.") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        # in its own process: a child's ru_maxrss starts from its parent's RSS at fork, so the
        # parent of the measured steps must stay small
        sim = _in_fresh_process("simulate", {"work": work, "simulation": {
            "chrom_mb": chrom_mb, "snp_spacing": snp_spacing, "indel_spacing": indel_spacing, "seed": seed}},
            threads, work)
        n_in = sim["records"]["snps"]["records"] + sim["records"]["indels"]["records"]
        log.info("simulated %s bp and %d + %d VCF records in %.1f s (%s)", f"{sim['length']:,}",
                 sim["records"]["snps"]["records"], sim["records"]["indels"]["records"],
                 time.perf_counter() - start, sim["records"])
        (work / "bowtie2").mkdir()
        paths = {
            "fasta_gz": sim["fasta_gz"], "snps": sim["snps"], "indels": sim["indels"],
            "fasta": work / "reference.fa",
            "strain_vcf": work / "strain.vcf.gz", "strain_vcf_summary": work / "strain_vcf_summary.json",
            "strain_fa": work / "strain.fa", "chain": work / "ref_to_strain.chain",
            "skipped": work / "pseudogenome_skipped.tsv", "pseudo_summary": work / "pseudogenome_summary.json",
            "bowtie2_prefix": work / "bowtie2" / "ref", "bowtie2_log": work / "bowtie2.log",
        }
        mb = sim["length"] / 1e6
        for step in STEPS:
            log.info("step %s ...", step)
            m = _in_fresh_process(step, paths, threads, work)
            if step == "prepare_strain_vcf":
                size, unit = m["records_read"], "records"
                extra = (f"records in {n_in} ({sim['records']['snps']['records']} SNP file, "
                         f"{sim['records']['indels']['records']} indel file), out {m['records_out']}; "
                         f"{mb / m['seconds']:.3g} Mb/s; bcftools {versions['bcftools']}")
            elif step == "pseudogenome":
                size, unit = m["records"], "records"
                extra = (f"applied {m['applied']}, skipped {m['skipped']}; {mb / m['seconds']:.3g} Mb/s; "
                         "in-process Python + pysam")
            elif step == "bowtie2_build":
                size, unit = mb, "Mb"
                extra = f"reference FASTA; bowtie2-build {versions['bowtie2-build']} --threads {threads}"
            else:
                size, unit = mb, "Mb"
                extra = "gzip -> plain + .fai, in-process Python + pysam"
            if step == "bowtie2_build":  # the rule runs the tool alone, without a Python parent
                what, parts = "bowtie2-build", (m["child_mb"], m["child_sampled_mb"])
            else:
                what, parts = "python + children", (m["self_mb"], m["tree_mb"])
            peak = max(v for v in parts if v is not None)
            sampled = "n/a (no psutil)" if m["tree_mb"] is None else \
                f"tree {m['tree_mb']:.0f}, largest child {m['child_sampled_mb']:.0f}"
            note = (f"{extra}; peak = {what}; rss MB: self {m['self_mb']:.0f} (baseline {m['baseline_mb']:.0f}), "
                    f"largest child {m['child_mb']:.0f}, sampled {sampled}; {machine}; "
                    f"load {os.getloadavg()[0]:.2f}")
            rows.append({"step": step, "input_size": size, "unit": unit, "seconds": m["seconds"],
                         "per_unit_rate": size / m["seconds"] if m["seconds"] > 0 else float("nan"),
                         "peak_rss_mb": peak, "note": note})
            log.info("step %s: %.2f s, %.4g %s/s, peak RSS %.0f MB", step, m["seconds"],
                     rows[-1]["per_unit_rate"], unit, peak)

    import pandas as pd

    table = pd.DataFrame(rows, columns=COLUMNS)
    _write_tsv_atomic(table, out_tsv)
    log.info("wrote %s", out_tsv)
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m deepallele.genome.benchmark --out TSV [--chrom-mb 10] ...``."""
    parser = argparse.ArgumentParser(prog="python -m deepallele.genome.benchmark",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="TSV to write")
    parser.add_argument("--chrom-mb", type=float, default=10, help="simulated chromosome length, Mb")
    parser.add_argument("--snp-spacing", type=float, default=140, help="mean bp between SNPs")
    parser.add_argument("--indel-spacing", type=float, default=1500, help="mean bp between indels")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from deepallele.logutil import setup_logging

    setup_logging(None)
    table = benchmark_genome_prep(args.out, chrom_mb=args.chrom_mb, snp_spacing=args.snp_spacing,
                                  indel_spacing=args.indel_spacing, threads=args.threads, seed=args.seed)
    import pandas as pd

    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print(table.drop(columns="note").to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
