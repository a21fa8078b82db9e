"""Paired allele sequences: windows, indels, trimming, padding, contig edges, variant table, codes."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.alphabet import N_CODE, PAD_CODE, one_hot
from deepallele.datasets.pairs import (VARIANT_COLUMNS, check_variants, paired_sequences, reference_windows,
                                       variant_table)
from deepallele.genome.coordmap import CoordinateMap

from tiny_genome import C1, C2, L, write_vcf


@pytest.fixture()
def pairs(genome):
    return paired_sequences(genome["peaks"], genome["ref_fa"], genome["strain_fa"], genome["cmap"], L)


@pytest.fixture()
def variants(genome, pairs):
    return variant_table(pairs, genome["vcf"], genome["cmap"], genome["strain_fa"])


def seqs(pairs, name):
    i = list(pairs.peak).index(name)
    return i, *pairs.sequences(i)


# (encoding itself: tests/test_alphabet.py)
def test_reference_windows_centred_and_clipped():
    start, end = reference_windows([100, 0, 95], [200, 2, 100], 11, chrom_size=[1000, 1000, 100])
    assert start.tolist() == [145, 0, 92] and end.tolist() == [156, 7, 100]
    # even L: the centre base is at index L // 2
    start, end = reference_windows([10], [11], 4)
    assert (start.tolist(), end.tolist()) == ([8], [12])


# ----------------------------------------------------------------------------- windows
def test_shapes_padding_and_lengths(pairs):
    assert pairs.ref_codes.shape == pairs.alt_codes.shape == (5, L)
    assert pairs.ref_codes.dtype == np.uint8
    assert pairs.ref_length.tolist() == [12, 12, 12, 7, 8]
    assert pairs.alt_length.tolist() == [12, 10, 11, 7, 6]
    for codes, lengths in ((pairs.ref_codes, pairs.ref_length), (pairs.alt_codes, pairs.alt_length)):
        for row, n in zip(codes, lengths):
            assert (row[:n] < PAD_CODE).all() and (row[n:] == PAD_CODE).all()


def test_insertion_inside_window_is_trimmed_centred(genome, pairs):
    i, ref, alt = seqs(pairs, "ins")
    assert (pairs.start[i], pairs.end[i]) == (4, 16)
    assert ref == C1[4:16] == "ACGTTACCGGTT"
    # homologous strain interval [4, 19) = ACGTTA GGG CCGGTT (15 bp): excess 3, trimmed 1 left, 2 right
    assert genome["strain"]["c1"][4:19] == "ACGTTAGGGCCGGTT"
    assert (pairs.strain_trim_left[i], pairs.strain_trim_right[i]) == (1, 2)
    assert (pairs.strain_start[i], pairs.strain_end[i]) == (5, 17)
    assert alt == "CGTTAGGGCCGG"


def test_deletion_inside_window_is_padded(genome, pairs):
    i, ref, alt = seqs(pairs, "del")
    assert ref == C1[16:28] == "AAGGCATGCANN"
    assert alt == "AAGGCGCANN"                          # AT deleted, right-padded by 2
    assert (pairs.strain_start[i], pairs.strain_end[i]) == (19, 29)
    assert alt == genome["strain"]["c1"][19:29]
    assert pairs.alt_codes[i, 10:].tolist() == [PAD_CODE, PAD_CODE]
    assert (pairs.strain_trim_left[i], pairs.strain_trim_right[i]) == (0, 0)


def test_n_bases_are_code_4_in_both_alleles(pairs):
    i, _, _ = seqs(pairs, "del")
    assert pairs.ref_codes[i, 10:12].tolist() == [N_CODE, N_CODE]
    assert pairs.alt_codes[i, 8:10].tolist() == [N_CODE, N_CODE]
    x = one_hot(pairs.ref_codes[i])
    np.testing.assert_array_equal(x[:, 10], np.full(4, 0.25, dtype=np.float32))


def test_windows_at_contig_edges(pairs):
    i, ref, alt = seqs(pairs, "start")
    assert (pairs.start[i], pairs.end[i]) == (0, 7)      # [-5, 7) clipped
    assert ref == C2[:7] == "TTGCATT" and alt == "TCGCATT"
    i, ref, alt = seqs(pairs, "end")
    assert (pairs.start[i], pairs.end[i]) == (22, 30)    # [22, 34) clipped
    assert ref == "GCATTGCA" and alt == "GCATTA"
    assert (pairs.strain_start[i], pairs.strain_end[i]) == (22, 28)


def test_window_starting_inside_a_deletion(pairs):
    i, ref, alt = seqs(pairs, "cut")
    assert ref == C1[22:34]
    assert (pairs.strain_start[i], pairs.strain_end[i]) == (24, 35)   # first surviving base is ref 23
    assert alt == "GCANNGTTGTA"


def test_shorter_reference_window_leaves_room_for_insertions(genome):
    p = paired_sequences(genome["peaks"], genome["ref_fa"], genome["strain_fa"], genome["cmap"], L, window=8)
    assert p.ref_length.tolist()[0] == 8 and p.alt_length.tolist()[0] == 11   # +3, no trimming
    assert (p.strain_trim_left + p.strain_trim_right).sum() == 0
    with pytest.raises(ValueError, match="window"):
        paired_sequences(genome["peaks"], genome["ref_fa"], genome["strain_fa"], genome["cmap"], L, window=13)


def test_chain_path_gives_the_same_pairs(genome, pairs):
    again = paired_sequences(genome["peaks"], str(genome["ref_fa"]), str(genome["strain_fa"]), genome["chain"], L)
    np.testing.assert_array_equal(again.alt_codes, pairs.alt_codes)
    np.testing.assert_array_equal(again.strain_start, pairs.strain_start)


def test_bad_peaks_and_mismatched_genomes(genome):
    bad = genome["peaks"].copy()
    bad.loc[0, "end"] = 41
    with pytest.raises(ValueError, match="outside c1"):
        paired_sequences(bad, genome["ref_fa"], genome["strain_fa"], genome["cmap"], L)
    bad = genome["peaks"].copy()
    bad.loc[0, "chrom"] = "c9"
    with pytest.raises(ValueError, match="c9"):
        paired_sequences(bad, genome["ref_fa"], genome["strain_fa"], genome["cmap"], L)
    other = CoordinateMap.from_variants({"c1": 40, "c2": 30}, [])
    with pytest.raises(ValueError, match="different builds"):
        paired_sequences(genome["peaks"], genome["ref_fa"], genome["strain_fa"], other, L)


# ----------------------------------------------------------------------------- variants
def test_variant_table_rows(variants):
    assert list(variants.columns) == VARIANT_COLUMNS
    rows = [tuple(r) for r in variants[["peak_index", "id", "kind", "ref_pos", "alt_pos", "ref_edit", "alt_edit",
                                        "complete"]].itertuples(index=False)]
    assert rows == [
        (0, "c1:10:A:AGGG", "ins", 6, 5, "", "GGG", True),
        (1, "c1:21:CAT:C", "del", 5, 5, "AT", "", True),
        (2, "c1:21:CAT:C", "del", -1, 0, "AT", "", False),    # cut by the window start
        (2, "c1:33:C:T", "snp", 10, 9, "C", "T", True),
        (3, "c2:2:T:C", "snp", 1, 1, "T", "C", True),
        (4, "c2:27:TGC:T", "del", 5, 5, "GC", "", True),
    ]
    assert variants.attrs["records_not_applied"] == 2        # 0/0 and 0/1 records
    assert variants["peak_index"].dtype == np.int32 and variants["ref_pos"].dtype == np.int32


def test_variant_positions_in_both_alleles(pairs, variants):
    for r in variants[variants["complete"]].itertuples():
        ref, alt = pairs.sequences(r.peak_index)
        assert ref[r.ref_pos:r.ref_pos + len(r.ref_edit)] == r.ref_edit
        assert alt[r.alt_pos:r.alt_pos + len(r.alt_edit)] == r.alt_edit
        if r.kind == "snp":
            assert ref[r.ref_pos] == r.ref and alt[r.alt_pos] == r.alt
    # the base before an insertion/deletion point is shared by both alleles
    ins = variants[variants["kind"] == "ins"].iloc[0]
    ref, alt = pairs.sequences(int(ins.peak_index))
    assert ref[ins.ref_pos - 1] == alt[ins.alt_pos - 1] == "A"
    assert ref[ins.ref_pos] == alt[ins.alt_pos + 3] == "C"
    assert check_variants(pairs.ref_codes, pairs.alt_codes, variants).tolist() == [True, True, False, True, True, True]


def test_unindexed_vcf_gives_the_same_table(genome, pairs, variants):
    from tiny_genome import RECORDS

    plain = write_vcf(genome["tmp"] / "plain.vcf", RECORDS, indexed=False)
    again = variant_table(pairs, plain, genome["cmap"], genome["strain_fa"])
    assert again.equals(variants)


def test_skipped_records_are_not_listed(genome, pairs, tmp_path):
    """A record the pseudogenome did not apply (here: a SNP missing from the strain FASTA) is left out."""
    from tiny_genome import RECORDS

    vcf = write_vcf(tmp_path / "extra.vcf", sorted(RECORDS + [("c2", 4, "C", "A", "1/1")], key=lambda r: (r[0], r[1])))
    table = variant_table(pairs, vcf, genome["cmap"], genome["strain_fa"])
    assert "c2:4:C:A" not in set(table["id"])
    assert table.attrs["records_not_applied"] == 3


def test_hand_built_strain_matches_the_pseudogenome_builder(genome, pairs, variants, tmp_path):
    """The project's pseudogenome (genotype rules, chain) gives the same strain, map and table."""
    import pysam

    from deepallele.genome.pseudogenome import build_pseudogenome

    summary = build_pseudogenome(genome["ref_fa"], genome["vcf"], tmp_path / "built.fa", tmp_path / "built.chain")
    assert summary["applied"] == 6 and summary["hom_ref"] == 1
    with pysam.FastaFile(str(tmp_path / "built.fa")) as fa:
        assert {c: fa.fetch(c) for c in ("c1", "c2")} == genome["strain"]
    built = CoordinateMap.load(tmp_path / "built.chain")
    assert built == genome["cmap"]
    again = paired_sequences(genome["peaks"], genome["ref_fa"], tmp_path / "built.fa", built, L)
    np.testing.assert_array_equal(again.alt_codes, pairs.alt_codes)
    assert variant_table(again, genome["vcf"], built, tmp_path / "built.fa").equals(variants)
