import numpy as np
import pytest

from deepallele.alphabet import decode, encode
from deepallele.simulate.genome import background_sequence
from deepallele.simulate.variants import (ShiftMap, Variant, apply_variants, left_align_deletion,
                                          left_align_insertion, random_variants)


def test_left_align_deletion_in_repeat():
    ref = encode("GCAAAAT")
    # deleting any one A gives the same sequence; leftmost deleted base is index 2
    assert left_align_deletion(ref, 5, 1) == 2


def test_left_align_insertion_in_repeat():
    ref = encode("GCACACT")
    start, ins = left_align_insertion(ref, 6, encode("AC"))
    assert start == 1 and decode(ins) == "CA"  # G + CA + CACACT == GCACAC + AC + T


def test_apply_variants_snp_insertion_deletion():
    ref = encode("AAAACCCCGGGGTTTT")
    vs = [Variant("c", 1, "A", "G"), Variant("c", 4, "C", "CTT"), Variant("c", 9, "GGG", "G")]
    assert decode(apply_variants(ref, vs)) == "AGAACTTCCCGGTTTT"


def test_apply_variants_rejects_overlap():
    ref = encode("AAAACCCC")
    with pytest.raises(ValueError):
        apply_variants(ref, [Variant("c", 2, "AAC", "A"), Variant("c", 3, "A", "G")])


def test_shift_map_round_trip_every_position():
    rng = np.random.default_rng(1)
    ref = background_sequence(50_000, rng)
    vs = random_variants("c", ref, rng, snp_spacing=100, indel_spacing=300)
    strain = apply_variants(ref, vs)
    m = ShiftMap(vs)
    pos = np.arange(ref.size)
    to_s = m.to_strain(pos)
    kept = to_s >= 0
    # every non-deleted reference base maps to the same base in the strain (SNP sites aside)
    snp_sites = np.array([v.pos for v in vs if len(v.ref) == len(v.alt)])
    same = ~np.isin(pos, snp_sites) & kept
    assert np.array_equal(ref[same], strain[to_s[same]])
    assert np.array_equal(m.to_ref(to_s[kept]), pos[kept])
    # deleted bases are exactly the bases removed by deletions
    n_deleted = sum(len(v.ref) - len(v.alt) for v in vs if len(v.ref) > len(v.alt))
    assert (~kept).sum() == n_deleted
    n_inserted = sum(len(v.alt) - len(v.ref) for v in vs if len(v.alt) > len(v.ref))
    assert (m.to_ref(np.arange(strain.size)) < 0).sum() == n_inserted


def test_random_variants_are_normalised_and_spaced():
    rng = np.random.default_rng(2)
    ref = background_sequence(200_000, rng)
    forced = [Variant("c", 1000, decode(ref[1000:1001]), "A" if ref[1000] != 0 else "C")]
    vs = random_variants("c", ref, rng, 150, 1500, forced=forced)
    assert forced[0] in vs
    for a, b in zip(vs, vs[1:]):
        assert b.pos >= a.end + 2, (a, b)
    for v in vs:
        assert decode(ref[v.pos:v.end]) == v.ref
        if len(v.ref) != len(v.alt):
            assert v.ref[0] == v.alt[0]
            # left-aligned: the anchor base differs from the last changed base
            changed = v.ref[1:] if len(v.ref) > 1 else v.alt[1:]
            assert v.ref[0] != changed[-1]
    snps = sum(v.kind == "snp" for v in vs)
    indels = len(vs) - snps
    assert 200_000 / snps == pytest.approx(150, rel=0.15)
    assert 200_000 / indels == pytest.approx(1500, rel=0.3)
