"""Planted factors are judged by their truth names (issue: a simulator that does not hand the analysis its answer).

A factor planted from its own JASPAR matrix keeps its name; one planted from a perturbed matrix is
named by TomTom's best match of that matrix; a de-novo factor that no database motif fits is
listed apart, since no database scan can find it.
"""
from __future__ import annotations

import pandas as pd
import pytest

from deepallele.simulate.planted_motifs import truth_names
from deepallele.simulate.regions import Grammar
from deepallele.validation.motifs import planted_database_motifs, validate_meandiff


@pytest.fixture(scope="module")
def jaspar():
    from deepallele.motifs.jaspar import jaspar_motifs

    return jaspar_motifs()


def _params(grammar) -> dict:
    return {"grammar": grammar, "threshold_fraction": 0.7, "temperature": 1.0}


OFFDB = {"primary": "ETS1", "motif_source": "perturbed",
         "perturb": {"ic_scale": 0.8, "column_noise": 0.4, "flank_bp": 3, "seed": 1},
         "motifs": {"ETS1": {"prob": 0.5, "copies": [1, 2], "weight": 1.3, "cap": 2.0},
                    "CTCF": {"prob": 0.2, "copies": [1, 1], "weight": 1.4, "cap": 1.0, "motif_source": "jaspar"},
                    "NOVEL1": {"prob": 0.3, "copies": [1, 1], "weight": 1.0, "cap": 1.0, "motif_source": "denovo"}}}


def test_database_grammar_is_named_by_its_own_factors_without_tomtom(jaspar):
    grammar = Grammar.from_config({"primary": "SPI1", "motifs": {
        "SPI1": {"prob": 0.9, "copies": [1, 1], "weight": 1.0, "cap": 1.0},
        "FOS::JUN": {"prob": 0.3, "copies": [1, 1], "weight": 0.7, "cap": 1.0}}})
    # an empty database: TomTom cannot run, so the identity must not need it
    assert truth_names(grammar, {}) == {"SPI1": "SPI1", "FOS::JUN": "FOS::JUN"}
    planted, absent = planted_database_motifs(_params("chip"), jaspar)
    assert planted == ["SPI1", "FOS::JUN"] and absent == ()


def test_off_database_factors_take_tomtoms_name_and_denovo_stays_apart(jaspar):
    names = truth_names(Grammar.from_config(OFFDB), jaspar)
    assert names["CTCF"] == "CTCF"  # its own JASPAR matrix
    assert names["NOVEL1"] == "NOVEL1"  # no JASPAR match at q < 0.05 (tests/simulate/test_offdb_motifs.py)
    assert names["ETS1"] in jaspar and names["ETS1"] != "NOVEL1"
    planted, absent = planted_database_motifs(_params(OFFDB), jaspar)
    assert planted == [names["ETS1"], "CTCF"] and absent == ("NOVEL1",)


def test_a_database_factor_missing_from_the_database_is_an_error_naming_the_file(jaspar):
    without_ctcf = {k: v for k, v in jaspar.items() if k != "CTCF"}
    with pytest.raises(ValueError, match=r"db\.meme: planted motif\(s\) \['CTCF'\] are not in the database"):
        planted_database_motifs(_params(OFFDB), without_ctcf, "db.meme")


def test_meandiff_table_lists_factors_no_scan_can_find_as_context():
    tests = pd.DataFrame({"rank": [1, 2, 3], "motif": ["ETS1", "CTCF", "SP1"], "n_pos": [5, 6, 1],
                          "n_neg": [1, 2, 0], "significant_meandiff": [True, True, False]})
    plain = validate_meandiff(tests, ["ETS1", "CTCF"], {})
    assert "planted_not_in_database" not in set(plain["metric"])  # default tables unchanged
    table = validate_meandiff(tests, ["ETS1", "CTCF"], {}, not_in_database=("NOVEL1",)).set_index("metric")
    assert table.loc["planted_not_in_database", "value"] == "NOVEL1"
    assert table.loc["planted_not_in_database", "status"] == "context"
    assert table.loc["planted_motifs_significant", "status"] == "pass"
