"""The strain VCF the workflow uses: one sample, its homozygous variants, named and normalised as the FASTA.

:func:`prepare_strain_vcf` turns the VCF(s) a user has for a strain (the Mouse Genomes Project's
``CAST_EiJ.mgp.v5.snps.dbSNP142.vcf.gz`` + ``CAST_EiJ.mgp.v5.indels.dbSNP142.normed.vcf.gz``,
or one VCF of their own) into a single bgzipped, tabix-indexed, sorted VCF that the pseudogenome
stage (:func:`deepallele.genome.pseudogenome.build_pseudogenome`) applies.

Everything record-wise runs in bcftools pipelines (``view``, ``annotate``, ``norm``, ``sort``),
not a Python loop over records, so the ~20 M records of an MGP strain go through at bcftools
speed. Python only merges the input headers and copies bytes between the processes.

Per input::

    [bcftools reheader -h <header + undeclared contigs>]  # only if records use undeclared contigs
    | bcftools view -s SAMPLE                              # one sample
    | bcftools view -f PASS,. -i 'GT="AA"||GT="A"' -a    # filters; trim unused ALTs (2/2 -> 1/1)
      -T <contigs the FASTA has>                         # drop records on other contigs
    | bcftools annotate --rename-chrs <map>              # 1 -> chr1, MT -> chrM
    | bcftools norm -f FASTA --check-ref e -m -any       # left-align, split, check REF

then all inputs, under one merged header whose ``##contig`` lines are the FASTA's (names,
lengths and order), go through ``bcftools sort`` to ``<out>.vcf.gz`` and ``tabix``. A second,
concurrent ``bcftools query`` per input counts the records per contig, FILTER and genotype for
the summary.

Overlapping records (a SNP inside a deletion, two indels at one site) are kept: which of them
to apply is decided, and reported, by the pseudogenome stage.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .contigs import fasta_contigs, naming_map, vcf_header_contigs, vcf_record_contigs, write_rename_map
from .pseudogenome import ReferenceMismatchError

log = logging.getLogger("deepallele.genome")

#: bcftools expression for a homozygous non-reference genotype: ``1/1``, ``2/2``, ``1|1``
#: (``AA`` never matches ``1/2``, ``./1`` or ``0/1``) and haploid ``1`` (``A``).
HOM_ALT_EXPRESSION = 'GT="AA" || GT="A"'
#: ``bcftools query %TYPE`` values -> summary keys.
_TYPE_KEYS = {"SNP": "snp", "INDEL": "indel", "MNP": "mnp", "REF": "ref", "OTHER": "other"}
_MISMATCH = re.compile(r"Reference allele mismatch at (\S+):(\d+) \.\. REF_SEQ:'([^']*)' vs VCF:'([^']*)'")
_ALLELE_SPLIT = re.compile(r"[/|]")


class StrainVcfError(ValueError):
    """An input VCF cannot be used (sample missing, no usable records, a bcftools failure)."""


def _bcftools() -> str:
    path = shutil.which("bcftools")
    if path is None:
        raise StrainVcfError("bcftools is not on PATH (install it: apt-get install bcftools, or "
                             "conda install -c bioconda bcftools)")
    return path


def _samples(bcftools: str, vcf: Path) -> list[str]:
    res = subprocess.run([bcftools, "query", "-l", str(vcf)], capture_output=True, text=True)
    if res.returncode != 0:
        raise StrainVcfError(f"{vcf}: bcftools cannot read this VCF: {res.stderr.strip()[-1000:]}")
    return [s for s in res.stdout.splitlines() if s]


def _choose_sample(bcftools: str, vcfs: list[Path], sample: str | None) -> str | None:
    """The sample every input is subset to, or None when every input is sites-only."""
    samples = {vcf: _samples(bcftools, vcf) for vcf in vcfs}
    if sample is None:
        with_samples = [vcf for vcf in vcfs if samples[vcf]]
        if not with_samples:
            log.info("the VCFs have no samples (sites only): every record counts as the strain's "
                     "allele, and the genotype filter does not apply")
            return None
        first = with_samples[0]
        sample = samples[first][0]
        if len(samples[first]) > 1:
            log.warning("%s has %d samples (%s); using the first, %s (choose one with the sample "
                        "setting)", first, len(samples[first]), ", ".join(samples[first][:10]), sample)
    for vcf in vcfs:
        if sample not in samples[vcf]:
            have = ", ".join(samples[vcf][:20]) if samples[vcf] else "no samples (sites only)"
            more = f", ... ({len(samples[vcf])} in all)" if len(samples[vcf]) > 20 else ""
            raise StrainVcfError(f"{vcf}: sample {sample!r} not found; the VCF has {have}{more}")
    return sample


def _classify(gt: str) -> bool:
    """Whether a ``bcftools query`` GT string is homozygous non-reference (as HOM_ALT_EXPRESSION)."""
    alleles = _ALLELE_SPLIT.split(gt)
    return len(alleles) <= 2 and "." not in alleles and len(set(alleles)) == 1 and alleles[0] != "0"


class _Process:
    """A started subprocess whose stderr goes to a file (no pipe to fill and deadlock)."""

    def __init__(self, args, stderr_path: Path, stdin=None, stdout=subprocess.PIPE, vcf=None):
        self.args = args
        self.vcf = vcf
        self.stderr_path = stderr_path
        self._err = open(stderr_path, "wb")
        self.proc = subprocess.Popen(args, stdin=stdin, stdout=stdout, stderr=self._err)

    def wait(self) -> int:
        rc = self.proc.wait()
        self._err.close()
        return rc

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace").strip()
        except OSError:
            return ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._err.close()


def _header(bcftools: str, vcf: Path, sample: str | None) -> list[str]:
    args = [bcftools, "view", "-h", "--no-version", "-I"] + (["-s", sample] if sample else []) + [str(vcf)]
    res = subprocess.run(args, capture_output=True, text=True)
    if res.returncode != 0:
        raise StrainVcfError(f"{vcf}: bcftools cannot read the header: {res.stderr.strip()[-1000:]}")
    return res.stdout.splitlines()


def _merged_header(headers: list[tuple[Path, list[str]]], fasta_sizes: dict[str, int]) -> bytes:
    """One header for all inputs: the union of their meta lines, the FASTA's contigs.

    Structured lines (``##INFO=<ID=DP,...>``) are kept once per (key, ID), first input first;
    other meta lines once per text. ``##contig`` lines are replaced by the FASTA's, so the
    sorted output follows the FASTA's contig order and lengths.
    """
    meta: list[str] = []
    seen: set = set()
    columns = fileformat = None
    for vcf, lines in headers:
        for line in lines:
            if line.startswith("#CHROM"):
                if columns is None:
                    columns = line
                elif line.split("\t")[9:] != columns.split("\t")[9:]:
                    raise StrainVcfError(f"{vcf}: sample columns {line.split(chr(9))[9:]} differ from "
                                         f"those of {headers[0][0]} {columns.split(chr(9))[9:]}")
                continue
            if line.startswith("##fileformat="):
                fileformat = fileformat or line
                continue
            if line.startswith("##contig="):
                continue
            match = re.match(r"##([^=]+)=<.*?\bID=([^,>]+)", line)
            key = (match.group(1), match.group(2)) if match else line
            if key not in seen:
                seen.add(key)
                meta.append(line)
    contigs = [f"##contig=<ID={name},length={length}>" for name, length in fasta_sizes.items()]
    return ("\n".join([fileformat or "##fileformat=VCFv4.2", *meta, *contigs, columns]) + "\n").encode()


def _count_query(proc: _Process, counter: Counter) -> None:
    # Counter over the raw lines is a C loop: ~20 M lines take seconds, not minutes
    counter.update(proc.proc.stdout)
    proc.proc.stdout.close()


def _records_in(counter: Counter) -> dict:
    """Per-input counts from ``CHROM<TAB>FILTER[<TAB>GT]`` line counts."""
    out = {"records": 0, "filters": Counter(), "genotypes": Counter(), "by_contig": {}}
    for line, n in counter.items():
        fields = line.decode(errors="replace").rstrip("\n").split("\t")
        chrom, filt = fields[0], fields[1]
        gt = fields[2] if len(fields) > 2 else None
        out["records"] += n
        out["filters"][filt] += n
        if gt is not None:
            out["genotypes"][gt] += n
        out["by_contig"].setdefault(chrom, []).append((filt, gt, n))
    return out


def prepare_strain_vcf(vcfs: str | Path | Iterable[str | Path], out_vcf: str | Path, fasta: str | Path, *,
                       sample: str | None = None, pass_only: bool = True, hom_alt_only: bool = True,
                       threads: int = 1, summary: str | Path | None = None) -> dict:
    """Write the strain's single-sample VCF, named and normalised as the reference FASTA.

    Parameters
    ----------
    vcfs : path or list of paths
        One or more VCFs (plain or bgzipped; indexed or not), e.g. MGP's SNP and indel files
        of one strain. Every input must hold ``sample`` (or all be sites-only).
    out_vcf : str or pathlib.Path
        Output ``.vcf.gz`` (bgzipped, sorted in the FASTA's contig order); ``<out_vcf>.tbi``
        and ``<out_vcf>.contig_map.tsv`` (the renames applied, ``old<TAB>new``) are written
        next to it.
    fasta : str or pathlib.Path
        Reference FASTA with its ``.fai`` (see
        :func:`deepallele.genome.reference.prepare_reference_fasta`).
    sample : str, optional
        Sample to keep. Default: the first sample of the first input with samples (a warning
        is logged when it has several). Inputs without samples (sites only) are accepted only
        when all are: then every record is taken as the strain's allele.
    pass_only : bool
        Keep records whose FILTER is ``PASS`` or missing (``.``: no filter was applied, as in
        many users' VCFs); drop MGP's ``MinDP``, ``Het``, ... records.
    hom_alt_only : bool
        Keep homozygous non-reference genotypes only (``1/1``, ``2/2``, ``1|1``, haploid
        ``1``); drop heterozygous (``0/1``, ``1/2``), reference and missing (``./.``) ones.
        Unused ALT alleles are then trimmed (``2/2`` of ``A,G`` becomes ``1/1`` of ``G``).
        Without it, records keep their alleles and multiallelic ones are split by ``norm``.
    threads : int
        Threads for decompressing the inputs; the inputs' record counting runs alongside.
    summary : str or pathlib.Path, optional
        JSON file with the returned summary.

    Returns
    -------
    dict
        ``sample``, ``fasta``, ``output``, ``pass_only``, ``hom_alt_only``; ``inputs`` (per
        VCF: ``records`` read, ``pass`` kept after the FILTER step, ``hom_alt`` kept after the
        genotype step, ``filters`` and ``genotypes`` counts); the totals ``records_read``,
        ``records_pass``, ``records_kept``; ``renamed_contigs`` (old -> new);
        ``dropped_contigs`` (contig -> records that passed the filters but lie on a contig the
        FASTA lacks, e.g. MGP's ``GL...``/``JH...`` scaffolds against UCSC names) and
        ``records_dropped``; ``records_out`` and ``records_out_by_type`` (``snp``, ``indel``,
        ``mnp``, ``other``, ``ref``, from ``bcftools query %TYPE``).

    Raises
    ------
    ReferenceMismatchError
        A REF allele differs from the FASTA (``bcftools norm --check-ref e``): the message
        names the input, the record and the bases; the VCF and the FASTA are then most likely
        different assemblies.
    StrainVcfError
        A sample is missing, no record is on a FASTA contig, or a bcftools step failed.
    FileNotFoundError
        An input, the FASTA or its ``.fai`` is missing.

    Notes
    -----
    The output is deterministic (the same bytes for the same inputs): every bcftools step runs
    with ``--no-version``, so no command lines, paths or dates enter the header. Overlapping
    records (SNP-inside-deletion clusters) are not resolved here: the pseudogenome stage skips
    and reports them. All files are made in a temporary directory next to the output and
    renamed at the end (the ``.vcf.gz`` first, then its ``.tbi``); on failure nothing is left.
    """
    vcfs = [Path(vcfs)] if isinstance(vcfs, (str, Path)) else [Path(v) for v in vcfs]
    out_vcf, fasta = Path(out_vcf), Path(fasta)
    if not vcfs:
        raise StrainVcfError("no strain VCF given")
    for vcf in vcfs:
        if not vcf.exists():
            raise FileNotFoundError(f"{vcf}: strain VCF not found")
    if not fasta.exists():
        raise FileNotFoundError(f"{fasta}: reference FASTA not found")
    if not Path(f"{fasta}.fai").exists():
        raise FileNotFoundError(f"{fasta}.fai: the reference FASTA has no index (bcftools norm would "
                                "write one next to it); make it with prepare_reference_fasta or "
                                "samtools faidx")
    bcftools = _bcftools()
    out_vcf.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_vcf.name}.", dir=out_vcf.parent))
    try:
        result = _prepare(bcftools, vcfs, out_vcf, fasta, tmp, sample, pass_only, hom_alt_only,
                          max(1, int(threads)))
        tbi = Path(f"{out_vcf}.tbi")
        contig_map = Path(f"{out_vcf}.contig_map.tsv")
        if summary is not None:
            with open(tmp / "summary.json", "w") as handle:
                json.dump(result, handle, indent=2)
                handle.write("\n")
        # the VCF first, then its (newer) index; the side files last
        os.replace(tmp / "out.vcf.gz", out_vcf)
        os.replace(tmp / "out.vcf.gz.tbi", tbi)
        os.replace(tmp / "contig_map.tsv", contig_map)
        if summary is not None:
            Path(summary).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / "summary.json", summary)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def _prepare(bcftools, vcfs, out_vcf, fasta, tmp, sample, pass_only, hom_alt_only, threads) -> dict:
    fasta_sizes = fasta_contigs(fasta)
    sample = _choose_sample(bcftools, vcfs, sample)
    genotype_filter = hom_alt_only and sample is not None

    # contig naming: one map for all inputs, from the contigs they declare or hold records on
    declared = {vcf: vcf_header_contigs(vcf) for vcf in vcfs}
    used = {vcf: vcf_record_contigs(vcf) for vcf in vcfs}
    all_names = list(dict.fromkeys(n for vcf in vcfs for n in declared[vcf] + used[vcf]))
    mapping = naming_map(all_names, fasta_sizes)
    write_rename_map(mapping, tmp / "contig_map.tsv")
    renames = {a: b for a, b in mapping.items() if b is not None and a != b}
    keep = [a for a, b in mapping.items() if b is not None]
    if not keep:
        raise StrainVcfError(
            f"no contig of {', '.join(map(str, vcfs))} ({', '.join(all_names[:5])}"
            f"{', ...' if len(all_names) > 5 else ''}) is in {fasta} ({', '.join(list(fasta_sizes)[:5])}, ...), "
            "even with 'chr' added or removed: are they for the same assembly?")
    targets = tmp / "targets.tsv"
    # whole contigs, streamed (-T needs no index); the end is past any contig
    targets.write_text("".join(f"{name}\t1\t{2 ** 40}\n" for name in keep))
    # Records on contigs the header does not declare stop 'bcftools view -s' ("Undefined tags in
    # the header"): such inputs are read through 'bcftools reheader' with the contigs added.
    sources: dict[Path, list[list[str]]] = {}
    for i, vcf in enumerate(vcfs):
        undeclared = [c for c in used[vcf] if c not in declared[vcf]]
        sources[vcf] = []
        if undeclared:
            lines = _header(bcftools, vcf, None)
            lines[-1:-1] = [f"##contig=<ID={name}>" for name in undeclared]
            header_file = tmp / f"header{i}.txt"
            header_file.write_text("\n".join(lines) + "\n")
            sources[vcf] = [[bcftools, "reheader", "-h", str(header_file), str(vcf)]]
            log.info("%s: records on contigs its header does not declare (%s); read with them declared",
                     vcf, ", ".join(undeclared[:10]))

    merged = _merged_header([(vcf, _header(bcftools, vcf, sample)) for vcf in vcfs], fasta_sizes)

    processes: list[_Process] = []
    threads_started: list[threading.Thread] = []
    try:
        sink = _Process([bcftools, "sort", "-m", "768M", "-T", str(tmp / "sort."), "-Oz", "-o",
                         str(tmp / "out.vcf.gz"), "-"], tmp / "sort.err", stdin=subprocess.PIPE,
                        stdout=subprocess.DEVNULL)
        processes.append(sink)
        counters: list[Counter] = []
        try:
            sink.proc.stdin.write(merged)
            for i, vcf in enumerate(vcfs):
                counter: Counter = Counter()
                counters.append(counter)
                query_cmd = [bcftools, "query"] + (["-s", sample] if sample else []) + \
                    ["-f", "%CHROM\t%FILTER" + ("[\t%GT]" if sample else "") + "\n"]
                query_stages = _chain([(f"query{i}.{n}", c) for n, c in enumerate(sources[vcf])]
                                      + [(f"query{i}", query_cmd)], vcf, tmp)
                processes.extend(query_stages)
                query = query_stages[-1]
                reader = threading.Thread(target=_count_query, args=(query, counter), daemon=True)
                reader.start()
                threads_started.append(reader)
                stages = _stage(bcftools, vcf, sample, fasta, tmp, i, pass_only, genotype_filter, targets,
                                renames, threads, sources[vcf])
                processes.extend(stages)
                # skip the stage's own header: the merged one is already written
                stdout = stages[-1].proc.stdout
                for line in stdout:
                    if line.startswith(b"#CHROM"):
                        break
                shutil.copyfileobj(stdout, sink.proc.stdin, 1 << 20)
                stdout.close()
                codes = [stage.wait() for stage in stages]
                if any(codes):
                    # the stage that failed first, not the ones upstream of it killed by SIGPIPE
                    failed = [st for st, rc in zip(stages, codes) if rc not in (0, -signal.SIGPIPE)]
                    _raise_stage_error((failed or [st for st, rc in zip(stages, codes) if rc])[0], vcf,
                                       fasta, renames)
            sink.proc.stdin.close()
        except BrokenPipeError:
            pass  # the sort failed: reported below
        if sink.wait() != 0:
            raise StrainVcfError(f"bcftools sort failed for {out_vcf}: {sink.stderr()[-2000:]}")
        for reader in threads_started:
            reader.join()
        for proc in processes:
            if proc.wait() != 0:
                raise StrainVcfError(f"bcftools {proc.args[1]} failed on {proc.vcf}: {proc.stderr()[-2000:]}")
    except BaseException:
        for proc in processes:
            proc.kill()
        raise

    _log_messages(processes)
    res = subprocess.run(["tabix", "-p", "vcf", str(tmp / "out.vcf.gz")], capture_output=True, text=True)
    if res.returncode != 0:
        raise StrainVcfError(f"tabix failed on the strain VCF: {res.stderr.strip()}")
    types = _type_counts(bcftools, tmp / "out.vcf.gz", tmp)

    # --- summary ---
    keep_set = set(keep)
    inputs, dropped = [], Counter()
    for vcf, counter in zip(vcfs, counters):
        counts = _records_in(counter)
        passed = kept = 0
        for chrom, rows in counts["by_contig"].items():
            for filt, gt, n in rows:
                if pass_only and filt not in ("PASS", "."):
                    continue
                passed += n
                if genotype_filter and not _classify(gt or "."):
                    continue
                kept += n
                if chrom not in keep_set:
                    dropped[chrom] += n
        inputs.append({"vcf": str(vcf), "records": counts["records"], "pass": passed, "hom_alt": kept,
                       "filters": dict(sorted(counts["filters"].items())),
                       "genotypes": dict(sorted(counts["genotypes"].items()))})
    records_out = sum(types.values())
    result = {
        "sample": sample,
        "fasta": str(fasta),
        "output": str(out_vcf),
        "pass_only": pass_only,
        "hom_alt_only": hom_alt_only,
        "inputs": inputs,
        "records_read": sum(i["records"] for i in inputs),
        "records_pass": sum(i["pass"] for i in inputs),
        "records_kept": sum(i["hom_alt"] for i in inputs),
        "renamed_contigs": renames,
        "dropped_contigs": dict(sorted(dropped.items())),
        "records_dropped": sum(dropped.values()),
        "records_out": records_out,
        "records_out_by_type": {key: types.get(key, 0) for key in ("snp", "indel", "mnp", "other", "ref")},
    }
    expected = result["records_kept"] - result["records_dropped"]
    for vcf, item in zip(vcfs, inputs):
        log.info("%s: %d records read, %d after the FILTER step, %d after the genotype step", vcf,
                 item["records"], item["pass"], item["hom_alt"])
    if dropped:
        log.warning("dropped %d records on %d contigs that %s lacks: %s", result["records_dropped"], len(dropped),
                    fasta, ", ".join(f"{c} ({n})" for c, n in list(dropped.items())[:10]))
    if renames:
        log.info("renamed %d contigs (%s)", len(renames),
                 ", ".join(f"{a}->{b}" for a, b in list(renames.items())[:5]) + (", ..." if len(renames) > 5 else ""))
    if records_out != expected:
        # more: multiallelic records split by norm -m -any (only without the genotype step)
        log.info("%d records out from %d kept on the FASTA's contigs (multiallelic records are split)",
                 records_out, expected)
    if records_out == 0:
        log.warning("%s: no records left after the filters", out_vcf)
    log.info("%s: %d records (%s)", out_vcf, records_out,
             ", ".join(f"{k} {v}" for k, v in result["records_out_by_type"].items() if v))
    return result


def _chain(commands: list[tuple[str, list[str]]], vcf: Path, tmp: Path) -> list[_Process]:
    """Start ``commands`` as a pipeline; the first reads the input file, each later one stdin."""
    stages: list[_Process] = []
    for name, args in commands:
        stdin = stages[-1].proc.stdout if stages else None
        if stdin is not None:
            args = args + ["-"]
        elif args[1] != "reheader":
            args = args + [str(vcf)]
        stages.append(_Process(args, tmp / f"{name}.err", stdin=stdin, vcf=vcf))
        if stdin is not None:
            stdin.close()  # the child holds it now; closing ours lets SIGPIPE reach the writer
    return stages


def _stage(bcftools, vcf, sample, fasta, tmp, i, pass_only, genotype_filter, targets, renames, threads,
           source):
    """Start the per-input pipeline; the last process's stdout is uncompressed VCF text."""
    # Text (-Ov) between the stages, not BCF: a BCF writer stops at the first FILTER/INFO tag the
    # header does not define, common in users' VCFs; text passes them on with a warning.
    # -I: leave INFO/AC and AN as they are (no new header lines from subsetting or trimming).
    # Subsetting is its own process: in one 'view', -i would see every sample's genotypes.
    select = [bcftools, "view", "--no-version", "-I", "-Ov"]
    if threads > 1:
        select += ["--threads", str(threads - 1)]
    select += ["-s", sample] if sample else []
    filters = [bcftools, "view", "--no-version", "-I", "-Ov", "-T", str(targets)]
    if pass_only:
        filters += ["-f", "PASS,."]
    if genotype_filter:
        # and trim the ALTs no genotype uses, so 2/2 becomes a plain 1/1 record
        filters += ["-i", HOM_ALT_EXPRESSION, "-a"]
    commands = [(f"{i}.source{n}", args) for n, args in enumerate(source)]
    commands += [(f"{i}.select", select), (f"{i}.filter", filters)]
    if renames:
        commands.append((f"{i}.rename", [bcftools, "annotate", "--no-version", "-Ov", "--rename-chrs",
                                         str(tmp / "contig_map.tsv")]))
    commands.append((f"{i}.norm", [bcftools, "norm", "--no-version", "-Ov", "-f", str(fasta), "--check-ref", "e",
                                   "-m", "-any"]))
    return _chain(commands, vcf, tmp)


def _log_messages(processes: list[_Process], limit: int = 5) -> None:
    """Pass on what the bcftools steps said (norm's realignment counts, warnings about the input)."""
    for proc in processes:
        lines = [line for line in proc.stderr().splitlines()
                 if line.strip() and not line.startswith(("Writing to", "Merging", "Cleaning", "Done"))]
        distinct = list(dict.fromkeys(lines))
        for line in distinct[:limit]:
            level = logging.WARNING if line.startswith(("[W::", "Warning")) else logging.INFO
            log.log(level, "%s: bcftools %s: %s", proc.vcf, proc.args[1], line.replace("\t", " "))
        if len(distinct) > limit:
            log.warning("%s: bcftools %s: ... %d more messages in %s", proc.vcf, proc.args[1],
                        len(distinct) - limit, proc.stderr_path.name)


def _raise_stage_error(stage: _Process, vcf: Path, fasta: Path, renames: dict) -> None:
    message = stage.stderr()
    match = _MISMATCH.search(message)
    if match:
        chrom, pos, fasta_ref, vcf_ref = match.groups()
        original = next((a for a, b in renames.items() if b == chrom), None)
        named = f" (contig {original} in the VCF)" if original else ""
        raise ReferenceMismatchError(
            f"{vcf}: record {chrom}:{pos}{named} has REF {vcf_ref!r} but {fasta} has {fasta_ref!r} there; "
            "the VCF and the FASTA are most likely different assemblies (e.g. a GRCm39 VCF with an "
            "mm10/GRCm38 FASTA)")
    raise StrainVcfError(f"{vcf}: bcftools {stage.args[1]} failed: {message[-2000:]}")


def _type_counts(bcftools: str, vcf: Path, tmp: Path) -> Counter:
    """Output records per ``%TYPE`` (streamed: the output may hold tens of millions of records)."""
    query = _Process([bcftools, "query", "-f", "%TYPE\n", str(vcf)], tmp / "types.err")
    raw = Counter(query.proc.stdout)
    query.proc.stdout.close()
    if query.wait() != 0:
        raise StrainVcfError(f"bcftools query failed on the output: {query.stderr()[-2000:]}")
    out: Counter = Counter()
    for value, n in raw.items():
        out[_TYPE_KEYS.get(value.decode().strip(), "other")] += n
    return out
