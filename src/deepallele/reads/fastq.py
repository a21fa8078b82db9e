"""FASTQ integrity checks and the merging of a sample's sequencing units.

A truncated download or a half-copied ``.fastq.gz`` otherwise surfaces much later (as a
cutadapt or bowtie2 error far from its cause, or not at all); :func:`check_fastq_pair` stops
it at the first stage, naming the file and the problem. :func:`merge_units` then joins the
units (lanes, runs) of a sample by gzip-member concatenation, which needs no recompression.
"""
from __future__ import annotations

import gzip
import logging
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Iterator, Sequence

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 8 << 20  # bytes of decompressed text read at a time
_BATCH = 100_000  # records checked at a time


class FastqError(ValueError):
    """A FASTQ file (or pair) that is unreadable, malformed or inconsistent with its mate."""


def is_gzip(path: str | os.PathLike) -> bool:
    """Whether a file starts with the gzip magic bytes (an empty file is not gzip)."""
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def _open_binary(path: Path):
    """Open a FASTQ for reading: gzip by content; plain text only if the name is not ``.gz``."""
    try:
        gz = is_gzip(path)
    except FileNotFoundError:
        raise FastqError(f"{path}: file not found") from None
    if gz:
        return gzip.open(path, "rb")
    if path.suffix in (".gz", ".bgz") and path.stat().st_size > 0:
        raise FastqError(f"{path}: not a gzip file although named {path.suffix} (corrupt, or an "
                         "error page saved in place of the download?)")
    return open(path, "rb")


def _line_chunks(path: Path) -> Iterator[list[bytes]]:
    """Complete lines of a (gzipped) text file, a few MB at a time, without their newlines.

    Raises
    ------
    FastqError
        If the gzip stream is truncated or corrupt.
    """
    tail = b""
    with _open_binary(path) as fh:
        while True:
            try:
                data = fh.read(_CHUNK)
            except EOFError:
                raise FastqError(f"{path}: gzip stream is truncated (the file ends before the end "
                                 "of its compressed data; an incomplete download or copy?)") from None
            except (gzip.BadGzipFile, zlib.error, OSError) as err:
                raise FastqError(f"{path}: gzip stream is corrupt ({err})") from None
            if not data:
                break
            lines = (tail + data).split(b"\n") if tail else data.split(b"\n")
            tail = lines.pop()
            if lines:
                yield lines
    if tail:
        yield [tail]  # last line without a final newline


def _record_name(header: bytes) -> bytes:
    """Read name of a header line: no '@', no comment, no /1 or /2 mate suffix."""
    parts = header[1:].split(None, 1)
    name = parts[0] if parts else b""
    return name[:-2] if name[-2:] in (b"/1", b"/2") else name


def _show(line: bytes, width: int = 60) -> str:
    text = line.decode("ascii", "replace")
    return repr(text if len(text) <= width else text[:width] + "...")


def _check_records(path: Path, lines: list[bytes], first: int) -> tuple[list[bytes], list[int]]:
    """Check the 4-line structure of complete records; return their headers and read lengths.

    ``first`` is the 0-based index of the first record, used to give line numbers.
    """
    heads, seqs, plus, quals = lines[0::4], lines[1::4], lines[2::4], lines[3::4]
    seq_len = list(map(len, seqs))
    ok_head = [h[:1] == b"@" for h in heads]
    ok_plus = [p[:1] == b"+" for p in plus]
    if not all(ok_head):
        i = ok_head.index(False)
        raise FastqError(f"{path}: line {4 * (first + i) + 1}: expected a record header starting "
                         f"with '@', found {_show(heads[i])} (not a FASTQ file, or records are not 4 lines)")
    if not all(ok_plus):
        i = ok_plus.index(False)
        raise FastqError(f"{path}: line {4 * (first + i) + 3}: expected the '+' separator line, "
                         f"found {_show(plus[i])} (records must be exactly 4 lines)")
    qual_len = list(map(len, quals))
    if seq_len != qual_len:
        i = next(k for k, (a, b) in enumerate(zip(seq_len, qual_len)) if a != b)
        raise FastqError(f"{path}: record {first + i + 1} ({_show(heads[i])}, line {4 * (first + i) + 1}): "
                         f"sequence length {seq_len[i]} differs from quality length {qual_len[i]}")
    return heads, seq_len


def _drop_trailing_blank(lines: list[bytes]) -> list[bytes]:
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def check_fastq_pair(fq1: str | os.PathLike, fq2: str | os.PathLike,
                     max_records: int | None = None) -> dict:
    """Stream a pair of (gzipped) FASTQ files and check that they form valid, matching mates.

    Checks: each gzip stream is complete and uncorrupted (CRC and length of every member),
    records are 4 lines (``@`` header, sequence, ``+`` line, qualities) with as many quality
    characters as bases, both files have the same number of records, and the read names of
    mates agree once ``/1`` / ``/2`` suffixes and comments (after the first blank) are removed.
    Uncompressed FASTQ is accepted when the file name does not end in ``.gz``.

    Parameters
    ----------
    fq1, fq2 : str or os.PathLike
        Read 1 and read 2 files.
    max_records : int, optional
        Stop after this many pairs (a quick check of the head; truncation past it is not seen).

    Returns
    -------
    dict
        ``fastq_1``, ``fastq_2`` (paths as str), ``pairs`` (read pairs), ``bases`` (bases of
        both mates), ``bases_1``, ``bases_2``, ``max_read_length`` and ``complete`` (False when
        the check stopped at ``max_records``, so the ends of the files were not read).

    Raises
    ------
    FastqError
        On the first problem found, with the file, the record or line, and the problem.
    """
    p1, p2 = Path(fq1), Path(fq2)
    streams = {p1: _line_chunks(p1), p2: _line_chunks(p2)}
    buffers: dict[Path, list[bytes]] = {p1: [], p2: []}
    done = {p1: False, p2: False}
    pairs = bases_1 = bases_2 = longest = 0
    limit = max_records if max_records is not None else float("inf")

    while pairs < limit:
        for p in (p1, p2):
            buf = buffers[p]
            while not done[p] and len(buf) < 4 * _BATCH:
                chunk = next(streams[p], None)
                if chunk is None:
                    done[p] = True
                    _drop_trailing_blank(buf)
                else:
                    buf.extend(chunk)
        n = min(len(buffers[p1]) // 4, len(buffers[p2]) // 4, _BATCH)
        if pairs + n > limit:
            n = int(limit - pairs)
        if n == 0:
            break
        lines1, lines2 = buffers[p1][:4 * n], buffers[p2][:4 * n]
        del buffers[p1][:4 * n], buffers[p2][:4 * n]
        heads1, len1 = _check_records(p1, lines1, pairs)
        heads2, len2 = _check_records(p2, lines2, pairs)
        if heads1 != heads2:
            names1 = [_record_name(h) for h in heads1]
            names2 = [_record_name(h) for h in heads2]
            if names1 != names2:
                i = next(k for k, (a, b) in enumerate(zip(names1, names2)) if a != b)
                raise FastqError(
                    f"{p1} and {p2}: mates out of sync at record {pairs + i + 1} (line {4 * (pairs + i) + 1}): "
                    f"read names {_show(heads1[i])} and {_show(heads2[i])} differ (files of different "
                    "runs or lanes, or reads filtered in one file only?)")
        pairs += n
        bases_1 += sum(len1)
        bases_2 += sum(len2)
        longest = max(longest, max(len1), max(len2))

    complete = pairs < limit
    if complete:  # reached the end of at least one file: everything must be consumed
        for p in (p1, p2):
            rest = len(buffers[p])
            if done[p] and rest % 4:
                raise FastqError(f"{p}: incomplete last record at line {4 * pairs + rest - rest % 4 + 1} "
                                 f"({rest % 4} of 4 lines; the file is truncated)")
        if buffers[p1] or buffers[p2]:
            longer, shorter = (p1, p2) if buffers[p1] else (p2, p1)
            extra = len(buffers[longer]) // 4
            for chunk in streams[longer]:
                extra += len(chunk) // 4
            raise FastqError(f"{p1} and {p2}: different numbers of reads: {shorter} ends after {pairs} "
                             f"records, {longer} has at least {extra} more (a truncated or mismatched mate file)")
        if pairs == 0:
            raise FastqError(f"{p1} and {p2}: no reads (empty files)")
    return {"fastq_1": str(p1), "fastq_2": str(p2), "pairs": pairs, "bases": bases_1 + bases_2,
            "bases_1": bases_1, "bases_2": bases_2, "max_read_length": longest, "complete": complete}


def _append(src: Path, dst) -> None:
    """Append ``src`` to the open binary file ``dst`` as gzip member(s), compressing plain text."""
    if is_gzip(src):
        with open(src, "rb") as fh:
            shutil.copyfileobj(fh, dst, 16 << 20)
    else:
        # filename="" and mtime=0: the gzip header must not depend on names or times
        with open(src, "rb") as fh, gzip.GzipFile(filename="", mode="wb", fileobj=dst, mtime=0,
                                                  compresslevel=4) as gz:
            shutil.copyfileobj(fh, gz, 16 << 20)


def merge_units(pairs: Sequence[tuple[str | os.PathLike, str | os.PathLike]],
                out1: str | os.PathLike, out2: str | os.PathLike) -> None:
    """Concatenate the FASTQ pairs of a sample's units into one gzipped pair, in the given order.

    Gzipped inputs are copied byte for byte (a concatenation of gzip files is a valid
    multi-member gzip file); uncompressed inputs are gzipped on the way. The outputs are
    written to temporary files next to them and renamed into place only when both are
    complete, so a failure never leaves a partial output. The result depends only on the
    inputs and their order.

    Parameters
    ----------
    pairs : sequence of (path, path)
        Read 1 and read 2 file of each unit, in the order they are to be merged.
    out1, out2 : str or os.PathLike
        Merged read 1 and read 2 files (gzip).
    """
    if not pairs:
        raise ValueError("merge_units: no FASTQ pairs given")
    outs = [Path(out1), Path(out2)]
    tmps: list[Path] = []
    try:
        for mate, out in enumerate(outs):
            out.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
            tmps.append(Path(tmp))
            with os.fdopen(fd, "wb") as dst:
                for pair in pairs:
                    _append(Path(pair[mate]), dst)
        for tmp, out in zip(tmps, outs):
            os.replace(tmp, out)
    except BaseException:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
        raise


def check_and_merge_units(units: Sequence[str], fastqs: Sequence[str | os.PathLike], out1: str | os.PathLike,
                          out2: str | os.PathLike, log: logging.Logger | None = None) -> int:
    """Check every unit's FASTQ pair (:func:`check_fastq_pair`), then merge them (:func:`merge_units`).

    Nothing is written when any pair fails its check.

    Parameters
    ----------
    units : sequence of str
        ``U`` unit labels (lanes, runs), for the log.
    fastqs : sequence of path
        ``2 U`` files: read 1 and read 2 of the first unit, then of the second ...
    out1, out2 : str or os.PathLike
        Merged read 1 and read 2 files (gzip).
    log : logging.Logger, optional
        Gets one line per unit (pairs, bases, longest read).

    Returns
    -------
    int
        Read pairs of all units together.

    Raises
    ------
    ValueError
        ``fastqs`` is not two files per unit.
    FastqError
        A pair that is not valid FASTQ mates (the file named).
    """
    log = log or logging.getLogger("deepallele.reads.fastq")
    files = list(fastqs)
    if len(files) != 2 * len(units):
        raise ValueError(f"{len(units)} unit(s) need {2 * len(units)} FASTQ files (read 1, read 2 each), "
                         f"got {len(files)}")
    pairs = list(zip(files[0::2], files[1::2]))
    total = 0
    for label, (fq1, fq2) in zip(units, pairs):
        stats = check_fastq_pair(fq1, fq2)
        total += stats["pairs"]
        log.info("unit %s: %d read pairs, %d bases, reads up to %d bp (%s, %s)", label, stats["pairs"],
                 stats["bases"], stats["max_read_length"], fq1, fq2)
    merge_units(pairs, out1, out2)
    return total
