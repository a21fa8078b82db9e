"""Paired-end reads of a simulated F1 hybrid experiment.

Fragments are drawn from **each allele's own sequence** (the strain genome includes its
indels), in proportion to the allele's activity, plus background fragments from anywhere in
either genome. Each fragment is read from both ends; short fragments read into the adapter;
PCR duplicates re-read an earlier fragment with fresh sequencing errors (some with the mates
swapped, R1 reading the other end); qualities follow an Illumina-like decay and errors occur
with exactly the probability the quality states.
"""
from __future__ import annotations

import gzip
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..alphabet import decode, encode

# Illumina adapters as read through on R1 / R2 (TruSeq for ChIP, Nextera for Tn5 libraries).
ADAPTERS = {
    "truseq": ("AGATCGGAAGAGCACACGTCTGAACTCCAGTCAC", "AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGTA"),
    "nextera": ("CTGTCTCTTATACACATCTCCGAGCCCACGAGAC", "CTGTCTCTTATACACATCTGACGCTGCCGACGAT"),
}


def adapter_codes(adapter: str, read_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a library's R1 and R2 adapters, each followed by ``read_length`` A's.

    A read of a fragment shorter than the read continues into the adapter; the A tail keeps a
    read that runs past the adapter's end inside the array.

    Parameters
    ----------
    adapter : {"truseq", "nextera"}
        Key of :data:`ADAPTERS`.
    read_length : int
        ``L``, the read length.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        uint8 codes of shape ``(len(adapter) + L,)`` each (:func:`deepallele.alphabet.encode`).
    """
    r1, r2 = ADAPTERS[adapter]
    return tuple(encode(a + "A" * read_length, name=f"{adapter} adapter", acgt_only=True) for a in (r1, r2))


def letter_bytes(codes: np.ndarray) -> np.ndarray:
    """ASCII letters of reads' base codes, for writing FASTQ records without a per-base loop.

    Parameters
    ----------
    codes : numpy.ndarray
        ``(N, L)`` codes ``0..4`` (A, C, G, T, N; no padding).

    Returns
    -------
    numpy.ndarray
        ``(N, L)`` uint8 letters (``ord("A")`` ...), :func:`deepallele.alphabet.decode` of each row.
    """
    codes = np.asarray(codes)
    return np.frombuffer(decode(codes.ravel()).encode("ascii"), dtype=np.uint8).reshape(codes.shape)


@dataclass
class Fragments:
    """A table of fragments in one allele's coordinates (0-based, half-open)."""

    allele: np.ndarray        # 0 = reference, 1 = strain
    chrom: np.ndarray         # chromosome index
    start: np.ndarray
    end: np.ndarray
    source: np.ndarray        # region index, -1 background
    r1_forward: np.ndarray    # True when read 1 starts at the fragment's left end

    def __len__(self):
        return self.start.size

    def take(self, idx: np.ndarray) -> "Fragments":
        return Fragments(*(getattr(self, f)[idx] for f in
                           ("allele", "chrom", "start", "end", "source", "r1_forward")))

    @staticmethod
    def concat(parts: list["Fragments"]) -> "Fragments":
        return Fragments(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                           ("allele", "chrom", "start", "end", "source", "r1_forward")))


def duplicate_fragments(frags: Fragments, src: np.ndarray, swap_fraction: float,
                        rng: np.random.Generator) -> Fragments:
    """PCR duplicates: copies of ``frags[src]``, a ``swap_fraction`` of them with R1 and R2 swapped.

    A swapped copy reads the same two fragment ends from the other mate (an F2R1 copy of an F1R2
    fragment); Picard counts it a duplicate, and the tie split must keep it with its original.
    ``rng`` draws only the swaps, so the fraction changes nothing else of a simulation.
    """
    dup = frags.take(src)
    swap = rng.random(dup.start.size) < swap_fraction
    dup.r1_forward = np.where(swap, ~dup.r1_forward, dup.r1_forward)
    return dup


def fragment_lengths(n: int, rng: np.random.Generator, assay: str, cfg: dict) -> np.ndarray:
    """Fragment lengths: log-normal sonication (ChIP) or Tn5's nucleosomal ladder (ATAC)."""
    lo, hi = int(cfg["fragment_min"]), int(cfg["fragment_max"])
    if assay == "chip":
        mean, sd = float(cfg["fragment_mean"]), float(cfg["fragment_sd"])
        sigma2 = np.log(1 + (sd / mean) ** 2)
        lengths = rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), size=n)
    else:
        comps = cfg["nucleosome_ladder"]  # list of [weight, mean, sd]
        w = np.array([c[0] for c in comps], dtype=float)
        k = rng.choice(len(comps), size=n, p=w / w.sum())
        mu = np.array([c[1] for c in comps], dtype=float)[k]
        sd = np.array([c[2] for c in comps], dtype=float)[k]
        lengths = rng.normal(mu, sd)
    return np.clip(np.round(lengths), lo, hi).astype(np.int64)


def place_fragments(centres: np.ndarray, lengths: np.ndarray, spread: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Fragments whose midpoints scatter around ``centres`` (the bound site / open summit)."""
    mid = centres + rng.normal(0, spread, size=centres.size)
    start = np.round(mid - lengths / 2).astype(np.int64)
    return start, start + lengths


def qualities(n: int, length: int, rng: np.random.Generator, q_start: float, q_end: float) -> np.ndarray:
    """Phred qualities decaying along the read, with per-read and per-base noise."""
    trend = np.linspace(q_start, q_end, length)
    per_read = rng.normal(0, 2.0, size=(n, 1))
    q = trend[None, :] + per_read + rng.normal(0, 2.5, size=(n, length))
    # occasional bad cycles, as on real flow cells
    bad = rng.random((n, length)) < 0.01
    q = np.where(bad, rng.uniform(2, 12, size=(n, length)), q)
    return np.clip(np.round(q), 2, 41).astype(np.uint8)


def read_codes(chrom_seq: np.ndarray, start: np.ndarray, end: np.ndarray, forward: np.ndarray,
               length: int, adapter: np.ndarray) -> np.ndarray:
    """Base codes of one read per fragment (forward: from ``start``; else reverse complement from ``end``).

    Past the fragment's end the read continues into ``adapter`` (read-through).
    """
    j = np.arange(length)[None, :]
    flen = (end - start)[:, None]
    fwd_idx = start[:, None] + j
    rev_idx = end[:, None] - 1 - j
    idx = np.where(forward[:, None], fwd_idx, rev_idx)
    inside = j < flen
    base = chrom_seq[np.clip(idx, 0, chrom_seq.size - 1)]
    base = np.where(forward[:, None], base, 3 - base)
    adapter_pos = np.clip(j - flen, 0, adapter.size - 1)
    return np.where(inside, base, adapter[adapter_pos]).astype(np.uint8)


def add_errors(codes: np.ndarray, qual: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Substitute bases with the error probability their quality states (10^(-Q/10))."""
    p = 10.0 ** (-qual.astype(np.float64) / 10.0)  # cast first: negating uint8 wraps around
    err = rng.random(codes.shape) < p
    shift = rng.integers(1, 4, size=codes.shape).astype(np.uint8)
    return np.where(err, (codes + shift) % 4, codes).astype(np.uint8)


def fastq_bytes(names: list[str], mate: int, codes: np.ndarray, qual: np.ndarray) -> bytes:
    """FASTQ records (``@name/mate``) as bytes."""
    seqs = letter_bytes(codes)
    quals = (qual + 33).astype(np.uint8)
    buf = io.BytesIO()
    suffix = f"/{mate}\n".encode()
    for i, name in enumerate(names):
        buf.write(b"@" + name.encode() + suffix)
        buf.write(seqs[i].tobytes())
        buf.write(b"\n+\n")
        buf.write(quals[i].tobytes())
        buf.write(b"\n")
    return buf.getvalue()


def write_gzip(path, data: bytes, level: int = 4) -> None:
    """Gzip with a fixed header (no name, mtime 0) so identical input gives identical bytes."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                compresslevel=level) as gz:
        gz.write(data)


def truth_table(frags: Fragments, names: list[str], chrom_names: list[str], ref_start: np.ndarray,
                ref_end: np.ndarray, duplicate_of: np.ndarray, region_ids: list[str]) -> pd.DataFrame:
    """Read-pair truth: allele, origin in both genomes, source region, duplicate status."""
    src = np.where(frags.source >= 0, np.array(region_ids + [""], dtype=object)[frags.source], "background")
    return pd.DataFrame({
        "read_name": names,
        "allele": np.where(frags.allele == 0, "ref", "alt"),
        "chrom": np.array(chrom_names, dtype=object)[frags.chrom],
        "allele_start": frags.start, "allele_end": frags.end,
        "ref_start": ref_start, "ref_end": ref_end,
        "fragment_length": frags.end - frags.start,
        "r1_forward": frags.r1_forward.astype(np.int8),
        "source": src,
        "duplicate_of": duplicate_of,
    })
