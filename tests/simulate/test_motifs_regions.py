"""Motif scoring and the activity model on hand-built sequences with hand-derived values."""
import numpy as np
import pytest

from deepallele.alphabet import encode
from deepallele.simulate.motifs import Motif, load_motif, occupancy, reverse_complement, site_scores
from deepallele.simulate.regions import Grammar, GrammarMotif, Region, Site, region_truth, variant_in_site
from deepallele.simulate.variants import Variant


def toy_motif() -> Motif:
    """A 4-bp motif GATC with p=0.97 at the consensus base."""
    pfm = np.full((4, 4), 0.01)
    for i, b in enumerate("GATC"):
        pfm["ACGT".index(b), i] = 0.97
    return Motif("TOY", "XX0001.1", pfm)


def toy_grammar(weight=2.0) -> Grammar:
    m = toy_motif()
    gm = GrammarMotif(m, prob=1.0, copies=(1, 1), weight=weight, cap=2.0, threshold=0.7 * m.max_score)
    return Grammar(primary="TOY", motifs={"TOY": gm}, cooperativity=[], temperature=1.0)


def test_site_scores_both_strands():
    m = toy_motif()
    lo = np.log2(0.97 / 0.25)
    seq = encode("TTGATCTT")  # GATC is its own reverse complement: both strands score max
    s = site_scores(seq, m)
    assert s.shape == (2, 5)
    assert s[0, 2] == pytest.approx(4 * lo)
    assert s[1, 2] == pytest.approx(4 * lo)
    seq2 = encode("TTGGTCTT")  # one mismatch on the forward strand at motif position 1
    assert site_scores(seq2, m)[0, 2] == pytest.approx(3 * lo + np.log2(0.01 / 0.25))


def test_reverse_strand_site_found():
    m = Motif("M", "X", np.array([[0.97, .01, .01, .01], [.01, .97, .01, .01],
                                  [.01, .01, .97, .01], [.01, .01, .01, .97]]).T)  # ACGT... as columns
    seq = reverse_complement(encode("AAACGTAA"))
    s = site_scores(seq, m)
    assert s[1].max() == pytest.approx(m.max_score)


def test_occupancy_logistic():
    assert occupancy(np.array([5.0]), 5.0, 1.0)[0] == pytest.approx(0.5)
    assert occupancy(np.array([7.0]), 5.0, 1.0)[0] == pytest.approx(1 / (1 + np.exp(-2)))


def test_activity_and_variant_effects_hand_derived():
    g = toy_grammar(weight=2.0)
    m = g.motifs["TOY"]
    seq = "TTTTTTTTTTGATCTTTTTTTTTTTT"  # one GATC site at 10..14 (palindrome: two strand hits)
    ref = encode(seq)
    occ_site = occupancy(np.array([m.motif.max_score]), m.threshold, 1.0)[0]
    f, occ = g.log_activity(ref)
    assert occ["TOY"] == pytest.approx(2 * occ_site, rel=1e-3)
    assert f == pytest.approx(2.0 * min(2 * occ_site, 2.0), rel=1e-3)

    region = Region("r1", "c", 13, 0, len(seq), baseline=0.3, sites=[Site("TOY", 10, 14, "+")])
    in_site = Variant("c", 11, "A", "C")      # breaks the site
    outside = Variant("c", 20, "T", "G")      # no motif there
    row, vrows = region_truth(region, ref, [in_site, outside], g, causal_min_effect=0.2)
    f_broken, _ = g.log_activity(encode(seq[:11] + "C" + seq[12:20] + "G" + seq[21:]))
    assert row["true_ln_ratio"] == pytest.approx(f - f_broken, abs=1e-5)
    assert row["log_activity_ref"] == pytest.approx(0.3 + f, abs=1e-5)
    eff = {r["variant_id"]: r for r in vrows}
    assert eff[in_site.id]["effect"] == pytest.approx(f - f_broken, abs=1e-4)
    assert eff[in_site.id]["planted_site"] == "TOY" and eff[in_site.id]["causal"]
    assert abs(eff[outside.id]["effect"]) < 1e-4 and not eff[outside.id]["causal"]
    assert row["main_causal_variant"] == in_site.id and row["main_causal_motif"] == "TOY"


def test_indel_outside_motif_only_shifts_it():
    g = toy_grammar()
    seq = "TTTTTTTTTTGATCTTTTTTTTTTTT"
    region = Region("r1", "c", 13, 0, len(seq), 0.0, [Site("TOY", 10, 14, "+")])
    ins = Variant("c", 3, "T", "TAAA")
    row, vrows = region_truth(region, encode(seq), [ins], g, 0.2)
    assert row["true_ln_ratio"] == pytest.approx(0.0, abs=1e-3)  # only weak background matches move
    assert vrows[0]["planted_site"] == ""


def test_variant_in_site_rules():
    sites = [Site("M", 10, 20, "+")]
    assert variant_in_site(Variant("c", 10, "A", "C"), sites) == "M"
    assert variant_in_site(Variant("c", 9, "A", "C"), sites) == ""
    assert variant_in_site(Variant("c", 15, "A", "AT"), sites) == "M"   # insertion inside
    assert variant_in_site(Variant("c", 19, "A", "AT"), sites) == ""    # insertion after the last base
    assert variant_in_site(Variant("c", 8, "AAA", "A"), sites) == "M"   # deletes base 10
    assert variant_in_site(Variant("c", 19, "AAA", "A"), sites) == ""   # anchor on last base, deletes after


def test_jaspar_motifs_load_offline():
    spi1 = load_motif("SPI1")
    assert spi1.matrix_id.startswith("MA0080")
    assert np.allclose(spi1.pfm.sum(axis=0), 1)
    # PU.1's core GGAA shows up in the consensus
    consensus = "".join("ACGT"[i] for i in spi1.pfm.argmax(axis=0))
    assert "GGAA" in consensus or "TTCC" in consensus
    with pytest.raises(KeyError, match="not in JASPAR2020"):
        load_motif("NOT_A_TF")
