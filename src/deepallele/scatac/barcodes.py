"""Cell barcodes of 10x scATAC reads: orientation, Cell Ranger-style correction, tagged FASTQs.

Input (one lane of one library, all gzipped FASTQ with the same records in the same order):

* ``R1``: genomic read 1;
* ``R2``: the i5 index read, exported as a read: the **16-bp cell barcode**;
* ``R3``: genomic read 2.

Output: ``R1`` and ``R3`` with the barcode in the read header, ready for
``bowtie2 --sam-append-comment``, which copies the header comment into SAM tags on both mates.

Steps
-----
1. **Whitelist** (:func:`read_whitelist`): the user's ``737K-cratac-v1.txt(.gz)``; a ``-1``
   GEM-group suffix on its lines is stripped.
2. **Orientation** (:func:`detect_orientation`): NextSeq, HiSeq X/3000/4000, NovaSeq v1.5 and
   others read i5 as the reverse complement of the whitelist sequence, older machines read it
   forward. The first ``sample_size`` barcodes are looked up both ways and the better way wins;
   below 5 % exact hits either way the run stops (as chromap does): the whitelist or the
   chemistry is wrong. In ``revcomp`` orientation a read's sequence is reverse-complemented
   **and its quality string reversed**, so that qualities stay aligned with bases.
3. **Pass 1** over R2: how often each whitelist barcode is seen exactly.
4. **Pass 2** (:class:`BarcodeCorrector`, Cell Ranger's rule): a barcode on the whitelist is kept;
   otherwise every whitelist barcode at Hamming distance 1 is a candidate (a no-call ``N`` is a
   mismatch any base can fill), with likelihood ``(count + 1) * P(error at the differing base)``,
   ``P = 10^(-Q/10)`` from the Phred+33 quality (at most 0.75: a call no better than a random
   base). The best candidate is taken when its posterior (likelihood over the sum of all
   candidates' likelihoods) exceeds ``min_posterior`` (0.975).

Read status (counted in the report)
-----------------------------------
``exact``      the oriented barcode is on the whitelist;
``corrected``  one candidate has a posterior above ``min_posterior``;
``ambiguous``  several candidates, none above it;
``invalid``    no candidate (two or more mismatches) or a read of the wrong length;
``n``          the barcode has a no-call (``N``, or any letter other than ACGT) and could not be
               corrected (this takes precedence over ``ambiguous``/``invalid``).

Headers written (``correction``)
--------------------------------
``cellranger`` ``@<name> CB:Z:<barcode><suffix>\\tCR:Z:<raw>\\tCY:Z:<raw qualities>`` when the read
               has a barcode (exact or corrected), ``@<name> CR:Z:<raw>\\tCY:Z:<raw qualities>``
               otherwise. ``<raw>`` is the barcode read as sequenced, oriented like the whitelist.
``none``       the authors' ``sinto barcode`` layout ``@<raw><suffix>:<name>``, no tags and no
               correction. ``<raw>`` is oriented as well: pass ``orientation="forward"`` for
               sinto's bytes exactly.

``<name>`` is R1's read name (up to the first whitespace); the comment of the input header is
dropped. Sequence and quality lines are copied unchanged (the ``+`` line becomes ``+``). Outputs
are gzip with a fixed header (no file name, mtime 0), so the same input gives the same bytes; they
are written to ``<out>.part`` and renamed at the end, and removed on any error.

Speed
-----
Real libraries have ~200 M read pairs. The FASTQs are decompressed in blocks with :mod:`zlib` and
split into lines in C, with no per-record objects (reading three 200k-record files took 0.33 s
this way, 0.54 s with ``pysam.FastxFile`` and 0.75 s iterating ``gzip.open``). A raw barcode's
header fragment is computed once and cached (an exact hit or a quality-independent correction is
the same for every read with those bases). The outputs are compressed at level 1 (they are read
once more, by bowtie2), each in a helper thread. :func:`benchmark_barcodes` times the whole stage
on a synthetic library.
"""
from __future__ import annotations

import gzip
import json
import logging
import os
import queue
import re
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from pathlib import Path

import numpy as np

from ..alphabet import reverse_complement
from ..logutil import Progress

_LOG = logging.getLogger(__name__)

#: gzip level of the tagged FASTQs: intermediates read once by bowtie2, so speed beats size
COMPRESS_LEVEL = 1
#: the statuses of :meth:`BarcodeCorrector.correct`, in report order
STATUSES = ("exact", "corrected", "ambiguous", "invalid", "n")
#: a Phred score gives an error probability of at most this (a uniformly random call is wrong 3/4 of the time)
MAX_ERROR_P = 0.75

_BASES = "ACGT"
_OTHER_BASES = {b: _BASES.replace(b, "") for b in _BASES}  # substitutions of a called base
_GEM_SUFFIX = re.compile(r"-\d+$")
_NOT_ACGT = re.compile(r"[^ACGT]")
_READ_BLOCK = 1 << 20  # compressed bytes per read() call
_FLUSH_RECORDS = 50_000  # records per output chunk handed to zlib
_COUNT_CHUNK = 1_000_000  # barcodes per Counter in pass 1 (bounds its memory)
_PROGRESS_READS = 4_000_000
_CACHE_MAX = 2_000_000  # raw barcodes remembered in pass 2 (~0.5 GB); cleared when full
_ERROR_P = tuple(min(10.0 ** (-q / 10.0), MAX_ERROR_P) for q in range(94))  # Phred 0..93


# --------------------------------------------------------------------------- whitelist, orientation

def _open_text(path: Path) -> Iterator[str]:
    """Lines of a plain or gzipped text file (told apart by the gzip magic bytes, not the name)."""
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    opener = gzip.open if gz else open
    with opener(path, "rt", encoding="ascii", errors="replace") as fh:
        yield from fh


def read_whitelist(path) -> frozenset[str]:
    """The cell-barcode whitelist (10x "737K-cratac-v1"), one barcode per line.

    Parameters
    ----------
    path : str or os.PathLike
        Plain or gzipped text. Blank lines are ignored; a trailing GEM-group suffix ``-<digits>``
        (``AAACGAAAGAAACGTA-1``) is stripped.

    Returns
    -------
    frozenset of str
        The barcodes (all of one length, letters ACGT only).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        Naming the file: when it holds no barcode, when barcodes have different lengths, or when a
        barcode has a letter other than A, C, G, T.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"barcode whitelist {path} does not exist")
    barcodes = [_GEM_SUFFIX.sub("", line.strip()) for line in _open_text(path)]
    return _checked_whitelist([b for b in barcodes if b], str(path))


def _checked_whitelist(barcodes, name: str) -> frozenset[str]:
    """``barcodes`` as a frozenset, after checking there are some, of one length, in ACGT."""
    barcodes = list(barcodes)
    if not barcodes:
        raise ValueError(f"barcode whitelist {name} holds no barcode")
    lengths = Counter(map(len, barcodes))
    if len(lengths) > 1:
        common = lengths.most_common(1)[0][0]
        odd = next(b for b in barcodes if len(b) != common)
        raise ValueError(f"barcode whitelist {name}: barcodes have different lengths "
                         f"({dict(sorted(lengths.items()))} barcodes per length), e.g. {odd!r}")
    if _NOT_ACGT.search("".join(barcodes)):
        odd = next(b for b in barcodes if _NOT_ACGT.search(b))
        raise ValueError(f"barcode whitelist {name}: {odd!r} has letters other than A, C, G, T")
    return frozenset(barcodes)


def _orientation_hits(barcodes: Iterable[str], whitelist) -> dict:
    """``{"n", "forward", "revcomp"}``: barcodes seen, exact whitelist hits as read and reverse-complemented."""
    n = fwd = rev = 0
    for bc in barcodes:
        n += 1
        fwd += bc in whitelist
        rev += reverse_complement(bc) in whitelist
    return {"n": n, "forward": fwd, "revcomp": rev}


def detect_orientation(barcodes: Iterable[str], whitelist, min_fraction: float = 0.05,
                       source: str = "") -> tuple[str, dict]:
    """Whether barcode reads are the whitelist sequence (``forward``) or its reverse complement.

    Parameters
    ----------
    barcodes : iterable of str
        Barcode reads as sequenced (a sample; the first 200 000 are plenty).
    whitelist : set of str
        The whitelist (:func:`read_whitelist`).
    min_fraction : float
        Smallest fraction of exact hits the better orientation must reach.
    source : str
        What the barcodes came from (the R2 file), for the error message.

    Returns
    -------
    orientation : {"forward", "revcomp"}
        The orientation with more exact hits (``forward`` on a tie).
    sample : dict
        ``{"n": barcodes looked at, "forward": hits as read, "revcomp": hits reverse-complemented}``.

    Raises
    ------
    ValueError
        Naming ``source`` and both fractions, when no barcode was given or the better fraction is
        below ``min_fraction``.
    """
    sample = _orientation_hits(barcodes, whitelist)
    n = sample["n"]
    if n == 0:
        raise ValueError(f"{source or 'barcodes'}: no barcode reads to detect the orientation from")
    best = "revcomp" if sample["revcomp"] > sample["forward"] else "forward"
    if sample[best] / n < min_fraction:
        raise ValueError(
            f"{source or 'barcodes'}: only {sample['forward'] / n:.2%} of {n:,} barcodes are on the whitelist "
            f"as read and {sample['revcomp'] / n:.2%} reverse-complemented (at least {min_fraction:.0%} "
            "expected): check that the whitelist belongs to this chemistry (10x scATAC: 737K-cratac-v1) "
            "and that this file is the barcode read (R2)")
    return best, sample


# --------------------------------------------------------------------------- correction

class BarcodeCorrector:
    """Cell Ranger's barcode correction: Hamming-1 whitelist neighbours weighed by count and quality.

    Parameters
    ----------
    whitelist : set of str
        Whitelist barcodes, all of one length (:func:`read_whitelist`).
    counts : Mapping[str, int]
        Exact hits per whitelist barcode in the library (pass 1); a missing barcode counts 0.
        The prior of a candidate is ``counts[c] + 1``.
    min_posterior : float
        A candidate is taken when its posterior is strictly greater than this (in [0, 1)).

    Examples
    --------
    >>> c = BarcodeCorrector({"ACGTAA", "ACGTCC"}, {"ACGTAA": 100, "ACGTCC": 100})
    >>> c.correct("ACGTAA", "IIIIII")
    ('ACGTAA', 'exact')
    >>> c.correct("ACGTAC", "IIII5+")     # Q20 at base 5, Q10 at base 6: (101*0.1)/(101*0.1 + 101*0.01)
    (None, 'ambiguous')
    """

    def __init__(self, whitelist, counts: Mapping[str, int], min_posterior: float = 0.975):
        self.whitelist = whitelist if isinstance(whitelist, (set, frozenset)) else frozenset(whitelist)
        if not self.whitelist:
            raise ValueError("the barcode whitelist is empty")
        self.length = len(next(iter(self.whitelist)))
        if not 0.0 <= min_posterior < 1.0:
            raise ValueError(f"min_posterior must be in [0, 1), got {min_posterior}")
        self.counts = counts
        self.min_posterior = min_posterior

    def candidates(self, seq: str) -> list[tuple[str, int]]:
        """Whitelist barcodes at Hamming distance 1 from ``seq``, with the position where they differ.

        A no-call (any letter but ACGT) is a mismatch with every base, so with one no-call only
        that position can change, and with two there is no candidate.
        """
        if len(seq) != self.length:
            return []
        nocall = _NOT_ACGT.search(seq)
        if nocall is None:
            positions = range(len(seq))
        elif _NOT_ACGT.search(seq, nocall.end()) is None:
            positions = (nocall.start(),)
        else:
            return []
        wl = self.whitelist
        found = []
        for i in positions:
            head, tail = seq[:i], seq[i + 1:]
            for b in _OTHER_BASES.get(seq[i], _BASES):
                cand = head + b + tail
                if cand in wl:
                    found.append((cand, i))
        return found

    def posteriors(self, seq: str, qual: str) -> dict[str, float]:
        """Posterior of each Hamming-1 candidate of ``seq`` (empty when there is none).

        Parameters
        ----------
        seq : str
            The barcode, oriented like the whitelist.
        qual : str
            Its Phred+33 qualities, aligned with ``seq`` (same length).
        """
        return self._posteriors(seq, qual, self.candidates(seq))

    def _posteriors(self, seq: str, qual: str, cands: list[tuple[str, int]]) -> dict[str, float]:
        if len(qual) != len(seq):
            raise ValueError(f"barcode {seq!r} has {len(seq)} bases but {len(qual)} qualities")
        like = {}
        for cand, i in cands:
            q = ord(qual[i]) - 33
            if not 0 <= q < len(_ERROR_P):
                raise ValueError(f"quality {qual!r} of barcode {seq!r} is not Phred+33")
            like[cand] = (self.counts.get(cand, 0) + 1) * _ERROR_P[q]
        total = sum(like.values())
        return {c: v / total for c, v in like.items()}

    def correct(self, seq: str, qual: str) -> tuple[str | None, str]:
        """The whitelist barcode of a read, and how it was found.

        Parameters
        ----------
        seq : str
            The barcode, oriented like the whitelist.
        qual : str
            Its Phred+33 qualities, aligned with ``seq``.

        Returns
        -------
        barcode : str or None
            The whitelist barcode, or None when the read has none.
        status : str
            One of :data:`STATUSES` (``exact``, ``corrected``, ``ambiguous``, ``invalid``, ``n``).
        """
        barcode, status, _ = self._correct(seq, qual)
        return barcode, status

    def _correct(self, seq: str, qual: str) -> tuple[str | None, str, bool]:
        """:meth:`correct` plus whether the answer could change with other qualities of the same bases."""
        if seq in self.whitelist:
            return seq, "exact", False
        if len(seq) != self.length:
            return None, "invalid", False
        cands = self.candidates(seq)
        nocall = _NOT_ACGT.search(seq) is not None
        if not cands:
            return None, ("n" if nocall else "invalid"), False
        # candidates differing at one position share P(error), so only the counts decide
        qual_dependent = len({i for _, i in cands}) > 1
        post = self._posteriors(seq, qual, cands)
        best = max(post, key=post.get)
        if post[best] > self.min_posterior:
            return best, "corrected", qual_dependent
        return None, ("n" if nocall else "ambiguous"), qual_dependent


# --------------------------------------------------------------------------- FASTQ in and out

class _Lines:
    """Lines (without line ends) of a gzipped or plain file, decompressed and split in large blocks.

    Iterating gives the lines one by one through :func:`itertools.chain`, so no Python code runs
    per line. ``n_lines`` counts the lines handed out so far in whole blocks.
    """

    def __init__(self, path: Path):
        self.path = path
        self.n_lines = 0

    def _chunks(self, fh) -> Iterator[bytes]:
        gz = fh.read(2) == b"\x1f\x8b"
        fh.seek(0)
        if not gz:
            yield from iter(lambda: fh.read(_READ_BLOCK), b"")
            return
        # a gzip file may hold several members (bgzip, cat of gzips): restart after each
        dec, fed = zlib.decompressobj(31), False
        try:
            for raw in iter(lambda: fh.read(_READ_BLOCK), b""):
                while raw:
                    out = dec.decompress(raw)
                    fed = True
                    if out:
                        yield out
                    if dec.eof:
                        raw = dec.unused_data
                        dec, fed = zlib.decompressobj(31), False
                    else:
                        raw = b""
        except zlib.error as exc:
            raise ValueError(f"{self.path}: not a valid gzip file ({exc})") from None
        if fed and not dec.eof:
            raise ValueError(f"{self.path}: the gzip stream is truncated")

    def blocks(self) -> Iterator[list[bytes]]:
        with open(self.path, "rb") as fh:
            rest = b""
            for data in self._chunks(fh):
                lines = (rest + data).split(b"\n")
                rest = lines.pop()
                self.n_lines += len(lines)
                yield lines
            if rest:
                self.n_lines += 1
                yield [rest]

    def __iter__(self) -> Iterator[bytes]:
        return chain.from_iterable(self.blocks())


def _records(path: Path) -> tuple[_Lines, Iterator[tuple[bytes, bytes, bytes, bytes]]]:
    """The line source of a FASTQ and an iterator of its (header, sequence, plus, quality) records."""
    lines = _Lines(path)
    it = iter(lines)
    return lines, zip(it, it, it, it)


class _GzipOut:
    """A gzip file with a fixed header, written to ``<path>.part`` and renamed by :meth:`commit`.

    Compression runs in a helper thread (zlib releases the GIL), so it overlaps with the
    parsing in the main thread; at most ``depth`` chunks wait in between.
    """

    def __init__(self, path: Path, depth: int = 4):
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self._raw = open(self.part, "wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=COMPRESS_LEVEL)
        self._queue: queue.Queue = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"gzip {path.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:  # after a failure, keep draining so the producer never blocks
                try:
                    self._gz.write(data)
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise OSError(f"writing {self.part} failed: {self._error}") from self._error

    def write(self, lines: list[bytes]) -> None:
        """Write ``lines`` (without line ends), each followed by a newline."""
        self._raise()
        lines.append(b"")
        self._queue.put(b"\n".join(lines))

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def commit(self) -> None:
        self._stop()
        self._raise()
        self._gz.close()
        self._raw.close()
        os.replace(self.part, self.path)

    def discard(self) -> None:
        self._stop()
        try:
            self._gz.close()
        except Exception:  # noqa: BLE001 - the original error matters, not this one
            pass
        self._raw.close()
        self.part.unlink(missing_ok=True)


def _read_name(header: bytes) -> bytes:
    """Read name for comparing mates: up to the first whitespace, without ``@`` and a trailing /1, /2, /3."""
    name = header.split(None, 1)[0] if header.strip() else b""
    name = name[1:] if name.startswith(b"@") else name
    return name[:-2] if name[-2:] in (b"/1", b"/2", b"/3") else name


def _first_record(path: Path) -> tuple[bytes, bytes, bytes, bytes]:
    """The first FASTQ record of ``path``, checked for shape; ValueError naming the file otherwise."""
    rec = next(_records(path)[1], None)
    if rec is None:
        raise ValueError(f"{path}: no FASTQ record (empty file?)")
    if rec[1].endswith(b"\r"):
        raise ValueError(f"{path}: Windows line ends (CRLF) are not supported; convert the file with dos2unix")
    if not rec[0].startswith(b"@") or not rec[2].startswith(b"+") or len(rec[1]) != len(rec[3]):
        raise ValueError(f"{path}: the first record is not FASTQ (header '@…', sequence, '+', qualities "
                         f"of the sequence's length): {b' | '.join(rec)[:200]!r}")
    return rec


class _Tagger:
    """Header fragment per raw barcode read (bytes as sequenced), with a cache.

    ``lookup(seq, qual)`` returns ``(fragment, status index)``. In ``cellranger`` mode the fragment
    goes between the read name and the oriented qualities (``" CB:Z:…\\tCR:Z:…\\tCY:Z:"``); in
    ``none`` mode it is the header start (``"@<barcode><suffix>:"``).
    """

    def __init__(self, whitelist, corrector: BarcodeCorrector | None, revcomp: bool, suffix: str):
        self.whitelist = whitelist
        self.corrector = corrector
        self.revcomp = revcomp
        self.suffix = suffix.encode()
        self.cache: dict[bytes, tuple[bytes, int]] = {}
        self._status = {s: k for k, s in enumerate(STATUSES)}

    def lookup(self, seq: bytes, qual: bytes) -> tuple[bytes, int]:
        oriented = reverse_complement(seq) if self.revcomp else seq
        text = oriented.decode("latin-1")
        if self.corrector is None:  # "none": the raw barcode, classified only for the report
            status = "exact" if text in self.whitelist else "n" if _NOT_ACGT.search(text) else "invalid"
            hit = (b"@" + oriented + self.suffix + b":", self._status[status])
            qual_dependent = False
        else:
            q = (qual[::-1] if self.revcomp else qual).decode("latin-1")
            barcode, status, qual_dependent = self.corrector._correct(text, q)
            cb = b"" if barcode is None else b" CB:Z:" + barcode.encode() + self.suffix + b"\t"
            hit = ((cb or b" ") + b"CR:Z:" + oriented + b"\tCY:Z:", self._status[status])
        if not qual_dependent:
            if len(self.cache) >= _CACHE_MAX:
                self.cache.clear()
            self.cache[seq] = hit
        return hit


def _check_paths(r1, r2, r3, out_r1, out_r3) -> tuple[Path, ...]:
    ins = [Path(p) for p in (r1, r2, r3)]
    outs = [Path(p) for p in (out_r1, out_r3)]
    for p, what in zip(ins, ("R1 (genomic read 1)", "R2 (barcode read)", "R3 (genomic read 2)")):
        if not p.is_file():
            raise FileNotFoundError(f"{what} FASTQ {p} does not exist")
    resolved_in = {p.resolve() for p in ins}
    if outs[0].resolve() == outs[1].resolve() or any(o.resolve() in resolved_in for o in outs):
        raise ValueError(f"outputs {outs[0]} and {outs[1]} must differ from each other and from the inputs")
    for o in outs:
        o.parent.mkdir(parents=True, exist_ok=True)
    return (*ins, *outs)


def _check_barcode_length(r2: Path, seq: bytes, length: int, whitelist_name: str) -> None:
    n = len(seq)
    if n == length:
        return
    msg = f"{r2}: barcode reads are {n} bp but the whitelist {whitelist_name} has {length}-bp barcodes"
    if n == 24 and length == 16:
        msg += ("; a 24-bp i5 read (16-bp barcode + 8-bp spacer) is 10x Multiome (ARC), "
                "whose ATAC barcodes need the ARC whitelist and translation: not supported")
    else:
        msg += "; is this file the barcode read (R2 of 10x scATAC: 16 bp)?"
    raise ValueError(msg)


# --------------------------------------------------------------------------- the stage

def tag_fastqs(r1, r2, r3, out_r1, out_r3, whitelist, orientation: str = "auto", correction: str = "cellranger",
               min_posterior: float = 0.975, suffix: str = "", sample_size: int = 200_000,
               report=None) -> dict:
    """Attach cell barcodes from R2 to the genomic reads R1 and R3 of a 10x scATAC lane.

    Parameters
    ----------
    r1, r2, r3 : str or os.PathLike
        Gzipped (or plain) FASTQs: genomic read 1, the barcode (i5) read, genomic read 2; the same
        read names in the same order (compared up to the first whitespace, ignoring /1 /2 /3).
    out_r1, out_r3 : str or os.PathLike
        Tagged R1 and R3 (gzip); parent folders are created.
    whitelist : str, os.PathLike or set of str
        Whitelist file (:func:`read_whitelist`) or its barcodes.
    orientation : {"auto", "forward", "revcomp"}
        How R2 relates to the whitelist; ``auto`` decides on the first ``sample_size`` reads.
    correction : {"cellranger", "none"}
        ``cellranger``: correct and write ``CB``/``CR``/``CY`` comments; ``none``: the authors'
        ``@<barcode>:<name>`` without correction (see the module docstring).
    min_posterior : float
        Posterior a correction must exceed (Cell Ranger: 0.975).
    suffix : str
        Appended to every barcode written (``"-1"``: Cell Ranger's GEM group; a distinct suffix
        per library keeps cells of different libraries apart). No whitespace, no ``:``.
    sample_size : int
        Barcode reads used to detect and report the orientation.
    report : str or os.PathLike, optional
        Where to write the report as JSON.

    Returns
    -------
    dict
        ``read_pairs``, ``orientation``, ``orientation_sample`` ({"n", "forward", "revcomp"}),
        counts per status (``exact``, ``corrected``, ``ambiguous``, ``invalid``, ``n``),
        ``fraction_exact``, ``fraction_corrected``, ``fraction_with_barcode`` (exact + corrected,
        over read pairs), ``correction``, ``min_posterior``, ``suffix``, ``whitelist_size``.

    Raises
    ------
    FileNotFoundError
        A missing input.
    ValueError
        Naming the file: bad options, a barcode read length that differs from the whitelist's
        (a Multiome read says so), a whitelist match below 5 % in both orientations
        (``orientation="auto"``), read names that differ between the files (with the record
        number), files with different numbers of records, malformed FASTQ.
    """
    if orientation not in ("auto", "forward", "revcomp"):
        raise ValueError(f"orientation must be auto, forward or revcomp, got {orientation!r}")
    if correction not in ("cellranger", "none"):
        raise ValueError(f"correction must be cellranger or none, got {correction!r}")
    if not 0.0 <= min_posterior < 1.0:
        raise ValueError(f"min_posterior must be in [0, 1), got {min_posterior}")
    if re.search(r"[\s:]", suffix) or not suffix.isascii() or not suffix.isprintable():
        raise ValueError(f"barcode suffix {suffix!r} must be printable ASCII without whitespace or ':'")
    if sample_size < 1:
        raise ValueError(f"sample_size must be at least 1, got {sample_size}")
    r1, r2, r3, out_r1, out_r3 = _check_paths(r1, r2, r3, out_r1, out_r3)
    if isinstance(whitelist, (str, os.PathLike)):
        wl_name, whitelist = str(whitelist), read_whitelist(whitelist)
    else:
        wl_name = "(given as a set)"
        whitelist = _checked_whitelist(whitelist, wl_name)
    length = len(next(iter(whitelist)))
    firsts = [_first_record(p) for p in (r1, r2, r3)]
    _check_barcode_length(r2, firsts[1][1], length, wl_name)

    # orientation from the first reads; pass 1 (exact counts) continues on the same stream
    progress = Progress(_LOG, f"barcodes pass 1 (count) {r2.name}", unit="reads", every_s=0)
    seqs = islice(iter(_Lines(r2)), 1, None, 4)
    sample = list(islice(seqs, sample_size))
    sample_text = [s.decode("latin-1") for s in sample]
    if orientation == "auto":
        orientation, osample = detect_orientation(sample_text, whitelist, source=str(r2))
    else:
        osample = _orientation_hits(sample_text, whitelist)
        other = "revcomp" if orientation == "forward" else "forward"
        if osample[other] > osample[orientation]:
            _LOG.warning("%s: orientation %s was asked for, but %s matches the whitelist more often "
                         "(%s of %s sampled barcodes vs %s)", r2, orientation, other, f"{osample[other]:,}",
                         f"{osample['n']:,}", f"{osample[orientation]:,}")
    del sample_text
    revcomp = orientation == "revcomp"
    _LOG.info("%s: orientation %s (%s of %s sampled barcodes on the whitelist as read, %s reverse-complemented)",
              r2, orientation, f"{osample['forward']:,}", f"{osample['n']:,}", f"{osample['revcomp']:,}")

    total = None
    corrector = None
    if correction == "cellranger":
        counts, total = _count_exact(chain(sample, seqs), whitelist, revcomp, progress)
        corrector = BarcodeCorrector(whitelist, counts, min_posterior)
        _LOG.info("%s: %s barcode reads, %s whitelist barcodes seen exactly", r2, f"{total:,}", f"{len(counts):,}")
    del sample, seqs

    tagger = _Tagger(whitelist, corrector, revcomp, suffix)
    outs = [_GzipOut(out_r1), _GzipOut(out_r3)]
    try:
        n_pairs, stats = _tag_pass(r1, r2, r3, outs, tagger, correction == "cellranger", revcomp, total)
        for o in outs:
            o.commit()
    except BaseException:
        for o in outs:
            o.discard()
        raise

    result = {"read_pairs": n_pairs, "orientation": orientation, "orientation_sample": osample,
              **dict(zip(STATUSES, stats))}
    denom = max(n_pairs, 1)
    result.update({
        "fraction_exact": result["exact"] / denom,
        "fraction_corrected": result["corrected"] / denom,
        "fraction_with_barcode": (result["exact"] + result["corrected"]) / denom,
        "correction": correction, "min_posterior": min_posterior, "suffix": suffix,
        "whitelist_size": len(whitelist),
    })
    _LOG.info("%s: %s read pairs; %.2f %% exact, %.2f %% corrected, %s ambiguous, %s invalid, %s with N",
              r2, f"{n_pairs:,}", 100 * result["fraction_exact"], 100 * result["fraction_corrected"],
              f"{result['ambiguous']:,}", f"{result['invalid']:,}", f"{result['n']:,}")
    if report is not None:
        report = Path(report)
        report.parent.mkdir(parents=True, exist_ok=True)
        part = report.with_name(report.name + ".part")
        part.write_text(json.dumps(result, indent=2) + "\n")
        part.replace(report)
    return result


def _count_exact(seqs: Iterator[bytes], whitelist, revcomp: bool,
                 progress: Progress) -> tuple[dict[str, int], int]:
    """Pass 1: exact hits per whitelist barcode, and the number of barcode reads."""
    counts: dict[str, int] = {}
    total = 0
    next_log = _PROGRESS_READS
    while True:
        # Counter counts in C; only the distinct sequences of a chunk go through Python
        chunk = Counter(islice(seqs, _COUNT_CHUNK))
        if not chunk:
            break
        total += sum(chunk.values())
        for seq, n in chunk.items():
            bc = (reverse_complement(seq) if revcomp else seq).decode("latin-1")
            if bc in whitelist:
                counts[bc] = counts.get(bc, 0) + n
        if total >= next_log:
            progress.update(total)
            next_log += _PROGRESS_READS
    progress.done = total
    progress.finish()
    return counts, total


def _tag_pass(r1: Path, r2: Path, r3: Path, outs: list[_GzipOut], tagger: _Tagger, cellranger: bool,
              revcomp: bool, total: int | None) -> tuple[int, list[int]]:
    """Pass 2: read the three FASTQs in step, write tagged R1 and R3; (read pairs, counts per status)."""
    src1, g1 = _records(r1)
    src2, g2 = _records(r2)
    src3, g3 = _records(r3)
    cache, lookup = tagger.cache, tagger.lookup
    stats = [0] * len(STATUSES)
    o1: list[bytes] = []
    o3: list[bytes] = []
    plus = b"+"
    progress = Progress(_LOG, f"barcodes pass 2 (tag) {r2.name}", total=total, unit="read pairs", every_s=0)
    next_log = _PROGRESS_READS
    i = 0
    for h1, s1, _, q1 in g1:
        rec2 = next(g2, None)
        rec3 = next(g3, None)
        if rec2 is None or rec3 is None:
            short, lines = (r2, src2) if rec2 is None else (r3, src3)
            _check_complete(short, lines)
            raise ValueError(f"{short} has fewer FASTQ records ({i:,}) than {r1}; R1, R2 and R3 must hold the "
                             "same reads")
        h2, s2, _, q2 = rec2
        h3, s3, _, q3 = rec3
        i += 1
        # "or" guards against a blank header line, which splits into nothing
        name = (h1.split(None, 1) or (b"",))[0]
        if (name != (h2.split(None, 1) or (b"",))[0] or name != (h3.split(None, 1) or (b"",))[0]
                or not name.startswith(b"@")):
            _check_names(h1, h2, h3, r1, r2, r3, i)
        hit = cache.get(s2)
        if hit is None:
            try:
                hit = lookup(s2, q2.rstrip())
            except ValueError as exc:
                raise ValueError(f"{r2}: FASTQ record {i:,}: {exc}") from None
        frag, k = hit
        stats[k] += 1
        if cellranger:
            q2 = q2.rstrip()
            header = name + frag + (q2[::-1] if revcomp else q2)
        else:
            header = frag + name[1:]
        o1 += (header, s1, plus, q1)
        o3 += (header, s3, plus, q3)
        if i % _FLUSH_RECORDS == 0:
            outs[0].write(o1)
            outs[1].write(o3)
            o1.clear()
            o3.clear()
            if i >= next_log:
                progress.update(i)
                next_log += _PROGRESS_READS
    _check_complete(r1, src1)
    for src, g, lines in ((r2, g2, src2), (r3, g3, src3)):
        if next(g, None) is not None:
            raise ValueError(f"{src} has more FASTQ records than {r1} ({i:,}); R1, R2 and R3 must hold the same reads")
        _check_complete(src, lines)
    if o1:
        outs[0].write(o1)
        outs[1].write(o3)
    progress.done = i
    progress.finish()
    return i, stats


def _check_complete(path: Path, lines: _Lines) -> None:
    """ValueError when a FASTQ that has been read to its end does not hold whole records."""
    if lines.n_lines % 4:
        raise ValueError(f"{path}: the last FASTQ record is incomplete ({lines.n_lines:,} lines, not a "
                         "multiple of 4); is the file truncated?")


def _check_names(h1: bytes, h2: bytes, h3: bytes, r1: Path, r2: Path, r3: Path, record: int) -> None:
    """Slow path of the name check: allow /1 /2 /3 endings; ValueError naming files and record otherwise."""
    for path, h in ((r1, h1), (r2, h2), (r3, h3)):
        if not h.startswith(b"@"):
            raise ValueError(f"{path}: FASTQ record {record:,} has no '@' header line: {h[:100]!r}")
    names = [_read_name(h) for h in (h1, h2, h3)]
    if names[0] != names[1] or names[0] != names[2]:
        shown = ", ".join(f"{p}: {n.decode('latin-1')!r}" for p, n in zip((r1, r2, r3), names))
        raise ValueError(f"read names differ at FASTQ record {record:,} ({shown}); "
                         "R1, R2 and R3 must hold the same reads in the same order")


# --------------------------------------------------------------------------- benchmark

def _random_bases(rng: np.random.Generator, shape) -> np.ndarray:
    return np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, size=shape)]


def _write_fastq(path: Path, names: list[bytes], seqs: np.ndarray, quals: np.ndarray) -> None:
    lines = []
    for name, s, q in zip(names, seqs, quals):
        lines += (name, s.tobytes(), b"+", q.tobytes())
    lines.append(b"")
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1) as gz:
        gz.write(b"\n".join(lines))


def benchmark_barcodes(n_pairs: int = 200_000, seed: int = 0, workdir=None) -> dict:
    """Time :func:`tag_fastqs` on a synthetic 10x lane.

    The lane: a whitelist of 20 000 random 16-mers; 2 000 cells with log-normal sizes; R2 written
    reverse-complemented (NovaSeq v1.5 style, so ``auto`` detection and the reverse path are
    timed); 5 % of barcodes with one substitution at a Q10 base, 0.5 % with an ``N``, 1 % random;
    R1 and R3 are 50-bp random reads. Whitelist and FASTQ writing are not timed.

    Parameters
    ----------
    n_pairs : int
        Read pairs to simulate.
    seed : int
        Seed of the simulation.
    workdir : str or os.PathLike, optional
        Where to write the inputs, outputs and ``report.json`` (kept); a temporary folder
        (removed) when None.

    Returns
    -------
    dict
        ``read_pairs``, ``seconds`` (wall time of :func:`tag_fastqs`), ``pairs_per_second``,
        ``hours_for_200M`` (200 M read pairs at that rate).
    """
    with tempfile.TemporaryDirectory(prefix="barcodes_bench.") as tmp:
        work = Path(workdir) if workdir is not None else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        wl = np.unique(_random_bases(rng, (20_000, 16)).view("S16").ravel())
        (work / "whitelist.txt").write_bytes(b"\n".join(wl.tolist()) + b"\n")
        cells = wl[rng.choice(wl.size, 2_000, replace=False)]
        weight = rng.lognormal(0.0, 1.0, cells.size)
        bc = cells[rng.choice(cells.size, n_pairs, p=weight / weight.sum())].view(np.uint8).reshape(n_pairs, 16).copy()
        bq = np.full((n_pairs, 16), ord("F"), dtype=np.uint8)
        kind = rng.random(n_pairs)
        pos = rng.integers(0, 16, n_pairs)
        rows = np.flatnonzero(kind < 0.05)  # one substitution at a Q10 base
        code = np.searchsorted(np.frombuffer(b"ACGT", np.uint8), bc[rows, pos[rows]])
        bc[rows, pos[rows]] = np.frombuffer(b"ACGT", np.uint8)[(code + rng.integers(1, 4, rows.size)) % 4]
        bq[rows, pos[rows]] = ord("+")
        rows = np.flatnonzero((kind >= 0.05) & (kind < 0.055))  # a no-call
        bc[rows, pos[rows]] = ord("N")
        bq[rows, pos[rows]] = ord("#")
        rows = np.flatnonzero((kind >= 0.055) & (kind < 0.065))  # not from the whitelist
        bc[rows] = _random_bases(rng, (rows.size, 16))
        rc = np.frombuffer(b"ACGTN", np.uint8)
        comp = np.zeros(256, np.uint8)
        comp[rc] = np.frombuffer(b"TGCAN", np.uint8)
        r2_seq, r2_qual = comp[bc][:, ::-1], bq[:, ::-1]  # as a reverse-complement-workflow machine reads it
        names = [b"@BENCH:1:FC:1:1101:%d:1" % i for i in range(n_pairs)]
        reads = {}
        for mate in (1, 2, 3):
            path = work / f"bench_S1_L001_R{mate}_001.fastq.gz"
            if mate == 2:
                _write_fastq(path, [n + b" 2:N:0:ACGTACGT" for n in names], r2_seq, r2_qual)
            else:
                q = np.full((n_pairs, 50), ord("F"), dtype=np.uint8)
                _write_fastq(path, [n + b" %d:N:0:ACGTACGT" % mate for n in names],
                             _random_bases(rng, (n_pairs, 50)), q)
            reads[mate] = path
        start = time.perf_counter()
        tag_fastqs(reads[1], reads[2], reads[3], work / "out_R1.fastq.gz", work / "out_R3.fastq.gz",
                   work / "whitelist.txt", suffix="-1", report=work / "report.json")
        seconds = time.perf_counter() - start
    rate = n_pairs / seconds
    return {"read_pairs": n_pairs, "seconds": seconds, "pairs_per_second": rate, "hours_for_200M": 200e6 / rate / 3600}
