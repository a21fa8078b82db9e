"""Peak sets: read and validate given peaks, read MACS3 narrowPeak, build fixed-width windows.

Every peak set the workflow counts on passes through :func:`read_peaks` (a given BED/SAF file)
or :func:`read_narrowpeak` + :func:`fixed_width_windows` (MACS3 summits), and is written by
:func:`write_bed` as a standard BED6 (``chrom, start, end, name, score, strand``), sorted by
the contig order of the reference FASTA, then start, end and name.

Conventions
-----------
* Coordinates are 0-based, half-open (BED). SAF files (``GeneID, Chr, Start, End, Strand``,
  1-based and inclusive, as featureCounts reads them) are converted on reading.
* Peak names must be unique. Peaks without a name (BED3, or ``.`` in the name column) are
  named ``chrom-start-end`` from their BED coordinates, the paper's ``chrN-start-end``
  convention (the model code takes the chromosome from the peak name).
* Every problem is reported as a :class:`PeakError` whose message starts with the file name.
"""
from __future__ import annotations

import gzip
import logging
import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

import pandas as pd

from ..genome.contigs import read_fai

BED_COLUMNS = ["chrom", "start", "end", "name", "score", "strand"]
NARROWPEAK_COLUMNS = ["chrom", "start", "end", "name", "score", "strand", "signal", "pvalue", "qvalue", "peak"]
#: narrowPeak columns ranking two summits whose windows overlap (larger wins), in this order.
SUMMIT_RANKING = ("qvalue", "signal", "pvalue", "score")
_MAX_LISTED = 5


class PeakError(ValueError):
    """A problem in a peak set (empty, unknown contigs, bad intervals, duplicate names)."""


# --- contigs -----------------------------------------------------------------------------------


def read_chrom_sizes(path: str | Path) -> dict[str, int]:
    """Contig lengths from a FASTA index (``.fai``) or a two-column sizes file, in file order.

    Parameters
    ----------
    path : str or pathlib.Path
        ``samtools faidx`` index (name, length, ...) or ``chrom<TAB>size`` file.

    Returns
    -------
    dict of str to int
        Contig name to length, in the order of the file (the FASTA's order for a ``.fai``).
    """
    try:
        return read_fai(path)
    except ValueError as err:   # the same message, as the peak stage's error type
        raise PeakError(str(err)) from None


def bam_chrom_sizes(path: str | Path) -> dict[str, int]:
    """Contig lengths from a BAM header, in header order."""
    import pysam

    with pysam.AlignmentFile(str(path)) as bam:
        return dict(zip(bam.references, bam.lengths))


#: MACS3 3.x's ``-g`` shortcuts (``macs3 callpeak -h``; deepTools' non-N sizes). MACS2 used
#: smaller ones (``mm`` 1.87e9, ``hs`` 2.7e9); give such a value as a number.
MACS3_GENOME_SIZES = {"hs": 2_913_022_398, "mm": 2_652_783_500, "ce": 100_286_401, "dm": 142_573_017}


def _excluded(contig: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(contig, p) for p in patterns)


def effective_genome_size(chrom_sizes: Mapping[str, int], exclude: Iterable[str] = ("chrM", "MT")) -> int:
    """Sum of per-contig sizes, leaving out contigs whose name matches a glob of ``exclude``.

    Given the non-N bases of each contig (:func:`non_n_bases`) this is the effective genome
    size of the deepTools/MACS3 convention, the size given to ``macs3 callpeak -g`` and
    ``bamCoverage --effectiveGenomeSize``; given contig lengths it is an upper bound (mm10's N
    gaps make the lengths ~3 % larger). Contigs whose alignments the workflow drops
    (``alignment.exclude_contigs``: chrM, unplaced and alt contigs) hold no reads, so they are
    not part of the genome the reads sample.

    Parameters
    ----------
    chrom_sizes : mapping of str to int
        Bases per contig (e.g. from :func:`non_n_bases`).
    exclude : iterable of str
        Glob patterns of contig names to leave out (case-sensitive, as ``fnmatch``).

    Returns
    -------
    int
        The sum; at least 1.
    """
    patterns = list(exclude)
    size = sum(n for c, n in chrom_sizes.items() if not _excluded(c, patterns))
    if size < 1:
        raise PeakError(f"every contig matches the excluded patterns {patterns} or is all N: "
                        "effective genome size is 0")
    return size


def non_n_bases(fasta: str | Path, exclude: Iterable[str] = ()) -> dict[str, int]:
    """Bases other than ``N``/``n`` per contig of an indexed FASTA, in FASTA order.

    Contigs matching a glob of ``exclude`` are not read (their count is 0).
    """
    import pysam

    patterns = list(exclude)
    out: dict[str, int] = {}
    with pysam.FastaFile(str(fasta)) as fa:
        for contig in fa.references:
            if _excluded(contig, patterns):
                out[contig] = 0
                continue
            seq = fa.fetch(contig)
            out[contig] = len(seq) - seq.count("N") - seq.count("n")
    return out


def configured_genome_size(value) -> int | None:
    """The effective genome size a config gives (``peaks.genome_size``), or None to count it.

    ``""``/None: count from the FASTA; a MACS3 shortcut (:data:`MACS3_GENOME_SIZES`); a number.
    """
    if value in ("", None):
        return None
    if isinstance(value, str):
        if value in MACS3_GENOME_SIZES:
            return MACS3_GENOME_SIZES[value]
        try:
            value = float(value)
        except ValueError:
            raise PeakError(f"genome size {value!r} is neither a number nor one of {sorted(MACS3_GENOME_SIZES)}") from None
    size = int(round(float(value)))
    if size < 1:
        raise PeakError(f"genome size must be positive, not {value!r}")
    return size



def genome_size(configured, fasta: str | Path, exclude: Iterable[str] = (), log: logging.Logger | None = None) -> int:
    """The effective genome size MACS3 and deepTools get: the configured one, else counted.

    Parameters
    ----------
    configured : str, number or None
        ``peaks.genome_size`` (:func:`configured_genome_size`); empty or None: count.
    fasta : str or pathlib.Path
        The indexed reference FASTA, read only when counting (:func:`non_n_bases`).
    exclude : iterable of str
        Contig-name globs left out of the count (``alignment.exclude_contigs``).
    log : logging.Logger, optional
        Gets one line saying where the size came from.

    Returns
    -------
    int
        The size in bp.
    """
    log = log or logging.getLogger("deepallele.reads.peaks")
    size = configured_genome_size(configured)
    if size is not None:
        log.info("effective genome size %d bp (configured: peaks.genome_size = %r)", size, configured)
        return size
    patterns = list(exclude)
    bases = non_n_bases(fasta, patterns)
    size = effective_genome_size(bases, patterns)
    log.info("effective genome size %d bp: non-N bases of %s (%d contigs; excluded patterns %s)", size, fasta,
             len(bases), patterns)
    return size


# --- reading -----------------------------------------------------------------------------------


def _open_text(path: Path):
    return gzip.open(path, "rt") if path.name.endswith(".gz") else open(path)


def _data_lines(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, tab-split fields) of the lines that are not blank, comments or track lines."""
    rows = []
    with _open_text(path) as handle:
        for number, line in enumerate(handle, 1):
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "track", "browser")):
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) == 1:  # space-separated BED
                fields = stripped.split()
            rows.append((number, fields))
    return rows


def detect_format(path: str | Path) -> str:
    """Format of a peak file: ``"saf"``, ``"narrowPeak"`` or ``"bed"``.

    SAF: the name ends in ``.saf`` (optionally ``.gz``) or the first line is a header starting
    with ``GeneID``. narrowPeak: the name ends in ``.narrowPeak`` or every line has exactly 10
    columns with integer start, end and summit offset. Anything else is BED (3 or more columns).
    """
    path = Path(path)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".saf"):
        return "saf"
    if name.endswith(".narrowpeak"):
        return "narrowPeak"
    rows = _data_lines(path) if path.exists() else []
    if rows and rows[0][1][0].strip().lower() == "geneid":
        return "saf"
    if rows and all(len(f) == 10 and _is_int(f[1]) and _is_int(f[2]) and _is_int(f[9]) for _, f in rows):
        return "narrowPeak"
    return "bed"


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _number(text: str, default: float = 0.0) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if math.isfinite(value) else default


def _listed(items: Sequence, limit: int = _MAX_LISTED) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def read_peaks(path: str | Path, chrom_sizes: Mapping[str, int] | None = None, fmt: str | None = None) -> pd.DataFrame:
    """Read and validate a peak set (BED3+, narrowPeak or SAF).

    Parameters
    ----------
    path : str or pathlib.Path
        The peak file (optionally gzipped). Comment (``#``), ``track`` and ``browser`` lines are
        skipped; a BED header line (``chrom start end ...``) is allowed as the first line.
    chrom_sizes : mapping of str to int, optional
        Contigs of the reference (FASTA index or BAM header). When given, every peak's
        chromosome must be one of them and its end must not pass the contig's end.
    fmt : {"bed", "narrowPeak", "saf"}, optional
        Skip format detection (:func:`detect_format`).

    Returns
    -------
    pandas.DataFrame
        Columns ``chrom, start, end, name, score, strand`` (0-based, half-open), in file order.
        narrowPeak files also keep ``signal, pvalue, qvalue, summit`` (absolute 0-based summit).

    Raises
    ------
    PeakError
        The file is missing or empty; a line has too few columns or non-integer coordinates;
        ``start >= end`` or ``start < 0``; an unknown chromosome or an interval past the contig
        end; duplicate peak names (given names, or identical intervals when names are generated).
    """
    path = Path(path)
    if not path.exists():
        raise PeakError(f"{path}: peak file not found")
    fmt = fmt or detect_format(path)
    if fmt not in ("bed", "narrowPeak", "saf"):
        raise PeakError(f"{path}: unknown peak format {fmt!r} (expected bed, narrowPeak or saf)")
    rows = _data_lines(path)
    if fmt == "saf" and rows and rows[0][1][0].strip().lower() == "geneid":
        rows = rows[1:]
    if fmt != "saf" and rows and len(rows[0][1]) >= 3 and rows[0][1][1].strip().lower() in ("start", "chromstart"):
        rows = rows[1:]
    if not rows:
        raise PeakError(f"{path}: the peak set is empty (no intervals); give a non-empty BED/SAF file "
                        "or remove the dataset's 'peaks' key to call peaks with MACS3")

    problems: list[str] = []
    records = []
    for number, f in rows:
        where = f"line {number}"
        if fmt == "saf":
            if len(f) < 4:
                problems.append(f"{where}: SAF needs GeneID, Chr, Start, End[, Strand]; got {len(f)} column(s)")
                continue
            name, chrom, start, end = f[0].strip(), f[1].strip(), f[2].strip(), f[3].strip()
            strand = f[4].strip() if len(f) > 4 else "."
            score = "0"
        else:
            if len(f) < 3:
                problems.append(f"{where}: BED needs chrom, start, end; got {len(f)} column(s)")
                continue
            chrom, start, end = f[0].strip(), f[1].strip(), f[2].strip()
            name = f[3].strip() if len(f) > 3 else ""
            score = f[4].strip() if len(f) > 4 else "0"
            strand = f[5].strip() if len(f) > 5 else "."
        if not (_is_int(start) and _is_int(end)):
            problems.append(f"{where}: start and end must be integers, got {start!r}, {end!r}")
            continue
        start_i, end_i = int(start) - (1 if fmt == "saf" else 0), int(end)
        record = {"line": number, "chrom": chrom, "start": start_i, "end": end_i,
                  "name": "" if name in ("", ".") else name, "score": _number(score),
                  "strand": strand if strand in ("+", "-", ".") else "."}
        if fmt == "narrowPeak":
            if len(f) < 10 or not _is_int(f[9].strip()):
                problems.append(f"{where}: narrowPeak needs 10 columns with an integer summit offset")
                continue
            record.update(signal=_number(f[6]), pvalue=_number(f[7], -1.0), qvalue=_number(f[8], -1.0))
            offset = int(f[9])
            record["summit"] = start_i + offset if offset >= 0 else (start_i + end_i) // 2
        records.append(record)

    if not problems:
        problems += _interval_problems(records, chrom_sizes)
    if problems:
        raise PeakError(f"{path}: " + "\n  ".join([f"invalid {fmt} peak set:"] + problems[:20]
                                                  + ([f"... ({len(problems)} problems in all)"] if len(problems) > 20 else [])))

    table = pd.DataFrame.from_records(records)
    generated = table["name"] == ""
    table.loc[generated, "name"] = peak_names(table.loc[generated, ["chrom", "start", "end"]])
    dup = table["name"].duplicated(keep=False)
    if dup.any():
        names = table.loc[dup, ["name", "line"]].groupby("name", sort=False)["line"].apply(list)
        listed = [f"{n!r} (lines {', '.join(map(str, lines))})" for n, lines in names.items()]
        raise PeakError(f"{path}: peak names must be unique (unnamed peaks are named chrom-start-end, "
                        f"so identical intervals collide): {_listed(listed)}")
    columns = BED_COLUMNS + (["signal", "pvalue", "qvalue", "summit"] if fmt == "narrowPeak" else [])
    table = table[columns].copy()
    table[["start", "end"]] = table[["start", "end"]].astype("int64")
    return table.reset_index(drop=True)


def _interval_problems(records: list[dict], chrom_sizes: Mapping[str, int] | None) -> list[str]:
    problems = []
    unknown: dict[str, list[int]] = {}
    for r in records:
        where = f"line {r['line']}"
        if r["start"] < 0:
            problems.append(f"{where}: start {r['start']} is negative")
        if r["start"] >= r["end"]:
            problems.append(f"{where}: start must be < end (got {r['chrom']}:{r['start']}-{r['end']})")
        if chrom_sizes is not None:
            if r["chrom"] not in chrom_sizes:
                unknown.setdefault(r["chrom"], []).append(r["line"])
            elif r["end"] > chrom_sizes[r["chrom"]]:
                problems.append(f"{where}: {r['chrom']}:{r['start']}-{r['end']} ends past the contig end "
                                f"({chrom_sizes[r['chrom']]})")
    if unknown:
        listed = [f"{c!r} (line {lines[0]}{', ...' if len(lines) > 1 else ''})" for c, lines in unknown.items()]
        problems.insert(0, f"chromosome(s) not in the reference: {_listed(listed)}; "
                           f"reference contigs: {_listed(list(chrom_sizes))}")
    return problems


def read_narrowpeak(path: str | Path, chrom_sizes: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Read a MACS3 ``*_peaks.narrowPeak`` file (see :func:`read_peaks`; format forced).

    Returns
    -------
    pandas.DataFrame
        ``chrom, start, end, name, score, strand, signal, pvalue, qvalue, summit``, where
        ``signal`` is the fold enrichment, ``pvalue``/``qvalue`` are -log10 values and
        ``summit`` is the absolute 0-based summit position (the midpoint when MACS3 gave none).
    """
    return read_peaks(path, chrom_sizes, fmt="narrowPeak")


def peak_names(intervals: pd.DataFrame) -> list[str]:
    """``chrom-start-end`` names (BED coordinates) of the rows of ``intervals``."""
    return [f"{c}-{s}-{e}" for c, s, e in zip(intervals["chrom"], intervals["start"], intervals["end"])]


# --- windows -----------------------------------------------------------------------------------


def fixed_width_windows(summits: pd.DataFrame, width: int, chrom_sizes: Mapping[str, int],
                        rank_by: Sequence[str] = SUMMIT_RANKING) -> pd.DataFrame:
    """Fixed-width windows centred on peak summits, without overlaps.

    Each summit at 0-based position ``p`` gives the window ``[p - width // 2, p - width // 2 +
    width)``. A window running off a contig end is moved inwards so that it keeps its width
    (it is only shorter when the contig itself is shorter than ``width``).

    When windows overlap (share at least one base), the stronger summit wins and the weaker
    window is dropped, not merged, so every window keeps the configured width: summits are
    taken in order of decreasing strength and a window is kept only when it overlaps no window
    kept before it (the iterative overlap removal used for fixed-width ATAC peak sets). Strength
    is compared on the ``rank_by`` columns present in ``summits``, in order: by default -log10 q
    (narrowPeak column 9), then fold enrichment (column 7), -log10 p (column 8) and the score
    (column 5). Remaining ties go to the summit that comes first in contig order, then position,
    so the result does not depend on the input order. Windows that only touch (one ends where the
    next starts) are both kept.

    Parameters
    ----------
    summits : pandas.DataFrame
        Columns ``chrom`` and ``summit`` (0-based position), plus any of the ``rank_by``
        columns (e.g. the output of :func:`read_narrowpeak`).
    width : int
        Window width in bp (positive).
    chrom_sizes : mapping of str to int
        Contig lengths; also fixes the contig order.
    rank_by : sequence of str
        Strength columns, most important first (larger is stronger).

    Returns
    -------
    pandas.DataFrame
        BED6 columns ``chrom, start, end, name, score, strand`` sorted by contig order and
        start; names are ``chrom-start-end``, the score is the summit's ``score`` (0 if absent)
        and the strand is ``.``.
    """
    width = int(width)
    if width < 1:
        raise PeakError(f"window width must be positive, got {width}")
    missing = [c for c in ("chrom", "summit") if c not in summits]
    if missing:
        raise PeakError(f"summits table lacks column(s) {missing}")
    if summits.empty:
        raise PeakError("no summits: cannot build windows from an empty peak set")
    unknown = sorted(set(summits["chrom"]) - set(chrom_sizes))
    if unknown:
        raise PeakError(f"summit chromosome(s) not in the reference: {_listed(unknown)}")
    order = {c: i for i, c in enumerate(chrom_sizes)}
    table = summits.reset_index(drop=True).copy()
    table["_contig"] = table["chrom"].map(order)
    keys = [c for c in rank_by if c in table]
    table = table.sort_values(keys + ["_contig", "summit"], ascending=[False] * len(keys) + [True, True],
                              kind="mergesort")

    half = width // 2
    kept: dict[str, tuple[list[int], list[int]]] = {}
    rows = []
    for chrom, summit, score in zip(table["chrom"], table["summit"].astype(int),
                                    table["score"] if "score" in table else [0] * len(table)):
        size = int(chrom_sizes[chrom])
        if not 0 <= summit < size:
            raise PeakError(f"summit {chrom}:{summit} lies outside the contig (length {size})")
        start = min(max(summit - half, 0), max(size - width, 0))
        end = min(start + width, size)
        starts, ends = kept.setdefault(chrom, ([], []))
        i = bisect_left(starts, start)
        if (i > 0 and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        rows.append((chrom, start, end, int(round(_number(str(score)))), "."))
    windows = pd.DataFrame(rows, columns=["chrom", "start", "end", "score", "strand"])
    windows.insert(3, "name", peak_names(windows))
    return sort_peaks(windows, chrom_sizes)


# --- writing -----------------------------------------------------------------------------------


def sort_peaks(peaks: pd.DataFrame, chrom_sizes: Mapping[str, int]) -> pd.DataFrame:
    """Sort by the contig order of ``chrom_sizes`` (the FASTA's), then start, end and name."""
    order = {c: i for i, c in enumerate(chrom_sizes)}
    unknown = sorted(set(peaks["chrom"]) - set(order))
    if unknown:
        raise PeakError(f"chromosome(s) not in the reference: {_listed(unknown)}")
    key = peaks.assign(_contig=peaks["chrom"].map(order))
    key = key.sort_values(["_contig", "start", "end", "name"], kind="mergesort")
    return peaks.loc[key.index].reset_index(drop=True)


def write_bed(peaks: pd.DataFrame, path: str | Path, chrom_sizes: Mapping[str, int]) -> pd.DataFrame:
    """Write peaks as BED6 (no header) in contig order, then start; returns the written table.

    Missing ``name`` values become ``chrom-start-end``; missing ``score`` is 0 and missing
    ``strand`` is ``.``. Scores are written as integers.
    """
    table = peaks.copy()
    if "name" not in table:
        table["name"] = ""
    table["name"] = table["name"].fillna("").astype(str)
    unnamed = table["name"].isin(["", "."])
    table.loc[unnamed, "name"] = peak_names(table.loc[unnamed])
    if "score" not in table:
        table["score"] = 0
    if "strand" not in table:
        table["strand"] = "."
    table["score"] = table["score"].fillna(0).round().astype("int64")
    table = sort_peaks(table[BED_COLUMNS], chrom_sizes)
    if table["name"].duplicated().any():
        raise PeakError(f"{path}: duplicate peak names: {_listed(table['name'][table['name'].duplicated()].tolist())}")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, sep="\t", header=False, index=False)
    return table


def build_peak_set(out_bed: str | Path, chrom_sizes: Mapping[str, int], *, narrowpeak: str | Path | None = None,
                   given: str | Path | None = None, width: int | None = None) -> pd.DataFrame:
    """The peak set a dataset counts on: MACS3 summit windows, or a given peak set normalised.

    Parameters
    ----------
    out_bed : str or pathlib.Path
        BED6 to write (see :func:`write_bed`).
    chrom_sizes : mapping of str to int
        Reference contigs in FASTA order.
    narrowpeak : str or pathlib.Path, optional
        MACS3 narrowPeak; its summits become windows of ``width`` (:func:`fixed_width_windows`).
    given : str or pathlib.Path, optional
        A given peak set (BED/narrowPeak/SAF); it keeps its own coordinates and names.
    width : int, optional
        Window width, required with ``narrowpeak``.

    Returns
    -------
    pandas.DataFrame
        The written BED6 table.
    """
    if (narrowpeak is None) == (given is None):
        raise ValueError("give exactly one of narrowpeak= and given=")
    if given is not None:
        return write_bed(read_peaks(given, chrom_sizes)[BED_COLUMNS], out_bed, chrom_sizes)
    if width is None:
        raise ValueError("width is required to build windows from a narrowPeak file")
    summits = read_narrowpeak(narrowpeak, chrom_sizes) if _has_data(narrowpeak) else None
    if summits is None:
        raise PeakError(f"{narrowpeak}: MACS3 called no peaks (empty narrowPeak); check the reads, "
                        "lower peaks.qvalue, or give a peak set with the dataset's 'peaks' key")
    return write_bed(fixed_width_windows(summits, width, chrom_sizes), out_bed, chrom_sizes)


def _has_data(path: str | Path) -> bool:
    path = Path(path)
    if not path.exists():
        raise PeakError(f"{path}: file not found")
    return bool(_data_lines(path))
