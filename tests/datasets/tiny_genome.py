"""Helpers of the dataset tests: a hand-built two-contig genome, its strain, VCF, coordinate map and five peaks.

c1 (40 bp), 0-based::

    0         1         2         3
    0123456789012345678901234567890123456789
    ACGTACGTTACCGGTTAAGGCATGCANNGTTGCAACGTCA

VCF (1-based POS): c1:3 G>A (SNP), c1:10 A>AGGG (insertion of GGG after index 9),
c1:15 T>C with GT 0/0 and c1:17 A>G with GT 0/1 (both not applied), c1:21 CAT>C (deletion
of indices 21-22), c1:33 C>T (SNP); c2 (30 bp, ``TTGCA`` x 6): c2:2 T>C (SNP), c2:27 TGC>T
(deletion of indices 27-28).

Peaks with L = 12 (reference window = 12 bp centred on (start + end) // 2):

========  ==========  =============  ==============================================
peak      peak        ref window     what it tests
========  ==========  =============  ==============================================
ins       c1:8-12     c1:4-16        net +3 insertion: strain trimmed 1 left, 2 right
del       c1:20-24    c1:16-28       deletion of 2 inside: strain 10 bp, padded; NN
cut       c1:27-29    c1:22-34       window starts inside the deletion (incomplete)
start     c2:0-2      c2:0-7         clipped at the contig start, SNP at index 1
end       c2:27-30    c2:22-30       clipped at the contig end, deletion inside
========  ==========  =============  ==============================================
"""
from __future__ import annotations

import pandas as pd
import pysam

from deepallele.genome.coordmap import CoordinateMap

C1 = "ACGTACGTTACCGGTTAAGGCATGCANNGTTGCAACGTCA"
C2 = "TTGCA" * 6
L = 12
# (chrom, POS, REF, ALT, GT)
RECORDS = [
    ("c1", 3, "G", "A", "1/1"),
    ("c1", 10, "A", "AGGG", "1/1"),
    ("c1", 15, "T", "C", "0/0"),
    ("c1", 17, "A", "G", "0/1"),
    ("c1", 21, "CAT", "C", "1/1"),
    ("c1", 33, "C", "T", "1/1"),
    ("c2", 2, "T", "C", "1/1"),
    ("c2", 27, "TGC", "T", "1/1"),
]
APPLIED = [r[:4] for r in RECORDS if r[4] == "1/1"]
PEAKS = pd.DataFrame({
    "peak": ["ins", "del", "cut", "start", "end"],
    "chrom": ["c1", "c1", "c1", "c2", "c2"],
    "start": [8, 20, 27, 0, 27],
    "end": [12, 24, 29, 2, 30],
    "ref_count": [10, 0, 5, 3, 100],
    "alt_count": [2, 0, 5, 30, 1],
})


def apply(seq: str, records) -> str:
    """The strain sequence: VCF records applied right to left (independent of the package)."""
    for _, pos, ref, alt in sorted(records, key=lambda r: -r[1]):
        assert seq[pos - 1:pos - 1 + len(ref)] == ref
        seq = seq[:pos - 1] + alt + seq[pos - 1 + len(ref):]
    return seq


def _fasta(path, seqs):
    path.write_text("".join(f">{c}\n{s}\n" for c, s in seqs.items()))
    pysam.faidx(str(path))
    return path


def write_vcf(path, records, indexed=True):
    header = ("##fileformat=VCFv4.2\n##contig=<ID=c1,length=40>\n##contig=<ID=c2,length=30>\n"
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSTRAIN\n")
    path.write_text(header + "".join(f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t.\tGT\t{g}\n" for c, p, r, a, g in records))
    if indexed:
        return pysam.tabix_index(str(path), preset="vcf", force=True)
    return str(path)


def build_genome(tmp_path):
    """Write the tiny genome's files under ``tmp_path``; returns paths and objects."""
    strain = {"c1": apply(C1, [r for r in APPLIED if r[0] == "c1"]),
              "c2": apply(C2, [r for r in APPLIED if r[0] == "c2"])}
    cmap = CoordinateMap.from_variants({"c1": len(C1), "c2": len(C2)}, APPLIED)
    chain = tmp_path / "ref_to_strain.chain"
    cmap.save(chain)
    return {
        "ref_fa": _fasta(tmp_path / "ref.fa", {"c1": C1, "c2": C2}),
        "strain_fa": _fasta(tmp_path / "strain.fa", strain),
        "strain": strain,
        "cmap": cmap,
        "chain": chain,
        "vcf": write_vcf(tmp_path / "strain.vcf", RECORDS),
        "peaks": PEAKS.copy(),
        "tmp": tmp_path,
    }
