"""The reference FASTA as the workflow uses it: plain text with a ``.fai`` index, next to its rules.

A user's FASTA needs no preparation: :func:`prepare_reference_fasta` accepts it plain, gzipped
or bgzipped, wherever it is (a read-only directory included), and makes
``resources/genomes/<genome>/reference.fa`` from it:

* a plain source becomes a symbolic link to its absolute path (no copy of gigabytes);
* a gzip or bgzip source is decompressed (streamed), since bowtie2-build, MACS3 and
  ``pysam.FastaFile.fetch`` of a plain gzip file do not all read compressed FASTA;
* the ``.fai`` is always written next to the destination, never next to the source.
"""
from __future__ import annotations

import gzip
import logging
import os
import shutil
from pathlib import Path

from .contigs import scan_fasta

log = logging.getLogger("deepallele.genome")


def _first_line(path: Path, compressed: bool) -> str | None:
    """The first non-empty line (decoded, stripped), or None for a file of blank lines."""
    with (gzip.open(path, "rb") if compressed else open(path, "rb")) as handle:
        for line in handle:
            if line.strip():
                return line.strip()[:60].decode(errors="replace")
    return None


def _index(fasta: Path, fai: Path, source: Path) -> None:
    """Write the ``samtools faidx`` index of ``fasta`` to ``fai`` (not ``<fasta>.fai``)."""
    import pysam

    try:
        pysam.faidx(str(fasta), "--fai-idx", str(fai))
    except pysam.utils.SamtoolsError as err:
        raise ValueError(f"{source}: samtools faidx cannot index this FASTA: {err}") from None
    if not fai.exists():
        raise ValueError(f"{source}: samtools faidx wrote no index")


def prepare_reference_fasta(source: str | Path, dest: str | Path) -> Path:
    """Make ``dest`` a plain, indexed FASTA with the sequences of ``source``.

    Parameters
    ----------
    source : str or pathlib.Path
        The user's FASTA: plain, gzip or bgzip (detected from the content, not the name). It is
        only read; its directory may be read-only.
    dest : str or pathlib.Path
        The FASTA to make, e.g. ``resources/genomes/mm10/reference.fa``; ``<dest>.fai`` is
        written next to it.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    FileNotFoundError
        ``source`` is missing.
    ValueError
        ``source`` is empty, not FASTA (its first non-empty line does not start with ``>``),
        has no sequence bases, names a contig twice, or cannot be indexed (e.g. uneven line
        lengths inside a sequence). Each message starts with the source's path.

    Notes
    -----
    A plain source becomes a symbolic link whose target is the resolved absolute source path.
    Everything is written under temporary names (``dest.part``, ``dest.fai.part``) and renamed
    at the end, so a failure leaves neither a partial FASTA nor a stale index at ``dest``.
    """
    source, dest = Path(source), Path(dest)
    if not source.exists():
        raise FileNotFoundError(f"{source}: reference FASTA not found")
    if source.stat().st_size == 0:
        raise ValueError(f"{source}: the reference FASTA is empty")
    with open(source, "rb") as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
    # fail before decompressing gigabytes when the file is something else (a VCF, a BED)
    first = _first_line(source, compressed)
    if first is None:
        raise ValueError(f"{source}: the reference FASTA is empty (only blank lines)")
    if not first.startswith(">"):
        raise ValueError(f"{source}: not a FASTA file: the first non-empty line is {first!r}, "
                         "not a '>' header")

    dest.parent.mkdir(parents=True, exist_ok=True)
    fai = Path(f"{dest}.fai")
    in_place = not compressed and dest.exists() and dest.resolve() == source.resolve()
    part = dest if in_place else dest.with_name(dest.name + ".part")
    fai_part = fai.with_name(fai.name + ".part")
    try:
        for stale in {part, fai_part} - {dest}:
            if stale.is_symlink() or stale.exists():
                stale.unlink()
        if compressed:
            with gzip.open(source, "rb") as src, open(part, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 22)
            how = "decompressed from"
        elif in_place:
            how = "in place:"
        else:
            os.symlink(source.resolve(), part)
            how = "symbolic link to"

        try:
            records = scan_fasta(part)
        except ValueError as err:
            raise ValueError(str(err).replace(str(part), str(source))) from None
        if not records or sum(length for _, length in records) == 0:
            raise ValueError(f"{source}: the reference FASTA has no sequence bases")
        seen: set[str] = set()
        duplicates = []
        for name, _ in records:
            if name in seen:
                duplicates.append(name)
            seen.add(name)
        if duplicates:
            shown = ", ".join(repr(d) for d in list(dict.fromkeys(duplicates))[:5])
            raise ValueError(f"{source}: contig names occur more than once: {shown}; a FASTA index "
                             "would keep only the first copy")
        _index(part, fai_part, source)
        # the index first: when dest appears, its (newer) index is already beside it
        os.replace(fai_part, fai)
        if part != dest:
            os.replace(part, dest)
    except BaseException:
        for leftover in {part, fai_part} - {dest}:
            if leftover.is_symlink() or leftover.exists():
                leftover.unlink()
        raise
    total = sum(length for _, length in records)
    log.info("%s: %d contigs, %s bp (%s %s); index %s", dest, len(records), f"{total:,}", how,
             source.resolve(), fai)
    return dest
