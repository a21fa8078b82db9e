"""Picard MarkDuplicates: the command line the workflow runs, and its metrics for QC.

The launcher is a config value (``picard_cmd``): ``PicardCommandLine`` on Debian, ``picard``
under bioconda, or ``java -jar /path/picard.jar``. JVM options (``duplicates.java_opts``) go
right after the launcher (``PicardCommandLine -Xmx2g MarkDuplicates ...``), or after ``java``
when the launcher is a ``java -jar`` command line.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

#: Metrics the QC reads from a MarkDuplicates metrics file (all other columns are kept too).
KEY_METRICS = ("PERCENT_DUPLICATION", "READ_PAIR_DUPLICATES", "READ_PAIRS_EXAMINED")


def picard_command(picard_cmd: str, java_opts: str = "") -> list[str]:
    """The Picard launcher as an argument list, with the JVM options in their place.

    Parameters
    ----------
    picard_cmd : str
        Launcher command line, e.g. ``"PicardCommandLine"``, ``"picard"`` or
        ``"java -jar /usr/share/java/picard.jar"``.
    java_opts : str
        JVM options, e.g. ``"-Xmx2g"`` (split like a shell would).

    Returns
    -------
    list of str
    """
    launcher = shlex.split(picard_cmd)
    if not launcher:
        raise ValueError("picard_cmd is empty")
    opts = shlex.split(java_opts)
    if Path(launcher[0]).name == "java":
        return [launcher[0], *opts, *launcher[1:]]
    return [*launcher, *opts]


def markduplicates_command(picard_cmd: str, java_opts: str, bam_in: str | Path, bam_out: str | Path,
                           metrics: str | Path, tmp_dir: str | Path) -> list[str]:
    """``MarkDuplicates`` removing duplicates from a coordinate-sorted BAM.

    Parameters
    ----------
    picard_cmd, java_opts : str
        See :func:`picard_command`.
    bam_in, bam_out, metrics : str or pathlib.Path
        Input BAM, deduplicated BAM and metrics file.
    tmp_dir : str or pathlib.Path
        Picard's temporary directory (``--TMP_DIR``).

    Returns
    -------
    list of str
        The argument list (``shlex.join`` it for a shell).
    """
    return [*picard_command(picard_cmd, java_opts), "MarkDuplicates",
            "-I", str(bam_in), "-O", str(bam_out), "-M", str(metrics),
            "--REMOVE_DUPLICATES", "true", "--ASSUME_SORT_ORDER", "coordinate",
            "--VALIDATION_STRINGENCY", "LENIENT", "--TMP_DIR", str(tmp_dir)]


def java_heap_mb(java_opts: str, default: int = 2048) -> int:
    """The ``-Xmx`` heap of a JVM option string in MB (``default`` when not set)."""
    match = None
    for match in re.finditer(r"-Xmx(\d+)([kKmMgGtT]?)(?:\s|$)", java_opts):
        pass
    if match is None:
        return default
    value, unit = int(match.group(1)), match.group(2).lower()
    factor = {"": 1 / 2**20, "k": 1 / 1024, "m": 1, "g": 1024, "t": 1024**2}[unit]
    return max(1, int(value * factor))


def _value(text: str):
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_markduplicates_metrics(path: str | Path) -> dict:
    """The duplication metrics of a Picard MarkDuplicates metrics file.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``-M`` file. Its ``## METRICS CLASS`` section has a header row and one row per
        library; with several libraries the counts are summed and ``PERCENT_DUPLICATION`` is
        recomputed as Picard does: ``(UNPAIRED_READ_DUPLICATES + 2 * READ_PAIR_DUPLICATES) /
        (UNPAIRED_READS_EXAMINED + 2 * READ_PAIRS_EXAMINED)``.

    Returns
    -------
    dict
        Column name to value (int, float, or str for ``LIBRARY``), including
        ``PERCENT_DUPLICATION`` (a fraction, 0..1), ``READ_PAIR_DUPLICATES`` and
        ``READ_PAIRS_EXAMINED``.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: Picard metrics file not found")
    lines = path.read_text().splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("## METRICS CLASS"))
    except StopIteration:
        raise ValueError(f"{path}: no '## METRICS CLASS' section; is this a MarkDuplicates metrics file?") from None
    header = lines[start + 1].split("\t")
    rows = []
    for line in lines[start + 2:]:
        if not line.strip() or line.startswith("#"):
            break
        rows.append(dict(zip(header, (_value(v) for v in line.split("\t")))))
    missing = [k for k in KEY_METRICS if k not in header]
    if not rows or missing:
        raise ValueError(f"{path}: MarkDuplicates metrics table is empty or lacks {missing}")
    if len(rows) == 1:
        return rows[0]
    summed = {k: sum(r[k] or 0 for r in rows) for k in header if all(isinstance(r[k], int) or r[k] is None for r in rows)}
    summed["LIBRARY"] = ",".join(str(r.get("LIBRARY")) for r in rows)
    reads = summed.get("UNPAIRED_READS_EXAMINED", 0) + 2 * summed["READ_PAIRS_EXAMINED"]
    dups = summed.get("UNPAIRED_READ_DUPLICATES", 0) + 2 * summed["READ_PAIR_DUPLICATES"]
    summed["PERCENT_DUPLICATION"] = dups / reads if reads else 0.0
    return summed
