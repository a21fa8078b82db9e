"""10x fragment files from the allele BAMs (sinto 0.10.1 semantics); the paper's tie split; combining.

A fragment file has one row per (chrom, start, end, barcode) with the number of read pairs in
column 5 (``FRAGMENT_COLUMNS``). Coordinates are 0-based, half-open and **already Tn5-adjusted**.

Tn5 shift
    Applied exactly once, here: ``start = forward mate's reference_start + shift_plus`` and
    ``end = reverse mate's reference_end + shift_minus`` (+4 / -5 by default). The scATAC path
    does not run the bulk path's Tn5 shift step (``reads.tn5``, alignmentSieve ``--ATACshift``)
    first; a shifted BAM here would be shifted twice.

What :func:`build_fragments` reproduces from ``sinto fragments`` 0.10.1 (``sinto/fragments.py``)
    - **Pairing.** Records are paired by read name within a contig. sinto checks no flag, not
      even "properly paired": the two mates need opposite strands (two mates on one strand drop
      the pair), and the fragment runs from the forward mate's start to the reverse mate's end,
      whichever mate comes first in the file. Mates on different contigs never meet. Duplicate-
      and QC-fail-flagged records count like any other (column 5 counts the duplicates).
    - **Soft clips are not counted**: the positions are pysam's ``reference_start`` /
      ``reference_end`` of the aligned bases, not the unclipped 5' ends.
    - **MAPQ** ``>= min_mapq`` on *each* mate (a low mate leaves its partner unpaired).
    - **Length** ``min_length <= end - start <= max_length`` (both bounds inclusive; sinto drops
      ``> max_distance`` or ``< min_distance``), measured after the shift.
    - **Contigs** whose name ``re.match``-es ``contigs`` (sinto ``--use_chrom``, default
      ``(?i)^chr``: Ensembl names such as ``1`` give nothing; that is an error here) and that
      hold mapped reads in the index.
    - **Barcode** from the tag of the mate seen first; from the other mate when the first has
      none; a pair with no barcode on either mate is skipped. With ``barcode_regex`` the barcode
      is ``re.search(barcode_regex, read_name)``: its first group if it has one, else the whole
      match (sinto takes the whole match, e.g. ``[^:]*``).
    - **Duplicates** (``dedup="sinto"``, sinto's default), per contig, in this order:

      1. identical (start, end, barcode) are counted (column 5 = read pairs);
      2. within a barcode, fragments sharing a **start** are merged into the one with the most
         read pairs, which gets the sum; then
      3. within a barcode, the survivors sharing an **end** are merged the same way;
      4. across barcodes, identical (start, end) are merged into the barcode with the most read
         pairs; the count is the sum over barcodes (Cell Ranger ATAC 1.x behaviour).

      ``dedup="sinto_within"`` is ``sinto fragments --collapse_within`` (steps 1-3 only).
      ``dedup="within_barcode"`` is step 1 only: Cell Ranger ATAC >= 2 and snapatac2 keep
      fragments that merely share a start or an end, and the same fragment in two barcodes.

Where this builder departs from sinto (on purpose; for contigs under sinto's 500,000-record
chunk, only the way equal counts are broken can change a row)
    - sinto collapses only within one flush of ``--chunksize`` (500,000) records, so two
      fragments sharing a start can escape the merge at a flush boundary (``timoast/sinto#56``).
      Here a fragment is finalised only when nothing still to be read can share its start or end
      (connected groups are closed), so the result is that of an unbounded chunk: it does not
      depend on file size, block size or thread count.
    - Equal read counts are broken by coordinates and names, not by read order: among
      fragments sharing a start the one with the smaller end wins (sinto: the pair read first,
      i.e. the input order of reads at one position), among fragments sharing an end the one
      with the smaller start (usually sinto's choice too: its forward mate is read first), and
      across barcodes the lexicographically first barcode (sinto numbers barcodes through a
      ``set``, so its choice changes with ``PYTHONHASHSEED``).
    - Unmapped, secondary and supplementary records are ignored (sinto would pair them by name;
      bowtie2 writes no secondary records, but the lifter can write supplementary ones).
    - A read name that does not match ``barcode_regex`` is skipped and counted (sinto stops with
      ``AttributeError``, ``timoast/sinto#46``); an empty barcode counts as no barcode.
    - The output is sorted (sinto's is not): :func:`build_fragments` by the BAM header's contig
      order, then start, end, barcode; the other functions (and the files written) order contigs
      naturally (chr2 before chr10), so their result never depends on the input's row order.

Memory
    The BAMs are read per contig in position blocks (about 200,000 records each), so the
    working state is one block, the mates still waiting for their partner (up to
    ``max_length`` + 1 kb back) and the fragments whose start or end a later read could still
    share; not the file. The returned table itself is in memory (about 60 bytes per fragment
    with pandas' Arrow-backed strings).

Tie split and combine (the paper's ``split_fragments.py`` and ``combine_fragments.py``)
    :func:`split_ties` splits the read count of each tie (po 3) fragment, ``k_ref ~
    Binomial(count, 0.5)``, ``k_alt = count - k_ref``, dropping zero rows; seeded per contig so
    that row order and the other contigs do not matter (the paper set no seed).
    :func:`combine_fragments` sums ``count`` over identical rows. :func:`allele_fragments` runs
    the paper's route from our two allele BAMs in one pass over each.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..logutil import Progress

log = logging.getLogger(__name__)

FRAGMENT_COLUMNS = ["chrom", "start", "end", "barcode", "count"]
FRAGMENT_DTYPES = {"chrom": "str", "start": "int64", "end": "int64", "barcode": "str", "count": "int64"}
DEDUP_MODES = ("sinto", "sinto_within", "within_barcode")
TIE_SPLITS = ("binomial_reads", "per_fragment")

#: Keys of the statistics dict of :func:`build_fragments`, in the order they are reported.
#: Record-level: ``records`` read on the selected contigs, ``skipped_flag`` (unmapped,
#: secondary, supplementary), ``skipped_po``, ``skipped_mapq``, ``skipped_barcode_regex``,
#: ``unpaired_records`` (mate filtered, on another contig, or more than ``max_length`` + 1 kb
#: away). Pair-level: ``pairs`` (mates that met) = ``skipped_same_strand`` +
#: ``skipped_too_short`` + ``skipped_too_long`` + ``skipped_no_barcode`` + ``kept``; ``kept``
#: equals the sum of ``count`` over the output, ``fragments`` its rows.
STATS_KEYS = ("records", "skipped_flag", "skipped_po", "skipped_mapq", "skipped_barcode_regex",
              "unpaired_records", "pairs", "skipped_same_strand", "skipped_too_short", "skipped_too_long",
              "skipped_no_barcode", "kept", "fragments", "contigs_matched", "contigs_excluded")

_SCAN_KEYS = ("records", "skipped_flag", "skipped_po")
_CHANNEL_KEYS = ("skipped_mapq", "skipped_barcode_regex", "unpaired_records", "pairs", "skipped_same_strand",
                 "skipped_too_short", "skipped_too_long", "skipped_no_barcode", "kept")
(_MAPQ, _REGEX, _UNPAIRED, _PAIRS, _SAME, _SHORT, _LONG, _NOBC, _KEPT) = range(len(_CHANNEL_KEYS))

_IGNORED_FLAGS = 0x4 | 0x100 | 0x800  # unmapped, secondary, supplementary
# A waiting mate is given up once its partner can no longer make a kept fragment plus this
# margin; pairs further apart count as unpaired records rather than too long / too short.
_MATE_SLACK = 1000
# Position blocks aim at this many records (the block size adapts to the read density).
_BLOCK_RECORDS = 200_000
_BLOCK_BP = 1 << 20
_BLOCK_BP_MIN, _BLOCK_BP_MAX = 256, 1 << 26
# Completed pairs gathered before a collapse of the closed part of the buffer.
_FLUSH_PAIRS = 50_000


# ---------------------------------------------------------------------------------------------
# small array helpers
# ---------------------------------------------------------------------------------------------

def _group_starts(*sorted_cols) -> np.ndarray:
    """Boolean mask, shape (n,): True where a run of equal rows begins (columns already sorted)."""
    n = len(sorted_cols[0])
    first = np.ones(n, dtype=bool)
    if n > 1:
        change = np.zeros(n - 1, dtype=bool)
        for col in sorted_cols:
            change |= col[1:] != col[:-1]
        first[1:] = change
    return first


def _labels(*cols) -> tuple[np.ndarray, int]:
    """Group label per row for equal tuples of ``cols`` (each shape (n,)); returns (labels, n_groups)."""
    order = np.lexsort(cols[::-1])
    first = _group_starts(*(c[order] for c in cols))
    labels = np.empty(len(order), dtype=np.int64)
    labels[order] = np.cumsum(first) - 1
    return labels, int(first.sum())


def _aggregate_exact(s, e, ids, c):
    """Sum ``c`` over identical (start, end, barcode id); rows come back sorted by (s, e, id)."""
    order = np.lexsort((ids, e, s))
    s, e, ids, c = s[order], e[order], ids[order], c[order]
    starts = np.flatnonzero(_group_starts(s, e, ids))
    return s[starts], e[starts], ids[starts], np.add.reduceat(c, starts) if len(c) else c


def _merge_groups(group_cols, tiebreak, c) -> tuple[np.ndarray, np.ndarray]:
    """sinto's merge: per group of ``group_cols`` the row with the highest ``c`` (then lowest
    ``tiebreak``) takes the group's sum. Returns (winner row indices, their new counts)."""
    order = np.lexsort((tiebreak, -c, *group_cols[::-1]))
    starts = np.flatnonzero(_group_starts(*(g[order] for g in group_cols)))
    return order[starts], np.add.reduceat(c[order], starts)


def _collapse(s, e, ids, c, mode: str, bc_rank):
    """Duplicate collapse of one closed set of fragments (see the module docstring).

    Parameters
    ----------
    s, e, ids, c : numpy.ndarray of int64, shape (n,)
        Unique (start, end, barcode id) rows and their read-pair counts.
    mode : {"sinto", "sinto_within", "within_barcode"}
    bc_rank : callable
        Maps barcode ids, shape (n,), to their lexicographic rank (ties across barcodes).
    """
    if mode == "within_barcode" or len(s) == 0:
        return s, e, ids, c
    # 2. shared start within a barcode: most reads wins, then the smaller end
    win, c = _merge_groups((s, ids), e, c)
    s, e, ids = s[win], e[win], ids[win]
    # 3. shared end within a barcode, on the survivors: most reads wins, then the smaller start
    win, c = _merge_groups((e, ids), s, c)
    s, e, ids = s[win], e[win], ids[win]
    if mode == "sinto":
        # 4. the same fragment in several barcodes goes to the barcode with most reads
        win, c = _merge_groups((s, e), bc_rank(ids), c)
        s, e, ids = s[win], e[win], ids[win]
    return s, e, ids, c


def collapse_fragments(table: pd.DataFrame, dedup: str = "sinto") -> pd.DataFrame:
    """A whole fragment table through the builder's duplicate collapse, contig by contig.

    Parameters
    ----------
    table : pandas.DataFrame
        ``chrom, start, end, barcode, count`` rows (Tn5-adjusted; identical rows are summed).
    dedup : {"sinto", "sinto_within", "within_barcode"}
        As :func:`build_fragments`.

    Returns
    -------
    pandas.DataFrame
        The surviving rows (``FRAGMENT_COLUMNS``), sorted as :func:`sort_fragments` does: what
        the builder writes when every pair of ``table`` reaches it.
    """
    if dedup not in DEDUP_MODES:
        raise ValueError(f"dedup must be one of {DEDUP_MODES}, got {dedup!r}")
    out = []
    for chrom, part in table.groupby("chrom", sort=False, observed=True):
        codes, names = pd.factorize(part["barcode"].astype(str).to_numpy())
        names = np.asarray(names, dtype=object)
        rank = np.argsort(np.argsort(names, kind="stable"), kind="stable")
        s, e, ids, c = _aggregate_exact(part["start"].to_numpy(np.int64), part["end"].to_numpy(np.int64),
                                        codes.astype(np.int64), part["count"].to_numpy(np.int64))
        s, e, ids, c = _collapse(s, e, ids, c, dedup, lambda i: rank[i])
        out.append(pd.DataFrame({"chrom": chrom, "start": s, "end": e, "barcode": names[ids], "count": c}))
    return sort_fragments(pd.concat(out, ignore_index=True) if out else empty_fragments())


def _held(open_, s, e, ids, mode: str) -> np.ndarray:
    """Rows that must wait, shape (n,): those connected to an ``open_`` row by a shared
    (start, barcode), (end, barcode) or, in sinto mode, (start, end) group."""
    if not open_.any() or open_.all() or mode == "within_barcode":
        # within_barcode: rows are already unique keys, so nothing links them
        return open_.copy()
    n = len(s)
    groupings = [(s, ids), (e, ids)] + ([(s, e)] if mode == "sinto" else [])
    rows, cols, offset = [], [], n
    for cols_ in groupings:
        lab, k = _labels(*cols_)
        rows.append(np.arange(n))
        cols.append(lab + offset)
        offset += k
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(offset, offset))
    _, comp = connected_components(graph, directed=False)
    comp = comp[:n]
    return np.isin(comp, np.unique(comp[open_]))


# ---------------------------------------------------------------------------------------------
# the streaming builder
# ---------------------------------------------------------------------------------------------

class _Barcodes:
    """Barcode strings <-> int ids for one build (ids in order of first flush)."""

    def __init__(self):
        self.ids: dict = {}
        self.names: list = []

    def encode(self, barcodes: list) -> np.ndarray:
        """Ids, shape (n,), for a list of barcode strings."""
        codes, uniques = pd.factorize(np.asarray(barcodes, dtype=object))
        mapped = np.empty(len(uniques), dtype=np.int64)
        for i, bc in enumerate(uniques):
            j = self.ids.get(bc)
            if j is None:
                j = self.ids[bc] = len(self.names)
                self.names.append(bc)
            mapped[i] = j
        return mapped[codes]

    def rank(self, ids: np.ndarray) -> np.ndarray:
        """Lexicographic rank of each id among ``ids``, shape (n,)."""
        uniq = np.unique(ids)
        by_name = np.argsort(np.array([self.names[i] for i in uniq]), kind="stable")
        rank_of_uniq = np.empty(len(uniq), dtype=np.int64)
        rank_of_uniq[by_name] = np.arange(len(uniq))
        return rank_of_uniq[np.searchsorted(uniq, ids)]


class _Channel:
    """One output table: its waiting mates (per BAM), completed pairs and counters."""

    __slots__ = ("name", "fwd", "rev", "S", "E", "B", "counts", "held", "out", "opts", "barcodes")

    def __init__(self, name, n_bams, opts, barcodes):
        self.name, self.opts, self.barcodes = name, opts, barcodes
        # read name -> (fragment start, barcode) of a waiting forward mate; (end, barcode) reverse
        self.fwd = [dict() for _ in range(n_bams)]
        self.rev = [dict() for _ in range(n_bams)]
        self.S, self.E, self.B = [], [], []
        self.counts = [0] * len(_CHANNEL_KEYS)
        self.held = None   # (s, e, ids, c) waiting for their group to close
        self.out = []      # (contig index, s, e, ids, c) per flush

    def expire(self, b: int) -> None:
        """Drop waiting mates that no record at position >= ``b`` can complete."""
        o = self.opts
        lim_f = b + o["shift_minus"] - o["max_length"] - _MATE_SLACK   # start below: mate too far
        lim_r = b + o["shift_plus"] - _MATE_SLACK                      # end below: mate too far
        for k, d in enumerate(self.fwd):
            kept = {q: v for q, v in d.items() if v[0] >= lim_f}
            self.counts[_UNPAIRED] += len(d) - len(kept)
            self.fwd[k] = kept
        for k, d in enumerate(self.rev):
            kept = {q: v for q, v in d.items() if v[0] >= lim_r}
            self.counts[_UNPAIRED] += len(d) - len(kept)
            self.rev[k] = kept

    def flush(self, contig_index: int, b: int | None) -> None:
        """Collapse and store the completed fragments no later read can join.

        ``b`` is the scan position (every record before it has been read); None at the end of
        the contig, when everything is final.
        """
        o = self.opts
        if b is not None and len(self.S) < _FLUSH_PAIRS:
            return
        s = np.array(self.S, dtype=np.int64)
        e = np.array(self.E, dtype=np.int64)
        ids = self.barcodes.encode(self.B)
        c = np.ones(len(s), dtype=np.int64)
        self.S, self.E, self.B = [], [], []
        if self.held is not None:
            hs, he, hi, hc = self.held
            s, e, ids, c = (np.concatenate(x) for x in ((hs, s), (he, e), (hi, ids), (hc, c)))
            self.held = None
        if len(s) == 0:
            return
        s, e, ids, c = _aggregate_exact(s, e, ids, c)
        if b is not None:
            # a later fragment can have a start >= b + shift_plus or a waiting forward mate's
            # start, and an end >= b + shift_minus or a waiting reverse mate's end
            open_ = (s >= b + o["shift_plus"]) | (e >= b + o["shift_minus"])
            starts = [v[0] for d in self.fwd for v in d.values()]
            ends = [v[0] for d in self.rev for v in d.values()]
            if starts:
                open_ |= np.isin(s, np.array(starts, dtype=np.int64))
            if ends:
                open_ |= np.isin(e, np.array(ends, dtype=np.int64))
            held = _held(open_, s, e, ids, o["dedup"])
            if held.any():
                self.held = (s[held], e[held], ids[held], c[held])
                keep = ~held
                s, e, ids, c = s[keep], e[keep], ids[keep], c[keep]
        if len(s):
            s, e, ids, c = _collapse(s, e, ids, c, o["dedup"], self.barcodes.rank)
            self.out.append((np.full(len(s), contig_index, dtype=np.int64), s, e, ids, c))

    def end_contig(self, contig_index: int) -> None:
        """Final collapse of the contig; mates still waiting are unpaired."""
        self.flush(contig_index, None)
        for group in (self.fwd, self.rev):
            for k, d in enumerate(group):
                self.counts[_UNPAIRED] += len(d)
                group[k] = {}

    def table(self, contig_names: list) -> pd.DataFrame:
        """The fragments, sorted by contig (``contig_names`` order), start, end, barcode."""
        if not self.out:
            return empty_fragments()
        cidx, s, e, ids, c = (np.concatenate(x) for x in zip(*self.out))
        self.out = []
        names = self.barcodes.names
        order = np.argsort(np.array(names), kind="stable")
        rank = np.empty(len(names), dtype=np.int64)
        rank[order] = np.arange(len(names))
        order = np.lexsort((rank[ids], e, s, cidx))
        chrom = pd.Categorical.from_codes(cidx[order], categories=contig_names)
        barcode = pd.Categorical.from_codes(ids[order], categories=names)
        return pd.DataFrame({"chrom": pd.Series(chrom).astype("str"), "start": s[order], "end": e[order],
                             "barcode": pd.Series(barcode).astype("str"), "count": c[order]})


def _scan_block(bam, k, contig, a, b, always, by_po, opts, scan):
    """Read the records of ``bam`` (index ``k``) that start in [a, b) into their channels.

    ``always`` are the channels taking every record; ``by_po`` maps a ``po`` value to all the
    channels taking it (None: no channel looks at ``po``). Returns the number of records read.
    Hot loop: plain locals, pysam attributes, no per-read objects besides the waiting-mate tuples.
    """
    min_mapq, sp, sm = opts["min_mapq"], opts["shift_plus"], opts["shift_minus"]
    lo, hi = opts["min_length"], opts["max_length"]
    h_fwd, h_rev = hi + _MATE_SLACK, _MATE_SLACK
    tag, rx, rx_group = opts["barcode_tag"], opts["regex_search"], opts["regex_group"]
    n = skipped_flag = skipped_po = 0
    chans = always
    for rec in bam.fetch(contig, a, b):
        q = rec.reference_start
        if q < a:   # started in an earlier block, already read
            continue
        n += 1
        flag = rec.flag
        if flag & _IGNORED_FLAGS:
            skipped_flag += 1
            continue
        if by_po is not None:
            try:
                pov = rec.get_tag("po")
            except KeyError:
                raise ValueError(f"{bam.filename.decode()}: read {rec.query_name} at {contig}:{q + 1} has no "
                                 "po tag; po= needs the allele BAMs of the workflow (reads.alleles)") from None
            chans = by_po.get(pov, always)
            if not chans:
                skipped_po += 1
                continue
        low = rec.mapping_quality < min_mapq
        name = rec.query_name
        reverse = flag & 16
        for ch in chans:   # usually one channel; two when a tie also feeds a whole-BAM table
            cnt = ch.counts
            if low:
                cnt[_MAPQ] += 1
                continue
            fwd, rev = ch.fwd[k], ch.rev[k]
            if reverse:
                end = rec.reference_end
                if end is None:   # mapped flag but no CIGAR: sinto drops it too
                    cnt[_UNPAIRED] += 1
                    continue
                end += sm
                hit = fwd.pop(name, None)
                if hit is not None and q + sm - hit[0] > h_fwd:   # partner waited too long
                    cnt[_UNPAIRED] += 1
                    hit = None
                if hit is None:
                    old = rev.pop(name, None)
                    if old is not None:
                        if q + sp - old[0] <= h_rev:
                            cnt[_PAIRS] += 1
                            cnt[_SAME] += 1
                            continue
                        cnt[_UNPAIRED] += 1
                    if rx is None:
                        try:
                            bc = rec.get_tag(tag)
                        except KeyError:
                            bc = None
                    else:
                        m = rx(name)
                        bc = m.group(rx_group) if m is not None else None
                        if not bc:
                            cnt[_REGEX] += 1
                            continue
                    rev[name] = (end, bc)
                    continue
                start, bc = hit
            else:
                start = q + sp
                hit = rev.pop(name, None)
                if hit is not None and q + sp - hit[0] > h_rev:
                    cnt[_UNPAIRED] += 1
                    hit = None
                if hit is None:
                    old = fwd.pop(name, None)
                    if old is not None:
                        if q + sm - old[0] <= h_fwd:
                            cnt[_PAIRS] += 1
                            cnt[_SAME] += 1
                            continue
                        cnt[_UNPAIRED] += 1
                    if rx is None:
                        try:
                            bc = rec.get_tag(tag)
                        except KeyError:
                            bc = None
                    else:
                        m = rx(name)
                        bc = m.group(rx_group) if m is not None else None
                        if not bc:
                            cnt[_REGEX] += 1
                            continue
                    fwd[name] = (start, bc)
                    continue
                end, bc = hit
            # both mates met: sinto's order of checks (strand, length, barcode)
            cnt[_PAIRS] += 1
            length = end - start
            if length < lo:
                cnt[_SHORT] += 1
                continue
            if length > hi:
                cnt[_LONG] += 1
                continue
            if not bc:
                if rx is None:
                    try:
                        bc = rec.get_tag(tag)
                    except KeyError:
                        bc = None
                if not bc:
                    cnt[_NOBC] += 1
                    continue
            cnt[_KEPT] += 1
            ch.S.append(start)
            ch.E.append(end)
            ch.B.append(bc)
    scan["records"] += n
    scan["skipped_flag"] += skipped_flag
    scan["skipped_po"] += skipped_po
    return n


def _as_paths(bams) -> list[Path]:
    if isinstance(bams, (str, os.PathLike)):
        return [Path(bams)]
    paths = [Path(b) for b in bams]
    if not paths:
        raise ValueError("no BAM given")
    return paths


def _options(min_mapq, min_length, max_length, shift_plus, shift_minus, contigs, barcode_tag, barcode_regex,
             dedup) -> dict:
    if dedup not in DEDUP_MODES:
        raise ValueError(f"dedup={dedup!r}: expected one of {', '.join(DEDUP_MODES)}")
    if min_length > max_length:
        raise ValueError(f"min_length {min_length} > max_length {max_length}")
    rx = re.compile(barcode_regex) if barcode_regex is not None else None
    if rx is None and not barcode_tag:
        raise ValueError("give barcode_tag (e.g. 'CB') or barcode_regex")
    return {"min_mapq": int(min_mapq), "min_length": int(min_length), "max_length": int(max_length),
            "shift_plus": int(shift_plus), "shift_minus": int(shift_minus),
            "contigs": contigs, "contig_match": re.compile(contigs).match if contigs is not None else None,
            "barcode_tag": barcode_tag, "barcode_regex": barcode_regex,
            "regex_search": rx.search if rx is not None else None,
            "regex_group": (1 if rx.groups else 0) if rx is not None else 0, "dedup": dedup}


def _build(paths: list[Path], channel_spec: dict, opts: dict, threads: int = 1):
    """Scan the BAMs once and fill every channel.

    Parameters
    ----------
    paths : list of pathlib.Path
        Coordinate-sorted, indexed BAMs with the same contigs.
    channel_spec : dict
        ``{channel: {bam index: set of po values or None (every record)}}``; a record can feed
        several channels (mates are paired per BAM and channel).
    opts : dict
        From :func:`_options`.

    Returns
    -------
    tables : dict
        ``{channel: DataFrame}``.
    stats : dict
        ``{channel: {key: int}}`` plus ``"scan"``: records, skipped_flag, skipped_po and the
        contig counts (shared by the channels).
    contig_info : dict
        ``matched``, ``excluded`` and ``excluded_with_reads`` contig names (for error messages).
    """
    barcodes = _Barcodes()
    channels = {name: _Channel(name, len(paths), opts, barcodes) for name in channel_spec}
    # per BAM: the channels taking every record, and po value -> every channel taking it
    routes = []
    for k in range(len(paths)):
        always = tuple(channels[name] for name, spec in channel_spec.items() if k in spec and spec[k] is None)
        values = {v for spec in channel_spec.values() if spec.get(k) is not None for v in spec[k]}
        by_po = {v: always + tuple(channels[name] for name, spec in channel_spec.items()
                                   if spec.get(k) is not None and v in spec[k]) for v in values}
        routes.append((always, by_po or None))
    handles = []
    try:
        for path in paths:
            if not path.exists():
                raise FileNotFoundError(f"{path}: no such BAM")
            bam = pysam.AlignmentFile(str(path), "rb", threads=max(1, int(threads)))
            handles.append(bam)
            if not bam.has_index():
                raise ValueError(f"{path} has no index (.bai/.csi); run samtools index {path}")
        names, lengths = handles[0].references, handles[0].lengths
        for path, bam in zip(paths[1:], handles[1:]):
            if bam.references != names or bam.lengths != lengths:
                raise ValueError(f"{path} and {paths[0]} have different contigs (names, lengths or order); "
                                 "pooled BAMs need the same header")
        mapped = np.zeros(len(names), dtype=np.int64)
        for bam in handles:
            for st in bam.get_index_statistics():
                mapped[bam.get_tid(st.contig)] += st.mapped
        match = opts["contig_match"]
        matched = [i for i, c in enumerate(names) if match is None or match(c)]
        excluded = [c for c in names if not (match is None or match(c))]
        excluded_set = set(excluded)
        excluded_with_reads = [c for i, c in enumerate(names) if mapped[i] and c in excluded_set]
        contig_names = [names[i] for i in matched]
        scan = {key: 0 for key in _SCAN_KEYS}
        progress = Progress(log, f"fragments {', '.join(p.name for p in paths)}", unit="records")
        for ci, tid in enumerate(matched):
            if mapped[tid] == 0:   # sinto skips contigs without mapped reads too
                continue
            contig, length = names[tid], lengths[tid]
            a, block = 0, _BLOCK_BP
            while a < length:
                b = min(a + block, length)
                n = sum(_scan_block(bam, k, contig, a, b, *routes[k], opts, scan) for k, bam in enumerate(handles))
                for ch in channels.values():
                    ch.expire(b)
                    ch.flush(ci, b)
                progress.update(scan["records"])
                # keep blocks near _BLOCK_RECORDS reads whatever the local depth
                if n > 2 * _BLOCK_RECORDS:
                    block = max(_BLOCK_BP_MIN, block // 2)
                elif n < _BLOCK_RECORDS // 2:
                    block = min(_BLOCK_BP_MAX, block * 2)
                a = b
            for ch in channels.values():
                ch.end_contig(ci)
        progress.finish()
    finally:
        for bam in handles:
            bam.close()
    tables, stats = {}, {"scan": {**scan, "contigs_matched": len(matched), "contigs_excluded": len(excluded)}}
    for name, ch in channels.items():
        tables[name] = ch.table(contig_names)
        stats[name] = {**dict(zip(_CHANNEL_KEYS, ch.counts)), "fragments": len(tables[name])}
    return tables, stats, {"matched": contig_names, "excluded": excluded, "excluded_with_reads": excluded_with_reads}


def _likely_cause(stats: dict, opts: dict, contig_info: dict, po) -> str:
    """One sentence on why nothing came out, from the skip counts."""
    if stats["contigs_matched"] == 0:
        some = ", ".join(contig_info["excluded"][:5])
        return (f"no contig name matches contigs={opts['contigs']!r} (the BAM has {some}, ...): "
                "Ensembl-style names ('1', 'MT') need contigs='.' or a 'chr' rename")
    if stats["records"] == 0:
        elsewhere = contig_info["excluded_with_reads"]
        where = (f" (the reads are on {', '.join(elsewhere[:5])}, which do not match)" if elsewhere else "")
        return f"the contigs matching {opts['contigs']!r} hold no reads{where}"
    if po is not None and stats["skipped_po"] + stats["skipped_flag"] == stats["records"]:
        return f"no record has a po tag in {sorted(po)}"
    usable = stats["records"] - stats["skipped_flag"] - stats["skipped_po"]
    if usable and stats["skipped_mapq"] >= 0.9 * usable:
        return f"the reads are below MAPQ {opts['min_mapq']} (min_mapq)"
    if usable and stats["skipped_barcode_regex"] >= 0.9 * usable:
        return f"the read names do not match barcode_regex={opts['barcode_regex']!r}"
    if stats["pairs"] and stats["skipped_no_barcode"] >= 0.9 * stats["pairs"]:
        return (f"the reads carry no {opts['barcode_tag']} tag (barcode-in-name BAMs need barcode_regex, "
                "e.g. '[^:]*')")
    if stats["pairs"] and stats["skipped_too_short"] + stats["skipped_too_long"] >= 0.9 * stats["pairs"]:
        return f"the pairs are outside {opts['min_length']}-{opts['max_length']} bp"
    if stats["pairs"] == 0:
        return "no two mates met (single-end reads, mates on different contigs, or one mate filtered)"
    return "every pair was filtered"


def _check_po(po):
    if po is None:
        return None
    values = frozenset(int(v) for v in ([po] if isinstance(po, (int, np.integer)) else po))
    if not values:
        raise ValueError("po is an empty set: no record could pass")
    return values


def build_fragments(bams, po=None, min_mapq: int = 30, min_length: int = 10, max_length: int = 5000,
                    shift_plus: int = 4, shift_minus: int = -5, contigs: str | None = r"(?i)^chr",
                    barcode_tag: str = "CB", barcode_regex: str | None = None, dedup: str = "sinto", *,
                    threads: int = 1, allow_empty: bool = False) -> tuple[pd.DataFrame, dict]:
    """Fragments of one or several pooled BAMs, as ``sinto fragments`` 0.10.1 would make them.

    Parameters
    ----------
    bams : str, pathlib.Path or list of them
        Coordinate-sorted, indexed BAMs with the same header; their records are pooled (mates
        are paired within one BAM).
    po : set of int, optional
        Keep only records whose integer ``po`` tag is in the set (1 reference-specific,
        2 strain-specific, 3 tie); a record without the tag is then an error.
    min_mapq : int
        MAPQ each mate needs (``>=``).
    min_length, max_length : int
        Kept fragment lengths, both inclusive, after the shift.
    shift_plus, shift_minus : int
        Tn5 shifts added to the forward mate's start and the reverse mate's end.
    contigs : str or None
        Regular expression a contig name must ``re.match``; None for all contigs.
    barcode_tag : str
        Tag holding the cell barcode, on either mate; when both have one, that of the mate read
        first (the left one) is used.
    barcode_regex : str, optional
        Take the barcode from the read name instead: the first group of ``re.search`` if the
        expression has groups, else the whole match (e.g. ``"[^:]*"`` or ``"^([^:]+):"``).
    dedup : {"sinto", "sinto_within", "within_barcode"}
        Duplicate collapse; see the module docstring.
    threads : int
        BAM decompression threads (the result does not depend on it).
    allow_empty : bool
        Return an empty table instead of raising when no fragment comes out.

    Returns
    -------
    fragments : pandas.DataFrame
        ``FRAGMENT_COLUMNS`` (str, int64, int64, str, int64), sorted by the BAM header's contig
        order, then start, end, barcode.
    stats : dict
        ``STATS_KEYS`` -> int.

    Raises
    ------
    ValueError
        When no fragment comes out (naming the BAMs, the likely cause and the counts), on a
        missing index, different headers, or a record without ``po`` when ``po`` is given.
    """
    paths = _as_paths(bams)
    opts = _options(min_mapq, min_length, max_length, shift_plus, shift_minus, contigs, barcode_tag,
                    barcode_regex, dedup)
    po = _check_po(po)
    tables, stats, contig_info = _build(paths, {"all": {k: po for k in range(len(paths))}}, opts, threads)
    flat = {**stats["scan"], **stats["all"]}
    flat = {key: flat[key] for key in STATS_KEYS}
    if len(tables["all"]) == 0 and not allow_empty:
        counts = ", ".join(f"{k} {v:,}" for k, v in flat.items() if v)
        raise ValueError(f"no fragments from {', '.join(map(str, paths))}: likely "
                         f"{_likely_cause(flat, opts, contig_info, po)}. Counts: {counts or 'all zero'}")
    return tables["all"], flat


# ---------------------------------------------------------------------------------------------
# tables: sort, split, combine, files
# ---------------------------------------------------------------------------------------------

def empty_fragments() -> pd.DataFrame:
    """A fragment table with no rows and the standard dtypes."""
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in FRAGMENT_DTYPES.items()})


def _natural_key(name: str) -> tuple:
    """chr2 before chr10: digit runs compare as numbers."""
    return tuple(int(p) if i % 2 else p for i, p in enumerate(re.split(r"(\d+)", name)))


def _normalize(table: pd.DataFrame, what: str = "fragments") -> pd.DataFrame:
    missing = [c for c in FRAGMENT_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; expected {FRAGMENT_COLUMNS}")
    return table[FRAGMENT_COLUMNS].astype(FRAGMENT_DTYPES)


def sort_fragments(table: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by contig (natural order: chr2 before chr10), start, end, barcode, count.

    The order depends only on the rows, not on their input order.
    """
    table = _normalize(table)
    if len(table) == 0:
        return table.reset_index(drop=True)
    chrom_codes, chroms = pd.factorize(table["chrom"])
    natural = np.empty(len(chroms), dtype=np.int64)
    natural[sorted(range(len(chroms)), key=lambda i: _natural_key(chroms[i]))] = np.arange(len(chroms))
    bc_codes, _ = pd.factorize(table["barcode"], sort=True)
    order = np.lexsort((table["count"].to_numpy(), bc_codes, table["end"].to_numpy(),
                        table["start"].to_numpy(), natural[chrom_codes]))
    return table.take(order).reset_index(drop=True)


def split_ties(ties: pd.DataFrame, seed: int, mode: str = "binomial_reads") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split tie (po 3) fragments between the alleles.

    Parameters
    ----------
    ties : pandas.DataFrame
        Fragment table (``FRAGMENT_COLUMNS``), count >= 1.
    seed : int
        Non-negative seed. Each contig draws from its own ``numpy.random.Generator`` seeded with
        ``(seed, crc32(contig))`` over its rows in sorted order, so the split depends neither on
        the row order nor on which other contigs are in the table.
    mode : {"binomial_reads", "per_fragment"}
        ``binomial_reads`` (the paper, ``split_fragments.py``): ``k_ref ~ Binomial(count, 0.5)``,
        ``k_alt = count - k_ref``; a record can land in both halves (with probability
        ``1 - 2 * 0.5**count``), and Signac-style counting then counts it twice.
        ``per_fragment``: each record goes wholly to one allele with probability 0.5.

    Returns
    -------
    ref_half, alt_half : pandas.DataFrame
        Sorted fragment tables; rows whose share is 0 are dropped.
    """
    if mode not in TIE_SPLITS:
        raise ValueError(f"tie split mode {mode!r}: expected one of {', '.join(TIE_SPLITS)}")
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"seed {seed} < 0")
    ties = sort_fragments(ties)
    counts = ties["count"].to_numpy()
    if (counts < 0).any():
        raise ValueError("ties: negative count")
    k_ref = np.empty(len(ties), dtype=np.int64)
    chrom = ties["chrom"].to_numpy(dtype=object)
    bounds = np.flatnonzero(_group_starts(chrom)).tolist() + [len(ties)]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        rng = np.random.default_rng([seed, zlib.crc32(str(chrom[lo]).encode())])
        n = counts[lo:hi]
        if mode == "binomial_reads":
            k_ref[lo:hi] = rng.binomial(n, 0.5)
        else:
            k_ref[lo:hi] = np.where(rng.random(hi - lo) < 0.5, n, 0)
    k_alt = counts - k_ref
    halves = []
    for k in (k_ref, k_alt):
        half = ties.loc[k > 0].copy()
        half["count"] = k[k > 0]
        halves.append(half.reset_index(drop=True))
    return halves[0], halves[1]


def combine_fragments(*tables: pd.DataFrame) -> pd.DataFrame:
    """Sum ``count`` over identical (chrom, start, end, barcode) rows of the tables.

    With tables of unique rows, the result has ``n1 + n2 - common`` rows (the paper's
    ``combine_fragments.py``). Returns a table sorted as :func:`sort_fragments`.
    """
    parts = [_normalize(t, f"table {i + 1}") for i, t in enumerate(tables)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_fragments()
    merged = pd.concat(parts, ignore_index=True)
    summed = merged.groupby(FRAGMENT_COLUMNS[:4], sort=False, observed=True, as_index=False)["count"].sum()
    return sort_fragments(summed)


def write_fragments(fragments: pd.DataFrame, path, comments=None) -> Path:
    """Write a sorted, bgzipped fragment file and its tabix (``bed`` preset) index.

    Parameters
    ----------
    fragments : pandas.DataFrame
        ``FRAGMENT_COLUMNS``; sorted here (:func:`sort_fragments`).
    path : str or pathlib.Path
        Output, e.g. ``fragments.tsv.gz``; the index is ``<path>.tbi``.
    comments : list of str, optional
        Header lines, written as ``# <line>`` (Cell Ranger ATAC >= 2 style); tabix skips them.

    Returns
    -------
    pathlib.Path
        ``path``. Both files are written in a temporary folder beside ``path`` and renamed into
        place (index first, data last), so an error leaves no half-written output.
    """
    path = Path(path)
    table = sort_fragments(fragments)
    lines = []
    for line in comments or []:
        if "\n" in line or "\r" in line:
            raise ValueError(f"comment line {line!r} contains a newline")
        lines.append(line if line.startswith("#") else f"# {line}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent))
    try:
        plain = tmp / "fragments.tsv"
        with open(plain, "w", newline="\n") as fh:
            for line in lines:
                fh.write(line + "\n")
            table.to_csv(fh, sep="\t", header=False, index=False, lineterminator="\n")
        gz = tmp / "fragments.tsv.gz"
        pysam.tabix_compress(str(plain), str(gz), force=True)
        pysam.tabix_index(str(gz), preset="bed", force=True)
        tbi = path.with_name(path.name + ".tbi")
        path.unlink(missing_ok=True)   # never an old file beside a new index
        os.replace(str(gz) + ".tbi", tbi)
        os.replace(gz, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _first_bad_line(path: Path) -> str | None:
    """``"line N: reason"`` for the first malformed line of a fragment file, or None."""
    import gzip

    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt") as fh:
        for n, line in enumerate(fh, 1):
            if line.startswith("#") or not line.strip():
                continue
            fields = line.rstrip("\n").rstrip("\r").split("\t")
            if len(fields) != 5:
                return f"line {n}: {len(fields)} tab-separated fields, expected 5 ({line.rstrip()!r})"
            try:
                start, end, count = int(fields[1]), int(fields[2]), int(fields[4])
            except ValueError:
                return f"line {n}: start, end and count must be integers ({line.rstrip()!r})"
            if not fields[0] or not fields[3]:
                return f"line {n}: empty contig or barcode ({line.rstrip()!r})"
            if start < 0 or end <= start or count < 1:
                return f"line {n}: needs 0 <= start < end and count >= 1 ({line.rstrip()!r})"
    return None


def read_fragments(path) -> pd.DataFrame:
    """Read a 10x fragment file (plain, gzip or bgzip).

    Parameters
    ----------
    path : str or pathlib.Path
        Tab-separated chrom, start, end, barcode, count; ``#`` lines (Cell Ranger ATAC >= 2
        headers) are skipped.

    Returns
    -------
    pandas.DataFrame
        ``FRAGMENT_COLUMNS`` with dtypes str, int64, int64, str, int64, in file order.

    Raises
    ------
    ValueError
        Naming the file and the first malformed line (field count, non-integer, start >= end,
        count < 1).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such fragment file")
    try:
        table = pd.read_csv(path, sep="\t", header=None, comment="#", compression="infer",
                            dtype={0: "str", 1: "int64", 2: "int64", 3: "str", 4: "int64"})
    except pd.errors.EmptyDataError:
        return empty_fragments()
    except (ValueError, pd.errors.ParserError) as err:
        bad = _first_bad_line(path)
        raise ValueError(f"{path}: malformed fragment file: {bad or err}") from None
    ok = table.shape[1] == 5 and not table.isna().any().any()
    if ok:
        table.columns = FRAGMENT_COLUMNS
        ok = bool(((table["start"] >= 0) & (table["end"] > table["start"]) & (table["count"] >= 1)).all())
    if not ok:
        bad = _first_bad_line(path)
        raise ValueError(f"{path}: malformed fragment file: {bad or 'expected 5 tab-separated columns'}")
    return table.astype(FRAGMENT_DTYPES)


# ---------------------------------------------------------------------------------------------
# the allele route and a benchmark
# ---------------------------------------------------------------------------------------------

def allele_fragments(ref_bam, alt_bam, seed: int, tie_split: str = "binomial_reads", **build_options) -> dict:
    """Per-allele fragment tables from the workflow's allele BAMs (one pass over each BAM).

    Parameters
    ----------
    ref_bam, alt_bam : path or list of paths
        ``results/<ds>/alleles/<sample>.ref.bam`` and ``.alt.bam`` (reference coordinates,
        ``po`` tags; each tie pair is in exactly one of a sample's two BAMs). Lists pool
        samples (their barcodes must not collide: give each library its own suffix).
    seed : int
        Tie-split seed (:func:`split_ties`).
    tie_split : {"binomial_reads", "per_fragment", "hash"}
        ``binomial_reads`` / ``per_fragment``: the paper's route. Fragments are built
        separately, each with its own duplicate collapse, for po 1 (from the ref BAMs), po 2
        (from the alt BAMs) and the ties (po 3 from all BAMs pooled); the ties are split and
        ``ref = po1 + ref half``, ``alt = po2 + alt half`` (:func:`combine_fragments`).
        ``hash``: keep each tie where our aligner's seeded hash put it, i.e. all of the ref
        BAMs vs all of the alt BAMs; the collapse then runs over specific and tie fragments
        together. The po-3 table is still built (same pass) and returned for reporting.
    **build_options
        Passed to :func:`build_fragments` (not ``po``).

    Returns
    -------
    dict
        ``ref``, ``alt``, ``ties`` (the unsplit po-3 table): sorted fragment tables; and
        ``stats``: ``tie_split``, ``seed``, ``scan`` (records, skipped_flag, skipped_po, contig
        counts over all BAMs), one dict of skip counts per table built (``po1``, ``po2``,
        ``ties``; for ``hash`` ``ref``, ``alt``, ``ties``), and ``rows`` (rows and read pairs of
        each output and, for the paper's route, of each half).

    Raises
    ------
    ValueError
        When no fragment comes out of any BAM (see :func:`build_fragments`).
    """
    if "po" in build_options:
        raise ValueError("allele_fragments chooses po itself; do not pass po")
    if tie_split not in (*TIE_SPLITS, "hash"):
        raise ValueError(f"tie_split={tie_split!r}: expected one of {', '.join((*TIE_SPLITS, 'hash'))}")
    threads = build_options.pop("threads", 1)
    build_options.pop("allow_empty", None)
    defaults = dict(min_mapq=30, min_length=10, max_length=5000, shift_plus=4, shift_minus=-5,
                    contigs=r"(?i)^chr", barcode_tag="CB", barcode_regex=None, dedup="sinto")
    unknown = set(build_options) - set(defaults)
    if unknown:
        raise TypeError(f"unknown build option(s) {sorted(unknown)}")
    opts = _options(**{**defaults, **build_options})
    refs, alts = _as_paths(ref_bam), _as_paths(alt_bam)
    paths = refs + alts
    ref_idx, alt_idx = range(len(refs)), range(len(refs), len(paths))
    ties_spec = {k: {3} for k in range(len(paths))}
    if tie_split == "hash":
        spec = {"ref": {k: None for k in ref_idx}, "alt": {k: None for k in alt_idx}, "ties": ties_spec}
    else:
        spec = {"po1": {k: {1} for k in ref_idx}, "po2": {k: {2} for k in alt_idx}, "ties": ties_spec}
    tables, stats, contig_info = _build(paths, spec, opts, threads)
    stats = {"tie_split": tie_split, "seed": int(seed), **stats}
    if all(len(t) == 0 for t in tables.values()):
        merged = dict(stats["scan"])
        for name in spec:
            for key, v in stats[name].items():
                merged[key] = merged.get(key, 0) + v
        counts = ", ".join(f"{k} {v:,}" for k, v in merged.items() if v)
        raise ValueError(f"no fragments from {', '.join(map(str, paths))}: likely "
                         f"{_likely_cause(merged, opts, contig_info, None if tie_split == 'hash' else {1, 2, 3})}. "
                         f"Counts: {counts or 'all zero'}")
    for name, table in tables.items():
        if len(table) == 0:
            log.warning("allele fragments: no %s fragments from %s", name, ", ".join(map(str, paths)))
    ties = tables["ties"]
    rows = {}
    if tie_split == "hash":
        ref, alt = tables["ref"], tables["alt"]
    else:
        ref_half, alt_half = split_ties(ties, seed, tie_split)
        ref = combine_fragments(tables["po1"], ref_half)
        alt = combine_fragments(tables["po2"], alt_half)
        rows = {"ref_half": len(ref_half), "alt_half": len(alt_half),
                "ref_half_pairs": int(ref_half["count"].sum()), "alt_half_pairs": int(alt_half["count"].sum())}
    for key, table in (("ref", ref), ("alt", alt), ("ties", ties)):
        rows[key] = len(table)
        rows[f"{key}_pairs"] = int(table["count"].sum())
    stats["rows"] = rows
    return {"ref": ref, "alt": alt, "ties": ties, "stats": stats}


def write_synthetic_bam(path, n_pairs: int, seed: int = 0, n_barcodes: int = 2000, read_length: int = 50,
                        contig_length: int | None = None, duplicate_rate: float = 0.2) -> Path:
    """A coordinate-sorted, indexed scATAC BAM with ``CB`` tags (for benchmarks and tests).

    Fragments follow a nucleosome-like length mixture; ``duplicate_rate`` of the pairs repeat an
    earlier fragment (PCR duplicates); 3 % have MAPQ 0 on one mate and 2 % no ``CB`` tag.
    Density is about 70 pairs per kb (a 200 M-pair library over a mouse genome).

    Returns
    -------
    pathlib.Path
        ``path`` (the ``.bai`` beside it).
    """
    path = Path(path)
    rng = np.random.default_rng(seed)
    length = contig_length or max(10_000, int(n_pairs * 15))
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "coordinate"},
                                              "SQ": [{"SN": "chr1", "LN": length}]})
    n_unique = max(1, int(n_pairs * (1 - duplicate_rate)))
    nfr = rng.random(n_unique) < 0.55
    flen = np.where(nfr, 40 + rng.exponential(60, n_unique), rng.normal(200, 25, n_unique)).astype(np.int64)
    flen = np.clip(flen, read_length + 10, 1000)
    left = rng.integers(0, length - 1100, n_unique)
    pick = np.concatenate([np.arange(n_unique), rng.integers(0, n_unique, n_pairs - n_unique)])
    left, flen = left[pick], flen[pick]
    bcs = np.array(["".join(x) for x in rng.choice(list("ACGT"), size=(n_barcodes, 16))])
    cell = rng.integers(0, n_barcodes, n_unique)[pick]
    low = rng.random(n_pairs) < 0.03
    nobc = rng.random(n_pairs) < 0.02
    # each pair: forward mate at left, reverse mate ending at left + flen
    pos = np.concatenate([left, left + flen - read_length])
    order = np.lexsort((np.concatenate([np.zeros(n_pairs), np.ones(n_pairs)]), pos))
    seq = "ACGT" * (read_length // 4) + "A" * (read_length % 4)
    qual = pysam.qualitystring_to_array("I" * read_length)
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for j in order.tolist():
            i, is_rev = (j, False) if j < n_pairs else (j - n_pairs, True)
            r = pysam.AlignedSegment(header)
            r.query_name = f"p{i}"
            r.flag = 0x1 | 0x2 | (0x10 | 0x80 if is_rev else 0x20 | 0x40)
            r.reference_id = r.next_reference_id = 0
            r.reference_start = int(pos[j])
            r.next_reference_start = int(pos[j - n_pairs] if is_rev else pos[j + n_pairs])
            r.mapping_quality = 0 if (low[i] and is_rev) else 40
            r.cigartuples = [(0, read_length)]
            r.template_length = -int(flen[i]) if is_rev else int(flen[i])
            r.query_sequence = seq
            r.query_qualities = qual
            if not nobc[i]:
                r.set_tag("CB", str(bcs[cell[i]]), value_type="Z")
            out.write(r)
    pysam.index(str(path))
    return path


def benchmark_fragments(n_pairs: int = 200_000, seed: int = 0, workdir=None) -> dict:
    """Time :func:`build_fragments` on a synthetic BAM (:func:`write_synthetic_bam`).

    Parameters
    ----------
    n_pairs : int
        Read pairs in the BAM.
    seed : int
        Seed of the synthetic data.
    workdir : str or pathlib.Path, optional
        Where the BAM goes (a temporary folder, removed afterwards, when None).

    Returns
    -------
    dict
        ``read_pairs``, ``seconds`` (build only, not the BAM writing), ``pairs_per_second``,
        ``hours_for_200M`` (single thread, extrapolated), ``fragments``.
    """
    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="fragbench.")) if own else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        bam = write_synthetic_bam(work / "synthetic.bam", n_pairs, seed=seed)
        t0 = time.perf_counter()
        table, _ = build_fragments(bam)
        seconds = time.perf_counter() - t0
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)
    rate = n_pairs / seconds if seconds > 0 else float("inf")
    return {"read_pairs": int(n_pairs), "seconds": round(seconds, 3), "pairs_per_second": round(rate, 1),
            "hours_for_200M": round(200e6 / rate / 3600, 3), "fragments": int(len(table))}
