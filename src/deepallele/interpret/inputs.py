"""The inputs of ``deepallele predict`` and ``deepallele interpret``: three kinds, one in-memory form.

Every kind becomes an :class:`~deepallele.interpret.data.InterpretSet` (``(N, 2, L)`` uint8
codes, pair names, the variant table), so predictions and attributions share one code path
(:func:`load_inputs`):

``--pairs pairs.h5``
    A dataset stage's (or imported) ``pairs.h5``; ``--split`` selects rows
    (:func:`~deepallele.interpret.data.load_interpret_set`).
``--ref-fasta A.fa --alt-fasta B.fa``
    Two FASTA files (plain or gzipped) whose records pair up by name (the first word of the
    header): the same set of names in both, each name once per file; pairs follow the order
    of ``A.fa``. Letters must be ``ACGTN`` (any case; lower case is read as upper case).
    Sequences are coded and **right-padded** to the models' input length ``L`` exactly as
    the dataset stage pads (:func:`deepallele.alphabet.encode`). A sequence longer
    than ``L`` is an error naming the file and the record, unless ``--crop`` is given: then
    its central ``L`` bases are kept (``(n - L) // 2`` cut on the left, the rest on the right,
    the dataset's trimming rule, :func:`deepallele.datasets.pairs.centre_trim`). There is no
    variant table (variant effects are empty).
``--bed regions.bed --ref-genome ref.fa --alt-genome alt.fa [--chain ref_to_alt.chain] [--vcf strain.vcf.gz]``
    Regions in reference coordinates (BED3+, 0-based half-open); each becomes the pair the
    dataset stage would build for a peak there (:func:`deepallele.datasets.pairs.paired_sequences`):
    the ``--window`` bp (default ``L``) reference window centred on the region, its homologous
    interval in the alt genome through the ``ref -> alt`` coordinate map, trimmed to ``L``
    and right-padded. Pairs are named by the BED name column (unnamed regions
    ``chrom-start-end``, the peak-set convention). For a workflow strain the files are
    ``resources/genomes/<g>/strain.fa`` and ``ref_to_strain.chain`` next to the genome's
    reference FASTA; without ``--chain`` the alt genome must share the reference's
    coordinates (same contig lengths: substitutions only). With ``--vcf`` (the strain VCF
    the pseudogenome was built from) the pairs get the dataset's exact variant table
    (:func:`deepallele.datasets.pairs.variant_table`), so ``interpret`` scores variant effects.

Every problem is an :class:`InputError` whose message names the file.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..alphabet import encode
from ..datasets.pairs import VARIANT_COLUMNS, centre_trim
from .data import InterpretSet, load_interpret_set

_BAD_LETTER = re.compile(r"[^ACGTNacgtn]")
_LISTED = 5


class InputError(ValueError):
    """An input of ``predict`` / ``interpret`` that cannot be used (the message names the file)."""


def _listed(items) -> str:
    items = list(items)
    shown = ", ".join(repr(i) for i in items[:_LISTED])
    return shown + (f", ... ({len(items)} in all)" if len(items) > _LISTED else "")


def empty_variants() -> pd.DataFrame:
    """A variant table without rows (columns :data:`~deepallele.datasets.pairs.VARIANT_COLUMNS`)."""
    table = pd.DataFrame({c: pd.Series(dtype=object) for c in VARIANT_COLUMNS})
    return table.astype({"peak_index": np.int64, "ref_pos": np.int64, "alt_pos": np.int64, "complete": bool})


def sequence_set(names, ref_codes: np.ndarray, alt_codes: np.ndarray, variants: pd.DataFrame | None = None,
                 max_pairs: int | None = None) -> InterpretSet:
    """Coded pairs as the :class:`InterpretSet` the ``--pairs`` path reads (no observed ratios: NaN).

    Parameters
    ----------
    names : sequence of str
        Pair names (``peak``).
    ref_codes, alt_codes : numpy.ndarray of uint8, shape (N, L)
        Right-padded base codes of the two alleles.
    variants : pandas.DataFrame, optional
        Variant table whose ``peak_index`` indexes the rows (default: none).
    max_pairs : int, optional
        Keep the first pairs only.
    """
    codes = np.stack([np.asarray(ref_codes, dtype=np.uint8), np.asarray(alt_codes, dtype=np.uint8)], axis=1)
    rows = np.arange(len(codes))
    if max_pairs is not None:
        rows = rows[:max_pairs]
    variants = empty_variants() if variants is None else variants
    variants = variants[np.isin(variants["peak_index"], rows)].reset_index(drop=True)
    peak = np.array([str(n) for n in names], dtype=object)[rows]
    return InterpretSet(rows, peak, codes, np.full(len(rows), np.nan), variants, "all")


# ----------------------------------------------------------------------------- FASTA pairs
def read_fasta(path: str | Path) -> dict[str, str]:
    """Records of a FASTA file (plain or gzipped), name -> sequence, in file order; letters checked.

    Raises
    ------
    InputError
        A missing or empty file, a repeated name, a letter other than ACGTN.
    """
    import pysam

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: FASTA file not found")
    records: dict[str, str] = {}
    try:
        with pysam.FastxFile(str(path)) as handle:
            for rec in handle:
                if rec.name in records:
                    raise InputError(f"{path}: record name {rec.name!r} occurs more than once")
                seq = rec.sequence or ""
                bad = _BAD_LETTER.search(seq)
                if bad:
                    raise InputError(f"{path}: record {rec.name!r} has the letter {bad.group()!r} at position "
                                     f"{bad.start() + 1}; only A, C, G, T and N are allowed")
                records[rec.name] = seq
    except (OSError, ValueError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(f"{path}: not a readable FASTA file ({err})") from err
    if not records:
        raise InputError(f"{path}: no FASTA records")
    return records


def _fit(seq: str, length: int, path: Path, name: str, crop: bool) -> str:
    if len(seq) <= length:
        return seq
    if not crop:
        raise InputError(f"{path}: record {name!r} has {len(seq)} bp, longer than the models' input length {length} "
                         "(shorten it, or give --crop to keep its central bases)")
    left, right = centre_trim(len(seq), length)
    return seq[left:len(seq) - right]


def fasta_pairs(ref_fasta: str | Path, alt_fasta: str | Path, length: int, crop: bool = False,
                max_pairs: int | None = None) -> InterpretSet:
    """Pairs of records of two FASTA files matched by name (see the module notes).

    Parameters
    ----------
    ref_fasta, alt_fasta : str or pathlib.Path
        Reference-allele and alternative-allele sequences.
    length : int
        The models' input length ``L``.
    crop : bool
        Keep the central ``L`` bases of a longer sequence instead of stopping.
    max_pairs : int, optional
        Keep the first pairs only.

    Raises
    ------
    InputError
        Unreadable files, bad letters, repeated names, names found in one file only, a
        sequence longer than ``L`` (without ``crop``).
    """
    ref_path, alt_path = Path(ref_fasta), Path(alt_fasta)
    ref, alt = read_fasta(ref_path), read_fasta(alt_path)
    only_ref = [n for n in ref if n not in alt]
    only_alt = [n for n in alt if n not in ref]
    if only_ref or only_alt:
        parts = ([f"only in {ref_path}: {_listed(only_ref)}"] if only_ref else []) + \
                ([f"only in {alt_path}: {_listed(only_alt)}"] if only_alt else [])
        raise InputError(f"{ref_path} and {alt_path}: records must pair up by name; " + "; ".join(parts))
    names = list(ref)
    ref_codes = np.stack([encode(_fit(ref[n], length, ref_path, n, crop), length, name=f"{ref_path}: {n}")
                          for n in names])
    alt_codes = np.stack([encode(_fit(alt[n], length, alt_path, n, crop), length, name=f"{alt_path}: {n}")
                          for n in names])
    return sequence_set(names, ref_codes, alt_codes, max_pairs=max_pairs)


# ----------------------------------------------------------------------------- BED + genomes
def _open_fasta(path: str | Path, what: str):
    import pysam

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: {what} FASTA not found")
    try:
        return pysam.FastaFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot open the {what} FASTA as an indexed FASTA ({err}); "
                         "a gzipped FASTA must be bgzipped (samtools faidx indexes it)") from err


def bed_pairs(bed: str | Path, ref_genome: str | Path, alt_genome: str | Path, length: int,
              chain: str | Path | None = None, vcf: str | Path | None = None, window: int | None = None,
              sample: str | None = None, max_pairs: int | None = None) -> InterpretSet:
    """Pairs of the homologous sequences of BED regions in two genomes (see the module notes).

    Parameters
    ----------
    bed : str or pathlib.Path
        Regions in reference coordinates (BED3+; name column optional).
    ref_genome, alt_genome : str or pathlib.Path
        Reference FASTA and alternative genome (e.g. the strain pseudogenome), indexed or
        indexable by ``pysam``.
    length : int
        The models' input length ``L``.
    chain : str or pathlib.Path, optional
        ``ref -> alt`` chain (``resources/genomes/<g>/ref_to_strain.chain``); without it the
        two genomes must share coordinates.
    vcf : str or pathlib.Path, optional
        Strain VCF the alt genome was built from: adds the variant table.
    window : int, optional
        Reference window length, ``<= L`` (default ``L``; a dataset's ``window_length``).
    sample : str, optional
        VCF sample (as for the pseudogenome).
    max_pairs : int, optional
        Keep the first pairs only.

    Raises
    ------
    InputError
        Unreadable or inconsistent files (the message names the file).
    """
    from ..datasets.pairs import paired_sequences, variant_table
    from ..genome.coordmap import CoordinateMap
    from ..reads.peaks import read_peaks

    bed = Path(bed)
    if window is not None and not 1 <= int(window) <= length:
        raise InputError(f"--window must lie in 1..{length} (the models' input length), not {window}")
    ref_fa = _open_fasta(ref_genome, "reference")
    alt_fa = _open_fasta(alt_genome, "alternative")
    with ref_fa, alt_fa:
        ref_sizes = dict(zip(ref_fa.references, ref_fa.lengths))
        try:
            regions = read_peaks(bed, chrom_sizes=ref_sizes, fmt="bed")
        except ValueError as err:  # PeakError names the file
            raise InputError(str(err)) from err
        if max_pairs is not None:
            regions = regions.iloc[:max_pairs].reset_index(drop=True)
        chroms = sorted(set(regions["chrom"]))
        if chain is None:
            alt_sizes = dict(zip(alt_fa.references, alt_fa.lengths))
            bad = [c for c in chroms if alt_sizes.get(c) != ref_sizes[c]]
            if bad:
                c = bad[0]
                raise InputError(f"{alt_genome}: without --chain the alternative genome must share the reference's "
                                 f"coordinates, but contig {c!r} has {alt_sizes.get(c, 'no')} bp there and "
                                 f"{ref_sizes[c]} bp in {ref_genome}; give the ref -> alt chain with --chain")
            cmap = CoordinateMap.from_variants(ref_sizes, [])
        else:
            if not Path(chain).is_file():
                raise InputError(f"{chain}: chain file not found")
            try:
                cmap = CoordinateMap.load(chain)
            except (OSError, ValueError) as err:
                raise InputError(f"{chain}: not a usable ref -> alt chain ({err})") from err
        peaks = pd.DataFrame({"peak": regions["name"], "chrom": regions["chrom"], "start": regions["start"],
                              "end": regions["end"]})
        try:
            pairs = paired_sequences(peaks, ref_fa, alt_fa, cmap, length, window=window)
        except ValueError as err:
            raise InputError(f"{bed} on {ref_genome} / {alt_genome}: {err}") from err
        variants = None
        if vcf is not None:
            if not Path(vcf).is_file():
                raise InputError(f"{vcf}: VCF not found")
            try:
                variants = variant_table(pairs, vcf, cmap, alt_fa, sample=sample)
            except (OSError, ValueError) as err:
                raise InputError(f"{vcf}: {err}") from err
    return sequence_set(pairs.peak, pairs.ref_codes, pairs.alt_codes, variants)


# ----------------------------------------------------------------------------- one entry
def input_kind(pairs=None, ref_fasta=None, alt_fasta=None, bed=None, ref_genome=None, alt_genome=None,
               chain=None, vcf=None) -> str:
    """``"pairs"``, ``"fasta"`` or ``"bed"``: the one input kind the options give.

    Raises
    ------
    InputError
        No kind, several kinds, or an incomplete one (the message names the files given).
    """
    given = {"pairs": [("--pairs", pairs)],
             "fasta": [("--ref-fasta", ref_fasta), ("--alt-fasta", alt_fasta)],
             "bed": [("--bed", bed), ("--ref-genome", ref_genome), ("--alt-genome", alt_genome),
                     ("--chain", chain), ("--vcf", vcf)]}
    used = {k: [(o, v) for o, v in opts if v is not None] for k, opts in given.items()}
    kinds = [k for k, opts in used.items() if opts]
    if not kinds:
        raise InputError("no input: give --pairs, or --ref-fasta and --alt-fasta, or --bed, --ref-genome and "
                         "--alt-genome")
    if len(kinds) > 1:
        shown = "; ".join(" ".join(f"{o} {v}" for o, v in used[k]) for k in kinds)
        raise InputError(f"give one kind of input (--pairs, a FASTA pair or BED + genomes), not several: {shown}")
    kind = kinds[0]
    required = {"fasta": ("--ref-fasta", "--alt-fasta"), "bed": ("--bed", "--ref-genome", "--alt-genome")}.get(kind, ())
    have = {o for o, _ in used[kind]}
    missing = [o for o in required if o not in have]
    if missing:
        shown = " ".join(f"{o} {v}" for o, v in used[kind])
        raise InputError(f"{shown}: also give {' and '.join(missing)}")
    return kind


def load_inputs(*, length: int, pairs=None, ref_fasta=None, alt_fasta=None, bed=None, ref_genome=None,
                alt_genome=None, chain=None, vcf=None, sample=None, window=None, crop: bool = False,
                split: str = "all", max_pairs: int | None = None) -> InterpretSet:
    """The pairs of any input kind as an :class:`InterpretSet` (see the module notes).

    Parameters
    ----------
    length : int
        The models' input length ``L`` (FASTA and BED inputs are coded to it; a ``pairs.h5``
        is checked against it by the caller).
    pairs, ref_fasta, alt_fasta, bed, ref_genome, alt_genome, chain, vcf, sample, window, crop
        The options of one input kind (:func:`input_kind`).
    split : str
        Rows of a ``pairs.h5``; other kinds take ``all`` only.
    max_pairs : int, optional
        Keep the first pairs only.

    Raises
    ------
    InputError
        See :func:`input_kind`, :func:`fasta_pairs`, :func:`bed_pairs`; a ``pairs.h5`` that
        cannot be read.
    """
    kind = input_kind(pairs, ref_fasta, alt_fasta, bed, ref_genome, alt_genome, chain, vcf)
    if kind != "pairs" and split != "all":
        raise InputError(f"--split {split} selects rows of a --pairs file; FASTA and BED inputs are used whole")
    if kind == "pairs":
        if crop or window is not None:
            raise InputError(f"--pairs {pairs}: --crop and --window apply to FASTA / BED inputs only")
        if not Path(pairs).is_file():
            raise InputError(f"{pairs}: pairs file not found")
        try:
            return load_interpret_set(pairs, split, max_pairs=max_pairs)
        except OSError as err:
            raise InputError(f"{pairs}: not a readable HDF5 file ({err})") from err
        except ValueError as err:
            raise InputError(str(err)) from err
    if kind == "fasta":
        if window is not None:
            raise InputError(f"--ref-fasta {ref_fasta}: --window applies to BED inputs only")
        return fasta_pairs(ref_fasta, alt_fasta, length, crop=crop, max_pairs=max_pairs)
    if crop:
        raise InputError(f"--bed {bed}: --crop applies to FASTA inputs only (use --window)")
    return bed_pairs(bed, ref_genome, alt_genome, length, chain=chain, vcf=vcf, window=window, sample=sample,
                     max_pairs=max_pairs)
