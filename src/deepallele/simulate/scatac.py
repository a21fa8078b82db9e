"""A 10x-like single-cell ATAC experiment of an F1 hybrid, with ground truth.

The regions are those :func:`.run.simulate_genome` planted for the dataset (with the atac
grammar, like an atac dataset's). On top of them this module draws cells of two types with
different accessibility programs, their fragments on each allele's own genome, PCR duplicates,
and 10x read pairs with cell barcodes that carry sequencing errors.

Outputs, under ``outdir/datasets/<dataset>/`` (:func:`simulate_sc_fragments`, then
:func:`write_sc_unit_fastqs` once per unit)::

    samples.tsv            sample, unit, fastq_1 (R1), fastq_2 (R3), fastq_barcode (R2),
                           fastq_index (I1), sra; paths relative to this folder
    reads/<sample>_S1_<unit>_{I1,R1,R2,R3}_001.fastq.gz
    whitelist.txt.gz       the synthetic barcode whitelist (sorted, no suffix)
    cell_types.tsv         barcode<TAB>cell_type (header; barcodes with Cell Ranger's "-1"),
                           the true cells less ``cell_table_dropout`` of them
    known_peaks.bed        chrom, start, end, region_id (the regions, as for bulk)
    truth/regions.tsv, truth/variants.tsv, truth/sites.tsv
                           this dataset's slice of the genome truth (as for bulk)
    truth/cells.tsv        barcode, cell_type ("" for empty droplets), is_cell, n_fragments,
                           n_read_pairs
    truth/peaks.tsv        region_id, chrom, start, end, class (shared or a type's name),
                           ln_ratio_<type> (ln of ref share / alt share the fragments were drawn
                           with), type_specific_ratio, ratio_change ("", neutral, reversed),
                           share_<type> (the region's share of the type's signal fragments),
                           fragments_<type> (its unique signal fragments in the type's cells)
    truth/fragments.tsv.gz one row per unique fragment: chrom, ref_start, ref_end, barcode,
                           allele (ref/alt), n_reads (1 + duplicates), source (region_id or
                           "background"), fragment_id, allele_start, allele_end
    truth/reads.tsv.gz     per read pair: read_name, fragment_id, unit, true_barcode,
                           observed_barcode, n_barcode_errors, r1_forward

Coordinates
-----------
``ref_start, ref_end`` are the sequenced insert (0-based, half-open) in reference (B6)
coordinates: an alt fragment is drawn on the strain genome (``allele_start, allele_end``) and
mapped through the strain's indels as :func:`.run.simulate_fragments` does. They are **before**
any Tn5 adjustment: the pipeline's fragment file holds ``ref_start + 4, ref_end - 5``.
``chrM`` fragments are background too (``source`` "background").

Generative model
----------------
* **Programs.** Regions are ``shared_fraction`` shared, the rest split evenly into one
  specific program per type. A region's weight in a type is its mean allelic activity
  (``log_activity_ref/alt`` of the genome truth, as the bulk simulator uses them) times a
  lognormal (``program_sd``), times ``off_type_weight`` in the types it is not specific to.
* **Alleles.** A signal fragment is ref with probability ``a_ref / (a_ref + a_alt)`` (the
  activities), i.e. ln ratio = ``log_activity_ref - log_activity_alt``. For
  ``type_specific_fraction`` of the shared regions with ``|ratio| >= causal_min_effect`` the
  first type keeps that ratio and every other type gets it neutral (0) or reversed (half each):
  a factor that is not expressed there.
* **Cells.** ``n_cells`` per type; unique fragments per cell lognormal (median
  ``fragments_per_cell``, ``fragments_per_cell_sigma``); a fragment is signal with probability
  ``frip``, chrM with ``chrM_fraction``, else background uniform over either genome.
  ``empty_droplets`` further barcodes get 1 to ``empty_fragments_max`` fragments, ``empty_frip``
  of them from the regions (the types' programs pooled by cell count).
* **Fragments.** Lengths from the atac nucleosome ladder (:func:`.reads.fragment_lengths`),
  midpoints around the chosen allele's summit (``site_spread``), on that allele's genome. A
  cell has one copy of each allele, so a Tn5 cut starts or ends one fragment: a later fragment
  of the barcode that reuses a cut of the same allele is dropped, and so is one at the same
  reference coordinates as an earlier one (one molecule to any pipeline). Overlaps without a
  shared cut are kept: the demo's few peaks take many fragments per cell.
* **Reads.** Read pairs per fragment: 1 + Geometric, so that ``duplicate_rate`` of all pairs are
  duplicates. R1 reads one end (the left end for half the fragments), R3 the reverse complement
  of the other, Nextera read-through past short fragments, errors with the probability their
  qualities state; ``duplicate_swap_fraction`` of the duplicates have the ends swapped.
  Pairs are shuffled, named by rank, and split into ``n_units`` lanes.
* **Barcodes.** A whitelist of ``whitelist_size`` random 16-mers at pairwise Hamming distance
  >= 3 (rejection sampling), except ``whitelist_close_pairs`` pairs at distance 2 whose members
  are both cells (a read one error from each is ambiguous). Per read pair: one substitution at a
  low-quality base (``barcode_error_rate``, Phred in ``barcode_error_quality``), two
  (``barcode_double_error_rate``) or an N of quality 2 (``barcode_n_rate``). R2 holds the
  barcode reverse-complemented (``barcode_orientation: revcomp``, NextSeq/NovaSeq v1.5) or as on
  the whitelist (``forward``); truth ``observed_barcode`` is in the whitelist's orientation.
  I1 is the constant ``sample_index``. All four files carry the same read names.

Every draw comes from a keyed stream of :func:`.run._rng`, so the same seed gives the same
bytes.
"""
from __future__ import annotations

import gzip
import logging
import os
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..alphabet import decode, encode
from . import reads as R
from .run import _rng, _write_tsv, dataset_truth, read_fasta_codes, unit_names

log = logging.getLogger("deepallele.simulate")

BARCODE_LENGTH = 16
#: Phred quality of a no-call (the '#' of Illumina's N)
N_QUALITY = 2
_CHUNK = 50_000  # read pairs per block when writing reads (bounds memory)


# ----------------------------------------------------------------------------- whitelist

def _pack(codes: np.ndarray) -> np.ndarray:
    """Pack 16-base codes (shape (n, 16), 0..3) into uint32, first base in the high bits.

    Packed order is lexicographic order of the strings (A < C < G < T).
    """
    shifts = (2 * np.arange(BARCODE_LENGTH - 1, -1, -1)).astype(np.uint32)
    return np.bitwise_or.reduce(codes.astype(np.uint32) << shifts, axis=1).astype(np.uint32)


def _unpack(packed: np.ndarray) -> np.ndarray:
    """Base codes, shape (n, 16), of packed barcodes."""
    shifts = (2 * np.arange(BARCODE_LENGTH - 1, -1, -1)).astype(np.uint32)
    return ((np.asarray(packed, dtype=np.uint32)[:, None] >> shifts) & 3).astype(np.uint8)


def hamming_packed(a: np.ndarray, b) -> np.ndarray:
    """Hamming distance between packed barcodes (broadcasting)."""
    x = np.bitwise_xor(np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32))
    return np.bitwise_count((x | (x >> 1)) & np.uint32(0x55555555)).astype(np.int64)


def close_pairs(packed: np.ndarray) -> np.ndarray:
    """Index pairs ``(i, j)``, ``i < j``, of packed barcodes at Hamming distance below 3.

    Two 16-mers within distance 2 agree on at least one of three blocks (6, 5 and 5 bases):
    only barcodes that share a block are compared, never all pairs.
    """
    out = [np.empty((0, 2), dtype=np.int64)]
    for lo, hi in ((0, 6), (6, 11), (11, 16)):
        key = (packed >> np.uint32(2 * (BARCODE_LENGTH - hi))) & np.uint32((1 << (2 * (hi - lo))) - 1)
        order = np.argsort(key, kind="stable")
        ks = key[order]
        for k in range(1, packed.size):
            same = ks[k:] == ks[:-k]
            if not same.any():
                break  # sorted: no equal keys k apart means none further apart either
            i, j = order[:-k][same], order[k:][same]
            near = hamming_packed(packed[i], packed[j]) < 3
            out.append(np.stack([np.minimum(i, j)[near], np.maximum(i, j)[near]], axis=1))
    pairs = np.concatenate(out)
    return np.unique(pairs, axis=0) if pairs.size else pairs


def make_whitelist(size: int, n_close_pairs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic barcode whitelist: random 16-mers at pairwise distance >= 3 but for a few pairs at 2.

    Parameters
    ----------
    size : int
        Barcodes in all (the close pairs' partners included).
    n_close_pairs : int
        Pairs at Hamming distance exactly 2 (each barcode in at most one).
    rng : numpy.random.Generator

    Returns
    -------
    packed : numpy.ndarray, shape (size,), uint32
        The barcodes (:func:`_pack`), sorted (so in the strings' lexicographic order).
    pairs : numpy.ndarray, shape (n_close_pairs, 2)
        Indices into ``packed`` of the close pairs.
    """
    if size < 2 * n_close_pairs or size > 4 ** BARCODE_LENGTH // 100:
        raise ValueError(f"whitelist_size {size} must lie between 2 x whitelist_close_pairs and {4 ** 16 // 100}")

    def draw(n):
        return rng.integers(0, 2 ** 32, size=n, dtype=np.uint64).astype(np.uint32)

    # rejection sampling: drop the later barcode of every close pair and draw replacements
    packed = draw(size - n_close_pairs)
    while True:
        pairs = close_pairs(packed)
        if not len(pairs):
            break
        drop = np.unique(pairs[:, 1])
        packed = np.concatenate([np.delete(packed, drop), draw(drop.size)])

    # partners at distance 2: two substitutions, at distance >= 3 from everything else
    anchors = rng.choice(packed.size, size=n_close_pairs, replace=False)
    partners: list[np.uint32] = []
    for a in anchors:
        while True:
            codes = _unpack(packed[a:a + 1])[0]
            pos = rng.choice(BARCODE_LENGTH, size=2, replace=False)
            codes[pos] = (codes[pos] + rng.integers(1, 4, size=2)) % 4
            b = _pack(codes[None, :])[0]
            d = hamming_packed(packed, b)
            d[a] = 3
            if d.min() >= 3 and all(hamming_packed(p, b) >= 3 for p in partners):
                partners.append(b)
                break
    full = np.concatenate([packed, np.array(partners, dtype=np.uint32)])
    order = np.argsort(full, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    pairs = np.stack([rank[anchors], rank[packed.size + np.arange(n_close_pairs)]], axis=1)
    return full[order], pairs


def barcode_strings(codes: np.ndarray) -> list[str]:
    """Strings of barcode codes (shape (n, L), 0..4 with 4 = N)."""
    if not len(codes):
        return []
    flat = decode(np.asarray(codes).ravel())
    L = codes.shape[1]
    return [flat[i:i + L] for i in range(0, len(flat), L)]


def barcode_codes(strings) -> np.ndarray:
    """Codes (shape (n, L), 4 = N) of equal-length barcode strings."""
    strings = list(strings)
    if not strings:
        return np.empty((0, BARCODE_LENGTH), dtype=np.uint8)
    return encode("".join(strings), name="barcodes").reshape(len(strings), -1)


def barcode_errors(true_codes: np.ndarray, params: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Observed barcodes: one substitution, two, or one N, at the configured rates.

    Returns
    -------
    observed : numpy.ndarray, shape like ``true_codes``
        Codes in the whitelist's orientation (4 = N).
    n_errors : numpy.ndarray, shape (n,), int8
        0, 1 (one substitution or one N) or 2.
    """
    n, L = true_codes.shape
    p1, p2, pn = (float(params[k]) for k in ("barcode_error_rate", "barcode_double_error_rate", "barcode_n_rate"))
    u = rng.random(n)
    one, two, nocall = u < p1, (u >= p1) & (u < p1 + p2), (u >= p1 + p2) & (u < p1 + p2 + pn)
    obs = true_codes.copy()
    rows = np.flatnonzero(one | two | nocall)
    first = rng.integers(0, L, size=rows.size)
    second = (first + rng.integers(1, L, size=rows.size)) % L   # a different base
    shift = rng.integers(1, 4, size=(rows.size, 2)).astype(np.uint8)
    obs[rows, first] = np.where(nocall[rows], 4, (obs[rows, first] + shift[:, 0]) % 4)
    sel = two[rows]
    obs[rows[sel], second[sel]] = (obs[rows[sel], second[sel]] + shift[sel, 1]) % 4
    return obs, (one | nocall).astype(np.int8) + 2 * two.astype(np.int8)


# ----------------------------------------------------------------------------- writing helpers

@contextmanager
def _gzip_writer(path: Path, level: int = 4):
    """A gzip stream with a fixed header (as :func:`.reads.write_gzip`), renamed into place at the end."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                    compresslevel=level) as gz:
            yield gz
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def _write_tsv_gz(path: Path, frames) -> None:
    """Write data frames (an iterable) as one gzipped TSV, the header once."""
    with _gzip_writer(path) as gz:
        for i, df in enumerate(frames):
            gz.write(df.to_csv(sep="\t", index=False, header=i == 0, float_format="%.6g").encode())


def fastq_records(names: list[str], comment: str, codes: np.ndarray, qual: np.ndarray) -> bytes:
    """FASTQ records ``@<name> <comment>`` (10x/bcl2fastq headers: the same name in every file).

    :func:`.reads.fastq_bytes` writes ``@name/mate`` and only ACGT; 10x files need one name
    across four files and an N in the barcode.
    """
    n, L = codes.shape
    body = np.empty((n, 2 * L + 4), dtype=np.uint8)
    body[:, :L] = R.letter_bytes(codes)
    body[:, L:L + 3] = np.frombuffer(b"\n+\n", dtype=np.uint8)
    body[:, L + 3:2 * L + 3] = qual + 33
    body[:, -1] = ord("\n")
    raw, w = body.tobytes(), 2 * L + 4
    tail = f" {comment}\n"
    return b"".join(f"@{name}{tail}".encode() + raw[i * w:(i + 1) * w] for i, name in enumerate(names))


def sc_fastq_paths(params: dict, unit: str) -> dict[str, str]:
    """10x FASTQ paths of a unit, relative to the dataset folder: ``reads/<sample>_S1_<unit>_<read>_001.fastq.gz``."""
    return {read: f"reads/{params['sample']}_S1_{unit}_{read}_001.fastq.gz" for read in ("R1", "R2", "R3", "I1")}


# ----------------------------------------------------------------------------- fragments

def _programs(regions: pd.DataFrame, params: dict, rng: np.random.Generator) -> dict:
    """Region classes, per-type weights (normalised shares) and per-type ln ratios."""
    types = list(params["cell_types"])
    n = len(regions)
    la_ref, la_alt = regions["log_activity_ref"].to_numpy(float), regions["log_activity_alt"].to_numpy(float)
    activity = (np.exp(la_ref) + np.exp(la_alt)) / 2
    ratio = la_ref - la_alt

    # classes: shared, then each type's specific program
    order = rng.permutation(n)
    n_shared = int(round(float(params["shared_fraction"]) * n))
    cls = np.empty(n, dtype=object)
    cls[order[:n_shared]] = "shared"
    for t, part in zip(types, np.array_split(order[n_shared:], len(types))):
        cls[part] = t
    weight = activity[None, :] * rng.lognormal(0.0, float(params["program_sd"]), size=(len(types), n))
    for k, t in enumerate(types):
        weight[k, (cls != "shared") & (cls != t)] *= float(params["off_type_weight"])
    share = weight / weight.sum(axis=1, keepdims=True)

    # type-specific ratios: imbalanced shared regions keep their ratio in the first type only
    ln_ratio = np.tile(ratio, (len(types), 1))
    candidates = np.flatnonzero((cls == "shared") & (np.abs(ratio) >= float(params["causal_min_effect"])))
    n_specific = min(int(round(float(params["type_specific_fraction"]) * n_shared)), candidates.size)
    chosen = np.sort(rng.choice(candidates, size=n_specific, replace=False)) if n_specific else np.empty(0, int)
    reversed_ = rng.random(chosen.size) < 0.5
    change = np.full(n, "", dtype=object)
    change[chosen] = np.where(reversed_, "reversed", "neutral")
    for k in range(1, len(types)):
        ln_ratio[k, chosen] = np.where(reversed_, -ratio[chosen], 0.0)
    return {"types": types, "class": cls, "share": share, "ln_ratio": ln_ratio, "change": change,
            "specific": np.isin(np.arange(n), chosen)}


def _repeated(idx: np.ndarray, *columns: np.ndarray) -> np.ndarray:
    """Whether each ``idx`` row repeats the key (``columns`` at that row) of an earlier row of ``idx``."""
    keys = [c[idx] for c in columns]
    order = np.lexsort([idx, *keys[::-1]])   # by key, then by position
    same = np.zeros(idx.size, dtype=bool)
    same[1:] = np.logical_and.reduce([k[order][1:] == k[order][:-1] for k in keys])
    out = np.zeros(idx.size, dtype=bool)
    out[order] = same
    return out


def _uniform_fragments(count: int, pool: list[str], cidx: dict, sizes: dict, strain_sizes: dict, params: dict,
                       rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Background fragments uniform over the pool's chromosomes of either genome (allele, chrom, start, end)."""
    allele = rng.integers(0, 2, size=count).astype(np.int8)
    both = np.array([[sizes[c], strain_sizes[c]] for c in pool], dtype=float)
    which = rng.choice(len(pool), size=count, p=both[:, 0] / both[:, 0].sum())
    lengths = R.fragment_lengths(count, rng, "atac", params)
    span = both[which, allele] - lengths - 1
    start = (rng.random(count) * np.maximum(span, 1)).astype(np.int64)
    chrom = np.array([cidx[c] for c in pool], dtype=np.int64)[which]
    return allele, chrom, start, start + lengths


def simulate_sc_fragments(dataset: str, params: dict, genome_dir: Path, outdir: Path) -> dict:
    """Draw a scATAC dataset's cells, fragments, duplicates and barcodes; write its truth and tables.

    The FASTQ files of each unit are written afterwards by :func:`write_sc_unit_fastqs`. The
    outputs, the model and the coordinate convention are described in the module docstring.

    Parameters
    ----------
    dataset : str
        Dataset name (its regions must be in the genome truth).
    params : dict
        Dataset parameters (``run.dataset_params("scatac", ...)``).
    genome_dir : pathlib.Path
        ``genomes/<genome>`` written by :func:`.run.simulate_genome`.
    outdir : pathlib.Path
        Root of the simulated resources.

    Returns
    -------
    dict
        Sizes: cells, empty droplets, unique fragments, read pairs, fragments per cell, the
        first type's pseudo-bulk fragments per peak, ...
    """
    genome_dir, outdir = Path(genome_dir), Path(outdir)
    ddir = outdir / "datasets" / dataset
    (ddir / "truth").mkdir(parents=True, exist_ok=True)
    seed = int(params["seed"])
    sizes, strain_sizes, maps, regions = dataset_truth(genome_dir, dataset, ddir)
    chroms = list(sizes)
    cidx = {c: i for i, c in enumerate(chroms)}

    types, n_per_type = list(params["cell_types"]), [int(n) for n in params["n_cells"]]
    if len(types) != len(n_per_type) or len(set(types)) != len(types) or not types:
        raise ValueError(f"cell_types {types} and n_cells {n_per_type} must be equally long, names unique")
    prog = _programs(regions, params, _rng(seed, "sc_programs", dataset))

    # whitelist, and which of its barcodes are cells and empty droplets
    wl, pairs = make_whitelist(int(params["whitelist_size"]), int(params["whitelist_close_pairs"]),
                               _rng(seed, "sc_whitelist", dataset))
    wl_codes = _unpack(wl)
    R.write_gzip(ddir / "whitelist.txt.gz", "".join(s + "\n" for s in barcode_strings(wl_codes)).encode())
    rng = _rng(seed, "sc_cells", dataset)
    n_cells, n_empty = sum(n_per_type), int(params["empty_droplets"])
    members = pairs.ravel()
    if n_cells < members.size or n_cells + n_empty > wl.size:
        raise ValueError(f"{n_cells} cells and {n_empty} empty droplets need a whitelist of more than "
                         f"{wl.size} barcodes and at least 2 x whitelist_close_pairs cells")
    rest = rng.permutation(np.setdiff1d(np.arange(wl.size), members))[:n_cells + n_empty - members.size]
    barcode = np.concatenate([rng.permutation(np.concatenate([members, rest[:n_cells - members.size]])),
                              rest[n_cells - members.size:]])
    cell_type = np.concatenate([np.repeat(np.arange(len(types)), n_per_type), np.full(n_empty, -1)])
    is_cell = cell_type >= 0
    target = np.concatenate([
        np.maximum(1, np.round(rng.lognormal(np.log(float(params["fragments_per_cell"])),
                                             float(params["fragments_per_cell_sigma"]), size=n_cells))),
        rng.integers(1, int(params["empty_fragments_max"]) + 1, size=n_empty)]).astype(np.int64)

    # fragments: signal from the barcode's program (empty droplets: the pooled programs), chrM, background
    rng = _rng(seed, "sc_fragments", dataset)
    owner = np.repeat(np.arange(barcode.size), target)
    frip = np.where(is_cell, float(params["frip"]), float(params["empty_frip"]))[owner]
    u = rng.random(owner.size)
    signal = u < frip
    mito = ~signal & (u < frip + float(params["chrM_fraction"]))
    program = cell_type[owner]
    ambient = signal & (program < 0)
    program[ambient] = rng.choice(len(types), size=int(ambient.sum()), p=np.array(n_per_type) / n_cells)
    region = np.full(owner.size, -1, dtype=np.int64)
    allele = np.zeros(owner.size, dtype=np.int8)
    for k in range(len(types)):
        sel = np.flatnonzero(signal & (program == k))
        region[sel] = rng.choice(len(regions), size=sel.size, p=prog["share"][k])
        p_ref = 1.0 / (1.0 + np.exp(-prog["ln_ratio"][k, region[sel]]))
        allele[sel] = (rng.random(sel.size) >= p_ref).astype(np.int8)
    sig = np.flatnonzero(signal)
    summits = np.stack([regions["summit"].to_numpy(np.int64), regions["strain_summit"].to_numpy(np.int64)], 1)
    region_chrom = np.array([cidx[c] for c in regions["chrom"]], dtype=np.int64)
    chrom = np.zeros(owner.size, dtype=np.int64)
    start = np.zeros(owner.size, dtype=np.int64)
    end = np.zeros(owner.size, dtype=np.int64)
    chrom[sig] = region_chrom[region[sig]]
    lengths = R.fragment_lengths(sig.size, rng, "atac", params)
    start[sig], end[sig] = R.place_fragments(summits[region[sig], allele[sig]], lengths,
                                             float(params["site_spread"]), rng)
    nuclear = [c for c in chroms if c != "chrM"]
    for sel, pool in ((np.flatnonzero(~signal & ~mito), nuclear), (np.flatnonzero(mito), ["chrM"])):
        if not sel.size:
            continue
        if "chrM" in pool and "chrM" not in cidx:
            pool = nuclear  # a genome without chrM: its share is background
        allele[sel], chrom[sel], start[sel], end[sel] = _uniform_fragments(sel.size, pool, cidx, sizes, strain_sizes,
                                                                           params, rng)
    csize = np.array([[sizes[c], strain_sizes[c]] for c in chroms], dtype=np.int64)
    ok = (start >= 0) & (end <= csize[chrom, allele])

    # reference coordinates of strain fragments, through the indels (as simulate_fragments)
    ref_start, ref_end = start.copy(), end.copy()
    for ci, c in enumerate(chroms):
        sel = np.flatnonzero((allele == 1) & (chrom == ci))
        if sel.size:
            ref_start[sel] = maps[c].to_ref_nearest(start[sel])
            ref_end[sel] = maps[c].to_ref_nearest(end[sel] - 1, side="left") + 1
    ok &= ref_end > ref_start
    # A cell holds one copy of each allele, and a Tn5 cut there starts or ends one fragment only:
    # a later fragment of the barcode reusing a cut of the same allele is dropped. Fragments of
    # one barcode at the same reference coordinates (possible across the alleles) would be one
    # molecule to any pipeline: the later is dropped too.
    keep = np.flatnonzero(ok)
    reused = _repeated(keep, owner, allele, chrom, start) | _repeated(keep, owner, allele, chrom, end)
    n_reused = int(reused.sum())
    keep = keep[~reused]
    same = _repeated(keep, owner, chrom, ref_start, ref_end)
    n_repeats = int(same.sum())
    keep = keep[~same]
    # one row per fragment, ordered like a fragment file
    keep = keep[np.lexsort((owner[keep], ref_end[keep], ref_start[keep], chrom[keep]))]
    owner, allele, chrom, start, end = owner[keep], allele[keep], chrom[keep], start[keep], end[keep]
    ref_start, ref_end, region, signal = ref_start[keep], ref_end[keep], region[keep], signal[keep]
    n_frag = keep.size

    # read pairs: 1 + Geometric per fragment, shuffled, named by rank, split into lanes
    rng = _rng(seed, "sc_reads", dataset)
    n_reads = rng.geometric(1.0 - float(params["duplicate_rate"]), size=n_frag).astype(np.int64)
    frag_of = np.repeat(np.arange(n_frag), n_reads)
    copy_no = np.arange(frag_of.size) - np.repeat(np.cumsum(n_reads) - n_reads, n_reads)
    r1_forward = np.repeat(rng.random(n_frag) < 0.5, n_reads)
    swap = (copy_no > 0) & (rng.random(frag_of.size) < float(params["duplicate_swap_fraction"]))
    r1_forward ^= swap
    order = rng.permutation(frag_of.size)
    frag_of, r1_forward = frag_of[order], r1_forward[order]
    true_codes = wl_codes[barcode[owner[frag_of]]]
    obs_codes, n_errors = barcode_errors(true_codes, params, rng)
    units = unit_names(params)
    bounds = np.linspace(0, frag_of.size, len(units) + 1).astype(int)
    unit_of = np.repeat(np.array(units, dtype=object), np.diff(bounds))
    prefix = f"sc{zlib.crc32(dataset.encode()) % 10000:04d}"

    def read_blocks():
        for lo in range(0, frag_of.size, _CHUNK):
            hi = min(lo + _CHUNK, frag_of.size)
            yield pd.DataFrame({
                "read_name": [f"{prefix}.{i}" for i in range(lo, hi)],
                "fragment_id": frag_of[lo:hi], "unit": unit_of[lo:hi],
                "true_barcode": barcode_strings(true_codes[lo:hi]),
                "observed_barcode": barcode_strings(obs_codes[lo:hi]),
                "n_barcode_errors": n_errors[lo:hi], "r1_forward": r1_forward[lo:hi].astype(np.int8)})

    _write_tsv_gz(ddir / "truth" / "reads.tsv.gz", read_blocks())
    del true_codes, obs_codes

    wl_strings = np.array(barcode_strings(wl_codes), dtype=object)
    region_ids = np.array(list(regions["region_id"]) + ["background"], dtype=object)
    chrom_names = np.array(chroms, dtype=object)

    def fragment_blocks():
        for lo in range(0, n_frag, _CHUNK):
            s = slice(lo, min(lo + _CHUNK, n_frag))
            yield pd.DataFrame({
                "chrom": chrom_names[chrom[s]], "ref_start": ref_start[s], "ref_end": ref_end[s],
                "barcode": wl_strings[barcode[owner[s]]], "allele": np.where(allele[s] == 0, "ref", "alt"),
                "n_reads": n_reads[s], "source": region_ids[region[s]], "fragment_id": np.arange(s.start, s.stop),
                "allele_start": start[s], "allele_end": end[s]})

    _write_tsv_gz(ddir / "truth" / "fragments.tsv.gz", fragment_blocks())

    # cells: truth, and the pipeline's table (Cell Ranger "-1" suffix, a few cells left out)
    per_barcode = np.bincount(owner, minlength=barcode.size)
    pairs_per_barcode = np.bincount(owner, weights=n_reads, minlength=barcode.size).astype(np.int64)
    type_names = np.array(types + [""], dtype=object)
    cells = pd.DataFrame({"barcode": wl_strings[barcode], "cell_type": type_names[cell_type],
                          "is_cell": is_cell, "n_fragments": per_barcode, "n_read_pairs": pairs_per_barcode})
    _write_tsv(cells, ddir / "truth" / "cells.tsv")
    rng = _rng(seed, "sc_cell_table", dataset)
    listed = is_cell & (rng.random(barcode.size) >= float(params["cell_table_dropout"]))
    table = pd.DataFrame({"barcode": cells["barcode"][listed] + "-1", "cell_type": cells["cell_type"][listed]})
    _write_tsv(table.sort_values("barcode"), ddir / "cell_types.tsv")

    # peaks: classes, per-type truth ratios, shares and the signal fragments drawn
    in_cell = signal & (cell_type[owner] >= 0)
    peaks = regions[["region_id", "chrom", "start", "end"]].copy()
    peaks["class"] = prog["class"]
    for k, t in enumerate(types):
        peaks[f"ln_ratio_{t}"] = np.round(prog["ln_ratio"][k], 6)
    peaks["type_specific_ratio"] = prog["specific"]
    peaks["ratio_change"] = prog["change"]
    for k, t in enumerate(types):
        peaks[f"share_{t}"] = prog["share"][k]
        sel = in_cell & (cell_type[owner] == k)
        peaks[f"fragments_{t}"] = np.bincount(region[sel], minlength=len(regions))
    _write_tsv(peaks, ddir / "truth" / "peaks.tsv")

    sheet = pd.DataFrame([{"sample": params["sample"], "unit": u, "fastq_1": p["R1"], "fastq_2": p["R3"],
                           "fastq_barcode": p["R2"], "fastq_index": p["I1"], "sra": ""}
                          for u in units for p in [sc_fastq_paths(params, u)]])
    _write_tsv(sheet, ddir / "samples.tsv")

    # what the pipeline will count: each type's fragments overlapping each peak after the Tn5 shift
    stats = {"cells": int(n_cells), "cells_listed": int(listed.sum()), "empty_droplets": n_empty,
             "unique_fragments": int(n_frag), "read_pairs": int(n_reads.sum()),
             "duplicate_fraction": float(1 - n_frag / max(n_reads.sum(), 1)),
             "fragments_per_cell_median": float(np.median(per_barcode[is_cell])),
             "frip_cells": float(signal[is_cell[owner]].mean()), "cuts_reused_dropped": n_reused,
             "repeats_dropped": n_repeats,
             "type_specific_ratio_peaks": int(prog["specific"].sum())}
    for k, t in enumerate(types):
        counts = _overlap_counts(peaks, chrom_names[chrom], ref_start + 4, ref_end - 5, cell_type[owner] == k)
        stats[f"pseudobulk_{t}_median"] = float(np.median(counts))
        stats[f"pseudobulk_{t}_peaks_ge50"] = float((counts >= 50).mean())
    log.info("dataset %s: %s", dataset, stats)
    return stats


def _overlap_counts(peaks: pd.DataFrame, chrom: np.ndarray, start: np.ndarray, end: np.ndarray,
                    use: np.ndarray) -> np.ndarray:
    """Fragments (half-open) overlapping each peak, among those with ``use`` (Signac's rule)."""
    out = np.zeros(len(peaks), dtype=np.int64)
    for c, idx in peaks.groupby("chrom").indices.items():
        sel = use & (chrom == c)
        fs, fe = np.sort(start[sel]), np.sort(end[sel])
        ps, pe = peaks["start"].to_numpy()[idx], peaks["end"].to_numpy()[idx]
        # overlapping = started before the peak ends, minus those ended by its start
        out[idx] = np.searchsorted(fs, pe, side="left") - np.searchsorted(fe, ps, side="right")
    return out


# ----------------------------------------------------------------------------- reads

def write_sc_unit_fastqs(dataset: str, unit: str, params: dict, genome_dir: Path, outdir: Path) -> int:
    """Sequence one unit (lane) of a scATAC dataset: its I1, R1, R2 and R3 files.

    Reads the truth written by :func:`simulate_sc_fragments` (``truth/reads.tsv.gz``,
    ``truth/fragments.tsv.gz``) and writes the unit's files named in ``samples.tsv``, under
    ``outdir/datasets/<dataset>/``, block by block (memory stays small).

    Parameters
    ----------
    dataset, unit : str
        Dataset and unit (``L001``, ...).
    params : dict
        Dataset parameters (``run.dataset_params("scatac", ...)``).
    genome_dir : pathlib.Path
        ``genomes/<genome>`` of :func:`.run.simulate_genome`.
    outdir : pathlib.Path
        Root of the simulated resources.

    Returns
    -------
    int
        Read pairs written.
    """
    genome_dir, outdir = Path(genome_dir), Path(outdir)
    ddir = outdir / "datasets" / dataset
    sheet = pd.read_csv(ddir / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    row = sheet[sheet["unit"] == unit]
    if row.empty:
        raise ValueError(f"{ddir / 'samples.tsv'}: no unit {unit!r}")
    paths = {read: ddir / row.iloc[0][col] for read, col in
             (("R1", "fastq_1"), ("R2", "fastq_barcode"), ("R3", "fastq_2"), ("I1", "fastq_index"))}
    frags = pd.read_csv(ddir / "truth" / "fragments.tsv.gz", sep="\t",
                        usecols=["fragment_id", "chrom", "allele", "allele_start", "allele_end"])
    if not np.array_equal(frags["fragment_id"].to_numpy(), np.arange(len(frags))):
        raise ValueError(f"{ddir / 'truth/fragments.tsv.gz'}: fragment_id is not the row number")
    f_chrom, chrom_names = pd.factorize(frags["chrom"])
    f_alt = (frags["allele"] == "alt").to_numpy()
    f_start, f_end = frags["allele_start"].to_numpy(np.int64), frags["allele_end"].to_numpy(np.int64)
    del frags
    genomes = (read_fasta_codes(genome_dir / "reference.fa"), read_fasta_codes(genome_dir / "truth" / "strain.fa"))

    L = int(params["read_length"])
    ad1, ad2 = R.adapter_codes(params["adapter"], L)
    q_lo, q_hi = (int(q) for q in params["barcode_error_quality"])
    revcomp = {"revcomp": True, "forward": False}[params["barcode_orientation"]]
    index = str(params["sample_index"])
    index_codes = encode(index, name="sample_index", acgt_only=True)
    q_start, q_end = float(params["quality_start"]), float(params["quality_end"])
    rng = _rng(int(params["seed"]), "sc_sequencing", dataset, unit)
    n_written = 0
    for p in paths.values():
        p.parent.mkdir(parents=True, exist_ok=True)
    with _gzip_writer(paths["R1"], 1) as g1, _gzip_writer(paths["R2"], 1) as g2, \
            _gzip_writer(paths["R3"], 1) as g3, _gzip_writer(paths["I1"], 1) as gi:
        for block in pd.read_csv(ddir / "truth" / "reads.tsv.gz", sep="\t", chunksize=_CHUNK, dtype=str,
                                 keep_default_na=False):
            block = block[block["unit"] == unit]
            if block.empty:
                continue
            n = len(block)
            names = block["read_name"].tolist()
            fid = block["fragment_id"].to_numpy(np.int64)
            fwd = block["r1_forward"].to_numpy(np.int64).astype(bool)

            # genomic mates from the fragment's own allele
            r1 = np.empty((n, L), np.uint8)
            r3 = np.empty((n, L), np.uint8)
            for a, genome in enumerate(genomes):
                for ci in np.unique(f_chrom[fid]):
                    sel = np.flatnonzero((f_alt[fid] == bool(a)) & (f_chrom[fid] == ci))
                    if sel.size:
                        seq = genome[chrom_names[ci]]
                        s, e = f_start[fid[sel]], f_end[fid[sel]]
                        r1[sel] = R.read_codes(seq, s, e, fwd[sel], L, ad1)
                        r3[sel] = R.read_codes(seq, s, e, ~fwd[sel], L, ad2)
            q1 = R.qualities(n, L, rng, q_start, q_end)
            q3 = R.qualities(n, L, rng, q_start - 1, q_end - 3)
            r1 = R.add_errors(r1, q1, rng)
            r3 = R.add_errors(r3, q3, rng)

            # barcode read: the truth's observed bases; low quality where they differ from the true ones
            obs = barcode_codes(block["observed_barcode"])
            wrong = obs != barcode_codes(block["true_barcode"])
            q2 = R.qualities(n, BARCODE_LENGTH, rng, q_start, q_end)
            if revcomp:
                q2 = q2[:, ::-1]   # qualities by whitelist position
            q2 = np.where(wrong, rng.integers(q_lo, q_hi + 1, size=wrong.shape), q2).astype(np.uint8)
            q2[obs == 4] = N_QUALITY
            if revcomp:
                obs = np.where(obs == 4, 4, 3 - obs)[:, ::-1]
                q2 = q2[:, ::-1]
            qi = R.qualities(n, index_codes.size, rng, q_start, q_end)
            g1.write(fastq_records(names, f"1:N:0:{index}", r1, q1))
            g2.write(fastq_records(names, f"2:N:0:{index}", np.ascontiguousarray(obs), np.ascontiguousarray(q2)))
            g3.write(fastq_records(names, f"3:N:0:{index}", r3, q3))
            gi.write(fastq_records(names, f"1:N:0:{index}", np.tile(index_codes, (n, 1)), qi))
            n_written += n
    if not n_written:
        for p in paths.values():
            p.unlink()
        raise ValueError(f"{ddir / 'truth/reads.tsv.gz'}: no read pairs for unit {unit!r}")
    return n_written
