"""CoordinateMap: blocks from variants, scalar and vectorised lookups, chain round trips."""
from __future__ import annotations

import numpy as np
import pytest

from deepallele.genome.coordmap import CoordinateMap, trim_alleles, variant_kind


# ref  0123456789...: insertion of TT after ref 4, deletion of ref 10-11
#   blocks: ref [0,5) -> strain [0,5); strain 5,6 inserted; ref [5,10) -> strain [7,12);
#           ref 10,11 deleted; ref [12,20) -> strain [12,20)
@pytest.fixture()
def ins_del_map():
    return CoordinateMap.from_variants({"c1": 20}, [("c1", 5, "A", "ATT"), ("c1", 10, "ACG", "A")])


def test_trim_alleles_anchor_and_suffix():
    assert trim_alleles(9, "ACG", "A") == (10, "CG", "")
    assert trim_alleles(4, "T", "TGG") == (5, "", "GG")
    assert trim_alleles(0, "AC", "C") == (0, "A", "")          # anchor after the deleted base
    assert trim_alleles(0, "A", "TTA") == (0, "", "TT")        # insertion before base 0
    assert trim_alleles(3, "ACGT", "AGGT") == (4, "C", "G")    # padded SNP
    assert trim_alleles(3, "acg", "ACT") == (5, "g", "T")      # case-insensitive, case kept
    # homopolymer insertion lands right after the anchor, as VCF means it
    assert trim_alleles(10, "A", "AA") == (11, "", "A")


@pytest.mark.parametrize("ref, alt, kind", [
    ("A", "G", "snp"), ("AC", "GT", "mnp"), ("ACGT", "AGGT", "snp"), ("A", "ATT", "insertion"),
    ("ACG", "A", "deletion"), ("ACG", "T", "complex"), ("A", "A", "none"),
])
def test_variant_kind(ref, alt, kind):
    assert variant_kind(ref, alt) == kind


def test_blocks_for_insertion_and_deletion(ins_del_map):
    m = ins_del_map
    assert m.segments("c1").tolist() == [[0, 0, 5], [5, 7, 5], [12, 12, 8]]
    assert m.ref_sizes == {"c1": 20} and m.strain_sizes == {"c1": 20}
    assert [m.ref_to_strain("c1", p) for p in (0, 4, 5, 9, 10, 11, 12, 19)] == [0, 4, 7, 11, -1, -1, 12, 19]
    assert [m.strain_to_ref("c1", p) for p in (4, 5, 6, 7, 11, 12)] == [4, -1, -1, 5, 9, 12]


def test_nearest_reports_flank_and_flag(ins_del_map):
    m = ins_del_map
    assert m.ref_to_strain_nearest("c1", 10, side="right") == (12, False)
    assert m.ref_to_strain_nearest("c1", 11, side="left") == (11, False)
    assert m.ref_to_strain_nearest("c1", 10, side="nearest") == (11, False)
    assert m.ref_to_strain_nearest("c1", 11, side="nearest") == (12, False)
    assert m.ref_to_strain_nearest("c1", 9, side="right") == (11, True)
    assert m.strain_to_ref_nearest("c1", 5, side="right") == (5, False)
    assert m.strain_to_ref_nearest("c1", 6, side="left") == (4, False)
    pos, exact = m.strain_to_ref_nearest("c1", np.array([4, 5, 6, 7]), side="right")
    assert pos.tolist() == [4, 5, 5, 5] and exact.tolist() == [True, False, False, True]


def test_vectorised_matches_scalar(ins_del_map):
    m = ins_del_map
    positions = np.arange(20)
    assert m.ref_to_strain("c1", positions).tolist() == [m.ref_to_strain("c1", int(p)) for p in positions]
    assert m.strain_to_ref("c1", positions).tolist() == [m.strain_to_ref("c1", int(p)) for p in positions]
    assert m.ref_to_strain("c1", positions.reshape(4, 5)).shape == (4, 5)


def test_deletion_at_contig_start():
    m = CoordinateMap.from_variants({"c": 10}, [("c", 1, "AC", "C")])  # delete base 0
    assert m.segments("c").tolist() == [[1, 0, 9]]
    assert m.strain_sizes == {"c": 9}
    assert m.ref_to_strain("c", 0) == -1 and m.ref_to_strain("c", 1) == 0
    assert m.ref_to_strain_nearest("c", 0, side="left") == (0, False)  # no left flank: uses right


def test_insertion_at_contig_start():
    m = CoordinateMap.from_variants({"c": 10}, [("c", 1, "A", "TTA")])  # TT before base 0
    assert m.segments("c").tolist() == [[0, 2, 10]]
    assert m.strain_to_ref("c", np.arange(3)).tolist() == [-1, -1, 0]
    assert m.strain_to_ref_nearest("c", 0, side="left") == (0, False)


def test_deletion_and_insertion_at_contig_end():
    deletion = CoordinateMap.from_variants({"c": 10}, [("c", 9, "AC", "A")])  # delete base 9
    assert deletion.segments("c").tolist() == [[0, 0, 9]] and deletion.strain_sizes["c"] == 9
    assert deletion.ref_to_strain_nearest("c", 9, side="right") == (8, False)
    insertion = CoordinateMap.from_variants({"c": 10}, [("c", 10, "C", "CGG")])  # GG after base 9
    assert insertion.segments("c").tolist() == [[0, 0, 10]] and insertion.strain_sizes["c"] == 12
    assert insertion.strain_to_ref("c", 11) == -1
    assert insertion.strain_to_ref_nearest("c", 11, side="right") == (9, False)


def test_snps_and_mnps_do_not_move_coordinates():
    m = CoordinateMap.from_variants({"c": 10}, [("c", 2, "A", "G"), ("c", 5, "ACG", "TTT")])
    assert m.segments("c").tolist() == [[0, 0, 10]]


def test_complex_variant_aligns_shorter_part():
    m = CoordinateMap.from_variants({"c": 20}, [("c", 6, "ACG", "T")])  # pos0 5: A->T, CG deleted
    assert m.segments("c").tolist() == [[0, 0, 6], [8, 6, 12]]


def test_touching_deletion_and_insertion_share_one_gap():
    # deletion of ref 3 and insertion of TT before ref 3: one chain line with both gaps
    m = CoordinateMap.from_variants({"c": 10}, [("c", 4, "G", "TTG"), ("c", 3, "AC", "A")])
    assert m.segments("c").tolist() == [[0, 0, 3], [4, 5, 6]]
    assert m.strain_sizes["c"] == 11


def test_zero_based_input_and_variant_objects():
    class V:
        def __init__(self, chrom, pos, ref, alt):
            self.chrom, self.pos, self.ref, self.alt = chrom, pos, ref, alt

    one = CoordinateMap.from_variants({"c": 30}, [("c", 5, "A", "ATT"), ("c", 20, "ACG", "A")])
    zero = CoordinateMap.from_variants({"c": 30}, [V("c", 4, "A", "ATT"), V("c", 19, "ACG", "A")],
                                       one_based=False)
    assert one == zero


def test_chromosome_without_variants_is_identity():
    m = CoordinateMap.from_variants({"a": 50, "b": 30}, [("a", 10, "A", "AC")])
    assert m.chroms == ["a", "b"]
    assert m.segments("b").tolist() == [[0, 0, 30]]
    assert m.chrom_sizes("strain") == {"a": 51, "b": 30}


@pytest.mark.parametrize("variants", [
    [("c", 5, "ACG", "A"), ("c", 6, "C", "T")],          # SNP inside a deletion
    [("c", 5, "A", "AT"), ("c", 5, "A", "AG")],          # two insertions at one point
    [("c", 5, "ACGT", "A"), ("c", 7, "GTA", "G")],       # overlapping deletions
])
def test_overlapping_variants_are_rejected(variants):
    with pytest.raises(ValueError, match="overlapping"):
        CoordinateMap.from_variants({"c": 30}, variants)


def test_errors_name_the_problem(ins_del_map):
    with pytest.raises(KeyError, match="chrX"):
        ins_del_map.ref_to_strain("chrX", 1)
    with pytest.raises(IndexError, match="outside c1"):
        ins_del_map.ref_to_strain("c1", 20)
    with pytest.raises(IndexError):
        ins_del_map.strain_to_ref("c1", np.array([0, -1]))
    with pytest.raises(ValueError, match="chromosome not in the reference"):
        CoordinateMap.from_variants({"c": 10}, [("d", 2, "A", "G")])
    with pytest.raises(ValueError, match="runs past"):
        CoordinateMap.from_variants({"c": 10}, [("c", 10, "AC", "A")])
    with pytest.raises(ValueError, match="side"):
        ins_del_map.ref_to_strain_nearest("c1", 3, side="up")


def test_chain_text_and_round_trip(tmp_path, ins_del_map):
    path = tmp_path / "ref_to_strain.chain"
    ins_del_map.save(path)
    assert path.read_text() == ("chain 18 c1 20 + 0 20 c1 20 + 0 20 1\n"
                                "5\t0\t2\n5\t2\t0\n8\n\n")
    assert CoordinateMap.load(path) == ins_del_map


def test_chain_round_trip_gz_and_edges(tmp_path):
    m = CoordinateMap.from_variants({"a": 40, "b": 25},
                                    [("a", 1, "AC", "C"), ("a", 20, "A", "AGGG"), ("b", 25, "C", "CAA"),
                                     ("b", 24, "G", "C")])
    path = tmp_path / "m.chain.gz"
    m.save(path)
    loaded = CoordinateMap.load(path)
    assert loaded == m
    assert loaded.chroms == ["a", "b"]
    assert loaded.ref_sizes == {"a": 40, "b": 25} and loaded.strain_sizes == {"a": 42, "b": 27}


def test_load_rejects_bad_chains(tmp_path):
    bad = tmp_path / "bad.chain"
    bad.write_text("chain 10 a 10 + 0 10 b 10 + 0 10 1\n10\n")
    with pytest.raises(ValueError, match="same chromosome names"):
        CoordinateMap.load(bad)
    bad.write_text("chain 10 a 10 + 0 10 a 10 + 0 10 1\n8\n")
    with pytest.raises(ValueError, match="declared end"):
        CoordinateMap.load(bad)
    bad.write_text("5 0 0\n")
    with pytest.raises(ValueError, match="bad.chain:1"):
        CoordinateMap.load(bad)


def test_chrom_sizes_file(tmp_path, ins_del_map):
    ins_del_map.write_chrom_sizes(tmp_path / "strain.sizes", genome="strain")
    assert (tmp_path / "strain.sizes").read_text() == "c1\t20\n"


def test_intervals(ins_del_map):
    m = ins_del_map
    assert m.ref_interval_to_strain("c1", 0, 20) == (0, 20)
    assert m.ref_interval_to_strain("c1", 3, 7) == (3, 9)      # includes the inserted TT
    assert m.ref_interval_to_strain("c1", 5, 7) == (7, 9)      # insertion at the edge: left out
    assert m.ref_interval_to_strain("c1", 10, 12) == (12, 12)  # fully deleted: empty
    assert m.strain_interval_to_ref("c1", 5, 7) == (5, 5)      # fully inserted: empty
    assert m.strain_interval_to_ref("c1", 4, 13) == (4, 13)    # spans the deletion


def test_random_map_round_trip():
    rng = np.random.default_rng(3)
    size, variants, pos = 5000, [], 1
    while True:
        pos += int(rng.integers(2, 40))
        if pos + 12 >= size:
            break
        kind = rng.integers(3)
        if kind == 0:
            variants.append(("c", pos, "A", "A" + "C" * int(rng.integers(1, 9))))
            pos += 1
        elif kind == 1:
            n = int(rng.integers(1, 9))
            variants.append(("c", pos, "A" * (n + 1), "A"))
            pos += n + 1
        else:
            variants.append(("c", pos, "A", "G"))
            pos += 1
    m = CoordinateMap.from_variants({"c": size}, variants)
    ref_positions = np.arange(size)
    to_strain = m.ref_to_strain("c", ref_positions)
    kept = to_strain >= 0
    assert np.array_equal(m.strain_to_ref("c", to_strain[kept]), ref_positions[kept])
    assert np.all(np.diff(to_strain[kept]) > 0)
    strain_positions = np.arange(m.strain_sizes["c"])
    to_ref = m.strain_to_ref("c", strain_positions)
    assert np.array_equal(m.ref_to_strain("c", to_ref[to_ref >= 0]), strain_positions[to_ref >= 0])
    assert (~kept).sum() == sum(len(r) - len(a) for _, _, r, a in variants if len(r) > len(a))
    assert (to_ref < 0).sum() == sum(len(a) - len(r) for _, _, r, a in variants if len(a) > len(r))
