"""The truth's own contribution pattern of planted sites, and whether TomTom names it."""
import numpy as np
import pandas as pd
import pytest

from deepallele.simulate.motifs import Motif, load_motif
from deepallele.simulate.truth_motifs import true_contribution_cwm, truth_equivalents, truth_rank, truth_tomtom


def toy_motif() -> Motif:
    """GACT with p = 0.97 at the consensus base (not its own reverse complement)."""
    pfm = np.full((4, 4), 0.01)
    for i, b in enumerate("GACT"):
        pfm["ACGT".index(b), i] = 0.97
    return Motif("TOY", "XX0002.1", pfm)


def test_true_contributions_of_a_consensus_site_hand_derived():
    m = toy_motif()
    threshold = 0.7 * m.max_score
    # a margin no draw can reach: sample_instance falls back to the consensus every time
    cwm = true_contribution_cwm(m, threshold, 1.0, np.random.default_rng(0), sharpness=1.0,
                                min_margin=100.0, n_sites=3, flank=0)
    match, mismatch = np.log2(0.97 / 0.25), np.log2(0.01 / 0.25)
    occ = lambda s: 1 / (1 + np.exp(-(s - threshold)))  # noqa: E731
    # every substitution turns one match into a mismatch; ISM = occ(mutant) - occ(consensus),
    # then centred over the 4 bases (the consensus base's own ISM is 0)
    drop = occ(4 * match - match + mismatch) - occ(4 * match)
    for i, b in enumerate("GACT"):
        # the reverse strand scores below the threshold by > 10 bits: occupancy < 1e-4
        assert cwm["ACGT".index(b), i] == pytest.approx(-3 * drop / 4, abs=1e-3)
        for other in set("ACGT") - {b}:
            assert cwm["ACGT".index(other), i] == pytest.approx(drop / 4, abs=1e-3)
    np.testing.assert_allclose(cwm.sum(axis=0), 0, atol=1e-12)


def test_flanks_carry_nothing_but_chance_sites():
    m = toy_motif()
    cwm = true_contribution_cwm(m, 0.7 * m.max_score, 1.0, np.random.default_rng(1), n_sites=50, flank=5)
    core = np.abs(cwm[:, 5:9]).sum(axis=0)
    flanks = np.abs(np.concatenate([cwm[:, :5], cwm[:, 9:]], axis=1)).sum(axis=0)
    assert core.min() > 20 * flanks.max()


@pytest.fixture(scope="module")
def jaspar():
    from deepallele.motifs.jaspar import jaspar_motifs

    return jaspar_motifs()


def test_graded_sites_name_spi1_saturated_sites_do_not(jaspar):
    """The simulator's default sites keep SPI1's identity in the truth; near-consensus saturated ones lose it."""
    spi1 = load_motif("SPI1")
    threshold = 0.7 * spi1.max_score
    graded = truth_tomtom(spi1, jaspar, threshold, 1.0, np.random.default_rng(0), n_sites=150)
    assert graded["target"].iloc[0] == "SPI1" and truth_rank(graded, "SPI1") == 1
    saturated = truth_tomtom(spi1, jaspar, threshold, 1.0, np.random.default_rng(0), sharpness=3.0,
                             min_margin=3.0, n_sites=150)
    # only the GGAA core matters when occupancy is saturated: other ETS factors match better
    assert truth_rank(saturated, "SPI1") is None or truth_rank(saturated, "SPI1") > 3
    assert truth_rank(saturated.iloc[:0], "SPI1") is None


def test_primary_truth_matches_from_dataset_params(jaspar, tmp_path):
    from deepallele.motifs.jaspar import write_meme
    from deepallele.simulate.truth_motifs import primary_truth_matches

    meme = tmp_path / "jaspar.meme"
    write_meme({k: jaspar[k] for k in ("SPI1", "SPIB", "ETV1", "CTCF", "FOS::JUN")}, meme)
    params = {"grammar": "chip", "threshold_fraction": 0.7, "temperature": 1.0, "seed": 3,
              "site_sharpness": 1.0, "site_min_margin": 0.0}
    primary, matches = primary_truth_matches(params, meme)
    assert primary == "SPI1" and matches["target"].iloc[0] == "SPI1"
    again = primary_truth_matches(params, meme)[1]
    pd.testing.assert_frame_equal(matches, again)  # seeded by the dataset's seed


def test_truth_equivalents_are_the_targets_ranked_above():
    import pandas as pd

    m = pd.DataFrame({"rank": [2, 0, 1], "target": ["ETS1", "ERG", "FLI1"]})
    assert truth_equivalents(m, "ETS1") == ("ERG", "FLI1")
    assert truth_equivalents(m, "ERG") == () and truth_equivalents(m, "SPI1") == ()
