"""A published per-allele peak count table -> our counts table (``counts/allele_counts.tsv``).

Some datasets start from counts that someone else made, e.g. Link et al.'s PU.1 ChIP tables
(``peaks_F1_BMDM_FPC_PWK_C57_PU1_notx.txt``: tab-separated, an ``ID`` column and one count
column per allele, ``F1_FPC_PU1_C57`` / ``F1_FPC_PU1_PWK``). :func:`import_count_table` turns
such a table into the table the counts stage writes (:data:`deepallele.reads.counts.COUNT_COLUMNS`:
``peak, chrom, start, end, ref_count, alt_count, ln_ratio``), written by the same writer
(:func:`deepallele.reads.counts.write_count_tables`), so the paired-dataset stage reads it
unchanged.

Coordinates (where each peak lies) come from one of three places (``coordinates``):

``columns``
    Chromosome/start/end columns of the table. HOMER-style tables carry ``chr``/``Chr``,
    ``start``/``Start``, ``end``/``End`` (found case-insensitively; ``chrom``/``chromosome``
    are accepted too) or name them with ``chrom_column`` etc.
``id``
    The peak ID parsed with ``id_pattern``, a regular expression with named groups ``chrom``,
    ``start`` and ``end`` (:data:`DEFAULT_ID_PATTERN` accepts ``chr1-3000000-3000300``,
    ``chr1:3000000-3000300`` and ``chr1_3000000_3000300``).
``peaks``
    A BED file whose 4th column is the peak ID.

``auto`` (default) takes the columns when the table has them, else the BED when one is given,
else the IDs.

Coordinate convention
---------------------
Our counts table is **0-based, half-open**. Coordinates from columns or IDs are read with
``coordinate_base`` (default **1**: HOMER peak files, and IDs made from them, give a 1-based,
inclusive start and end; HOMER's own ``pos2bed.pl`` subtracts 1 from the start): the start
becomes ``start - coordinate_base`` and the end is kept (a 1-based inclusive end equals a
0-based exclusive end). Pass ``coordinate_base=0`` for 0-based half-open columns or IDs. A BED
file is always 0-based half-open, as the BED format defines (``coordinate_base`` does not
apply to it).

Counts may be non-integer (MMARGE halves the reads of a variant-free peak between the two
alleles); they are kept as floats, and the HDF5 store keeps them as float64
(:func:`deepallele.datasets.store.count_arrays`).
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..genome.contigs import read_fai
from ..reads.counts import COUNT_COLUMNS, ln_ratio, write_count_tables

log = logging.getLogger("deepallele.datasets")

#: Default peak-ID pattern: ``chr1-100-400``, ``chr1:100-400``, ``chr1_100_400`` (the chromosome
#: is the shortest prefix that leaves ``<sep>start<sep>end`` at the end, so ``chrUn_JH584304-1-9``
#: parses as well).
DEFAULT_ID_PATTERN = r"^(?P<chrom>[^\s:]+?)[-:_](?P<start>\d+)[-_](?P<end>\d+)$"
#: Column names looked for (case-insensitively) when ``coordinates`` is ``auto`` or ``columns``.
CHROM_NAMES = ("chr", "chrom", "chromosome")
START_NAMES = ("start",)
END_NAMES = ("end",)
COORDINATE_SOURCES = ("auto", "columns", "id", "peaks")


def _find_column(columns, given: str | None, names, what: str, path) -> str | None:
    if given is not None:
        if given not in columns:
            raise ValueError(f"{path}: no {what} column {given!r}; columns present: {list(columns)}")
        return given
    lower = {str(c).lower(): c for c in columns}
    return next((lower[n] for n in names if n in lower), None)


def _numbers(table: pd.DataFrame, column: str, path, what: str) -> np.ndarray:
    """A column as float64, with an error naming the first bad row (1-based data row)."""
    text = table[column].astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: non-numeric {what} in column {column!r}: row {i + 1} (ID "
                         f"{table.iloc[i, 0]!r}) has {table[column].iloc[i]!r}; {int(bad.sum())} such row(s)")
    return values


def _coordinates(values: np.ndarray, ids: np.ndarray, path, what: str) -> np.ndarray:
    bad = values != np.round(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: {what} of peak {ids[i]!r} (row {i + 1}) is not a whole number: {values[i]}")
    return values.astype(np.int64)


def parse_peak_ids(ids, pattern: str = DEFAULT_ID_PATTERN, path="peak IDs") -> pd.DataFrame:
    """Chromosome, start and end of every peak ID, as written in the ID (no base conversion).

    Parameters
    ----------
    ids : sequence of str, length N
    pattern : str
        Regular expression with named groups ``chrom``, ``start`` and ``end``, matched against
        the whole ID.
    path : str or pathlib.Path
        Named in errors.

    Returns
    -------
    pandas.DataFrame
        N rows: ``chrom`` (str), ``start``, ``end`` (int64).

    Raises
    ------
    ValueError
        A pattern without the three groups, or an ID that does not match (row and ID named).

    Examples
    --------
    >>> parse_peak_ids(["chr1-100-400", "chrX:5-9"]).values.tolist()
    [['chr1', 100, 400], ['chrX', 5, 9]]
    """
    regex = re.compile(pattern)
    missing = [g for g in ("chrom", "start", "end") if g not in regex.groupindex]
    if missing:
        raise ValueError(f"id_pattern {pattern!r} lacks named group(s) {missing}")
    rows = []
    for i, name in enumerate(ids):
        match = regex.fullmatch(str(name))
        if match is None:
            raise ValueError(f"{path}: peak ID {name!r} (row {i + 1}) does not match the ID pattern {pattern!r}; "
                             "give the coordinates as columns, a peaks BED or another id_pattern")
        rows.append((match["chrom"], int(match["start"]), int(match["end"])))
    return pd.DataFrame(rows, columns=["chrom", "start", "end"]).astype({"start": np.int64, "end": np.int64})


def _bed_coordinates(peaks, ids: np.ndarray, path) -> pd.DataFrame:
    bed = pd.read_csv(peaks, sep="\t", header=None, comment="#", dtype=str, keep_default_na=False)
    bed = bed[~bed[0].str.startswith(("track", "browser"))]
    if bed.shape[1] < 4:
        raise ValueError(f"{peaks}: a peaks BED needs 4 columns (chrom, start, end, ID), found {bed.shape[1]}")
    dup = bed[3].duplicated()
    if dup.any():
        raise ValueError(f"{peaks}: duplicated peak ID(s) {bed[3][dup].head(5).tolist()}")
    by_id = bed.set_index(3)
    missing = [i for i in ids if i not in by_id.index]
    if missing:
        raise ValueError(f"{path}: {len(missing)} peak ID(s) are not in the 4th column of {peaks}, "
                         f"e.g. {missing[:5]}")
    rows = by_id.loc[list(ids)]
    out = pd.DataFrame({"chrom": rows[0].to_numpy(dtype=object)})
    for k, name in ((1, "start"), (2, "end")):
        values = pd.to_numeric(rows[k], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            i = int(np.flatnonzero(~np.isfinite(values))[0])
            raise ValueError(f"{peaks}: non-numeric {name} {rows[k].iloc[i]!r} for peak {ids[i]!r}")
        out[name] = _coordinates(values, ids, peaks, name)
    return out


def import_count_table(path: str | Path, out_counts: str | Path, *, id_column: str = "ID", ref_column: str,
                       alt_column: str, coordinates: str = "auto", chrom_column: str | None = None,
                       start_column: str | None = None, end_column: str | None = None,
                       peaks: str | Path | None = None, id_pattern: str | None = None,
                       coordinate_base: int = 1, fai: str | Path | None = None) -> pd.DataFrame:
    """Convert a per-allele peak count table into our counts table (module notes).

    Parameters
    ----------
    path : str or pathlib.Path
        Tab-separated table with a header: a peak ID column and one count column per allele
        (e.g. Link et al.: ``ID``, ``F1_FPC_PU1_C57``, ``F1_FPC_PU1_PWK``).
    out_counts : str or pathlib.Path
        Counts table to write (``peak, chrom, start, end, ref_count, alt_count, ln_ratio``),
        written to ``<out>.tmp`` and renamed.
    id_column : str
        Peak ID column; the ID becomes ``peak``.
    ref_column, alt_column : str
        Counts of the reference allele (B6/C57) and of the strain allele.
    coordinates : {"auto", "columns", "id", "peaks"}
        Where the peak coordinates come from (module notes).
    chrom_column, start_column, end_column : str, optional
        Coordinate columns, when not ``chr``/``chrom``/``chromosome``, ``start``, ``end``
        (any case).
    peaks : str or pathlib.Path, optional
        BED (0-based half-open) whose 4th column is the peak ID.
    id_pattern : str, optional
        Regular expression with named groups ``chrom``, ``start``, ``end`` for the IDs
        (default :data:`DEFAULT_ID_PATTERN`).
    coordinate_base : {1, 0}
        Convention of coordinates from columns or IDs: 1 (default) = 1-based inclusive
        (HOMER), 0 = 0-based half-open. Not applied to a BED.
    fai : str or pathlib.Path, optional
        FASTA index of the reference; every peak must lie on one of its contigs, inside it.

    Returns
    -------
    pandas.DataFrame
        The table written, N rows in the input order, columns
        :data:`~deepallele.reads.counts.COUNT_COLUMNS`; counts are int64 when all are whole
        numbers, else float64.

    Raises
    ------
    FileNotFoundError
        A missing input.
    ValueError
        Naming the file and the problem, before anything is written: a missing column (the
        columns present are listed), an ID that does not parse, a non-numeric, negative or
        non-finite count, a duplicated ID, an empty or negative interval, a contig missing
        from ``fai`` or a peak past its end.
    """
    path = Path(path)
    for source in (path, peaks, fai):
        if source is not None and not Path(source).exists():
            raise FileNotFoundError(f"{source}: not found")
    if coordinates not in COORDINATE_SOURCES:
        raise ValueError(f"coordinates must be one of {COORDINATE_SOURCES}, not {coordinates!r}")
    if coordinate_base not in (0, 1):
        raise ValueError(f"coordinate_base must be 0 or 1, not {coordinate_base!r}")
    # strings throughout: IDs stay as written, "NA" is not silently a missing value
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = [c for c in (id_column, ref_column, alt_column) if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; columns present: {list(table.columns)}")
    if table.empty:
        raise ValueError(f"{path}: the table has no peaks")
    # the ID column first, so errors can name the ID of a bad row
    table = table[[id_column] + [c for c in table.columns if c != id_column]]
    ids = table[id_column].astype(str).str.strip().to_numpy(dtype=object)
    dup = pd.Series(ids).duplicated()
    if dup.any():
        raise ValueError(f"{path}: duplicated peak ID(s) {pd.Series(ids)[dup].unique()[:5].tolist()} "
                         f"({int(dup.sum())} duplicate row(s))")
    counts = {}
    for allele, column in (("ref", ref_column), ("alt", alt_column)):
        values = _numbers(table, column, path, "count")
        if (values < 0).any():
            i = int(np.flatnonzero(values < 0)[0])
            raise ValueError(f"{path}: negative count in column {column!r}: row {i + 1} (ID {ids[i]!r}) has "
                             f"{values[i]}; {int((values < 0).sum())} such row(s)")
        counts[allele] = values

    names = [_find_column(table.columns, chrom_column, CHROM_NAMES, "chromosome", path),
             _find_column(table.columns, start_column, START_NAMES, "start", path),
             _find_column(table.columns, end_column, END_NAMES, "end", path)]
    source = coordinates
    if source == "auto":
        source = "columns" if all(names) else "peaks" if peaks is not None else "id"
    if source == "columns":
        if not all(names):
            lacking = [w for w, n in zip(("chromosome", "start", "end"), names) if n is None]
            raise ValueError(f"{path}: no {'/'.join(lacking)} column (looked for {CHROM_NAMES}, {START_NAMES}, "
                             f"{END_NAMES} in any case); columns present: {list(table.columns)}")
        coords = pd.DataFrame({"chrom": table[names[0]].astype(str).str.strip().to_numpy(dtype=object)})
        for column, key in zip(names[1:], ("start", "end")):
            coords[key] = _coordinates(_numbers(table, column, path, key), ids, path, key)
        coords["start"] -= coordinate_base
    elif source == "id":
        coords = parse_peak_ids(ids, id_pattern or DEFAULT_ID_PATTERN, path)
        coords["start"] -= coordinate_base
    else:
        if peaks is None:
            raise ValueError("coordinates='peaks' needs a peaks BED")
        coords = _bed_coordinates(peaks, ids, path)

    start, end = coords["start"].to_numpy(), coords["end"].to_numpy()
    bad = (start < 0) | (end <= start)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{path}: peak {ids[i]!r} (row {i + 1}) has an empty or negative interval "
                         f"[{start[i]}, {end[i]}) after conversion to 0-based half-open coordinates "
                         f"(coordinate_base {coordinate_base if source != 'peaks' else 0}); "
                         f"{int(bad.sum())} such peak(s)")
    if fai is not None:
        sizes = read_fai(fai)
        unknown = sorted(set(coords["chrom"]) - set(sizes))
        if unknown:
            raise ValueError(f"{path}: contig(s) {unknown[:10]} ({len(unknown)} in all) are not in {fai} "
                             f"(contigs there: {list(sizes)[:5]}{', ...' if len(sizes) > 5 else ''})")
        size = coords["chrom"].map(sizes).to_numpy(dtype=np.int64)
        past = end > size
        if past.any():
            i = int(np.flatnonzero(past)[0])
            raise ValueError(f"{path}: peak {ids[i]!r} ends at {end[i]}, past the end of {coords['chrom'][i]} "
                             f"({size[i]} bp in {fai}); {int(past.sum())} such peak(s)")

    ref, alt = counts["ref"], counts["alt"]
    whole = np.array_equal(ref, np.round(ref)) and np.array_equal(alt, np.round(alt))
    dtype = np.int64 if whole else np.float64
    out = pd.DataFrame({"peak": ids, "chrom": coords["chrom"].astype(str).to_numpy(dtype=object),
                        "start": start.astype(np.int64), "end": end.astype(np.int64),
                        "ref_count": ref.astype(dtype), "alt_count": alt.astype(dtype)})
    out["ln_ratio"] = ln_ratio(out["ref_count"], out["alt_count"])
    out = out[COUNT_COLUMNS]
    write_count_tables(None, out, out_counts)
    log.info("%s: %d peaks (coordinates from %s), %s ref and %s alt counts%s -> %s", path, len(out), source,
             f"{ref.sum():g}", f"{alt.sum():g}", "" if whole else " (non-integer counts kept as floats)",
             out_counts)
    return out
