"""The layout of the validation tables, the goals file and its one evaluator, with hand-derived values."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from deepallele.validation.goals import (GOALS_FILE, Goal, goals_digest, load_goals, parse_rule,
                                         read_goals_file)
from deepallele.validation.table import VALIDATION_COLUMNS, binomial_interval, row_status, validation_table

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

Z = 1.959963984540054  # the standard normal's 97.5 % quantile


def _wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's score interval, from its formula."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


# ---------------------------------------------------------------------------------- the evaluator

def test_wilson_interval_of_18_of_20():
    # by hand: p = 0.9, z²/n = 0.192073, centre = (0.9 + 0.096036) / 1.192073 = 0.835550,
    # half = 1.959964 / 1.192073 * sqrt(0.0045 + 0.002401) = 0.136585
    assert _wilson(18, 20) == pytest.approx((0.698966, 0.972134), abs=1e-6)
    assert binomial_interval(18, 20) == pytest.approx(_wilson(18, 20), abs=1e-12)
    # every case a success: the upper end is 1, the lower n / (n + z²)
    assert binomial_interval(20, 20) == pytest.approx((20 / (20 + Z * Z), 1.0), abs=1e-12)
    assert all(math.isnan(x) for x in binomial_interval(0, 0))


def test_a_proportion_row_passes_with_its_interval():
    t = validation_table("interpretation", [
        {"metric": "main_variant_is_causal", "value": 0.9, "n": 20, "successes": 18}]).set_index("metric")
    row = t.loc["main_variant_is_causal"]
    assert row["goal"] == ">= 0.8" and row["status"] == "pass" and row["n"] == 20
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.698966, 0.972134), abs=1e-6)


def test_too_few_cases_are_insufficient_not_pass():
    # 5 of 5 trusted sequences would meet ">= 0.8", but 20 are needed to decide
    t = validation_table("interpretation", [
        {"metric": "main_variant_is_causal", "value": 1.0, "n": 5, "successes": 5},
        {"metric": "main_variant_in_motif", "value": float("nan"), "n": 0, "successes": 0}]).set_index("metric")
    assert t["status"].tolist() == ["insufficient", "insufficient"]
    assert t.loc["main_variant_is_causal", "ci_low"] == pytest.approx(_wilson(5, 5)[0], abs=1e-6)
    assert t.loc["main_variant_in_motif", ["ci_low", "ci_high"]].isna().all()


def test_a_goal_at_most_is_missed_above_it():
    t = validation_table("model", [{"metric": "count_pearson_spread", "value": 0.064, "n": 90},
                                   {"metric": "ratio_gain_vs_ref_only", "value": 0.05, "n": 90}])
    assert t["goal"].tolist() == ["<= 0.05", ">= 0.1"] and t["status"].tolist() == ["miss", "miss"]
    # not a proportion: no interval
    assert t[["ci_low", "ci_high"]].isna().all().all()


def test_context_rows_explain_and_do_not_judge():
    t = validation_table("scatac", [{"metric": "barcode_pairs_in_bams_not_in_truth", "value": 12},
                                    {"metric": "fragments_tie_share", "value": 0.25, "n": 8, "successes": 2}])
    assert t["goal"].tolist() == ["context", "context"] and t["status"].tolist() == ["context", "context"]
    # a context share still gets its interval
    assert t.loc[1, ["ci_low", "ci_high"]].tolist() == pytest.approx(_wilson(2, 8), abs=1e-6)


def test_a_proportion_is_decided_on_its_count_not_its_rounded_value():
    # 999 999 of 1 000 000 is written 1.0 at 5 decimals, yet "1" means every pair
    t = validation_table("reads", [{"metric": "lift_only_exact", "value": 1.0, "n": 1_000_000,
                                    "successes": 999_999}])
    assert t.loc[0, "status"] == "miss"


def test_columns_order_keys_n_nullable_and_extras_kept(tmp_path):
    table = validation_table("score_variants", [
        {"metric": "pearson", "model": "deepallele", "value": 0.7, "n": 30, "fields": {"where": "test"},
         "note": "x"},
        {"metric": "pearson", "model": "ref_only", "value": 0.5, "n": 30, "goal_key": "pearson (baseline)",
         "fields": {"where": "test"}},
    ], keys=["model"])
    assert list(table.columns) == ["metric", "model", *VALIDATION_COLUMNS[1:], "note"]
    assert VALIDATION_COLUMNS == ["metric", "value", "goal", "n", "ci_low", "ci_high", "status"]
    path = tmp_path / "v.tsv"
    table.to_csv(path, sep="\t", index=False)
    assert path.read_text().splitlines()[1:] == ["pearson\tdeepallele\t0.7\t>= 0.6 (test)\t30\t\t\tpass\tx",
                                                 "pearson\tref_only\t0.5\tcontext: baseline (test)\t30\t\t\tcontext\t"]
    rows = validation_table("reads", [{"metric": "peaks_with_min_fragments", "value": 3}])
    assert list(rows.columns) == VALIDATION_COLUMNS and rows["n"].isna().all() and rows.loc[0, "status"] == "pass"


def test_a_row_must_fit_its_goal():
    with pytest.raises(ValueError, match="carries `successes`"):  # a proportion without its count
        validation_table("reads", [{"metric": "tie_share_to_ref", "value": 0.5, "n": 40}])
    with pytest.raises(ValueError, match="carries `met`"):  # a goal decided by its module, without the decision
        validation_table("meandiff", [{"metric": "top_motif", "value": "SPI1"}])
    with pytest.raises(KeyError, match="no goal 'made_up'"):
        validation_table("reads", [{"metric": "made_up", "value": 1}])
    with pytest.raises(KeyError, match="needs the field 'min_fragments'"):
        validation_table("reads", [{"metric": "peak_ratio_pearson_vs_truth", "value": 0.95, "n": 30}])


@pytest.mark.parametrize("goal, value, met", [
    (">= 0.99 (pairs ...)", 0.99, True), (">= 0.99", 0.989, False), ("< 0.001", 0.0, True), ("< 0", 0.0, False),
    ("> 0 (validation and test chromosomes)", 1, True), ("<= 0.05", 0.064, False),
    ("1 (codes 0-4 up to the length, padding after)", 1.0, True), ("1", 0.99, False),
    ("1.0: every planted motif (SPI1) significant at q < 0.05", 1.0, True),
    ("0 (paper scheme: test = val)", 0, True), ("= 20 (chr1..chr19, chrX)", 19, False),
    ("0.5 ± 0.01", 0.51, True), ("0.5 ± 0.01", 0.511, False),
    ("~0.42 (±0.01)", 0.43, True), ("~0.42 (±0.01)", 0.4301, False),
    ("0.07 (±0.02, incl. chrM)", 0.05, True), ("~400 (±15%)", 460, True), ("~400 (±15%)", 461, False),
    ("0.03–0.25 (a minority)", 0.25, True), ("0.03–0.25 (a minority)", 0.02, False),
    ("= SPI1 (the truth's contributions name the primary factor)", "SPI1", True), ("= SPI1", "SPIB", False),
    ("= 1", "(not matched)", False), ("True", True, True), ("True", False, False), (">= 0.9", float("nan"), False),
])
def test_goal_expressions(goal, value, met):
    assert parse_rule(goal).holds(value) is met


@pytest.mark.parametrize("goal", ["≈ 0", "few", "> without", "context", "high: ..."])
def test_goals_without_a_threshold_do_not_parse(goal):
    with pytest.raises(ValueError, match="no decidable expression"):
        parse_rule(goal)


def test_row_status_order_context_then_n_then_goal():
    context = Goal("t", "k", "≈ 0", judge="none", min_n=20)
    assert row_status(context, 5.0, n=1) == "context"
    share = Goal("t", "k", ">= 0.8", proportion=True, min_n=20)
    assert row_status(share, 0.9, n=None, successes=0) == "insufficient"
    assert row_status(share, 0.9, n=20, successes=18) == "pass"
    module = Goal("t", "k", "> without", judge="module", min_n=20)
    assert [row_status(module, 1.0, 20, met=m) for m in (True, False)] == ["pass", "miss"]
    assert row_status(module, 1.0, 19, met=True) == "insufficient"


# ---------------------------------------------------------------------------------- the goals file

def test_goals_file_is_versioned_and_every_change_has_a_changelog_entry():
    data = read_goals_file()
    last = data["changelog"][-1]
    assert data["version"] == last["version"] == len(data["changelog"])
    assert all({"version", "date", "change", "reason", "digest"} <= set(e) for e in data["changelog"])
    digest = goals_digest(data["tables"])
    assert last["digest"] == digest, (
        f"the goals changed without a changelog entry: add one to {GOALS_FILE} (version {data['version'] + 1}, "
        f"date, change, reason, digest: \"{digest}\") and commit it alone")
    assert "moved unchanged" in data["changelog"][0]["change"]


def test_every_goal_loads_and_every_table_is_there():
    goals = load_goals()
    assert set(goals) == {"simulation", "reads", "dataset", "model", "interpretation", "meandiff", "score_variants",
                          "scatac"}
    decided = [g for t in goals.values() for g in t.values() if g.judge == "goal"]
    assert decided and all(parse_rule(g.goal.format_map({f: 0 for f in g.fields})) for g in decided)
    # a share of sampled cases is decided from 20 of them (issue 21: e.g. 20 trusted sequences)
    assert goals["interpretation"]["main_variant_is_causal"].min_n == 20


def test_the_goals_file_is_package_data():
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    package_data = pyproject["tool"]["setuptools"]["package-data"]["deepallele"]
    assert "validation/*.yaml" in package_data


@pytest.mark.parametrize("entry, message", [
    ({"goal": "≈ 0"}, "starts with no decidable expression"),
    ({"goal": ">= 0.9", "judge": "maybe"}, "judge must be one of"),
    ({"goal": ">= 0.9", "proportion": "yes"}, "proportion must be"),
    ({"goal": ">= 0.9", "min_n": -1}, "min_n must be"),
    ({"goal": ">= 0.9", "minimum_n": 20}, "unknown keys"),
])
def test_malformed_entries_are_refused(tmp_path, entry, message):
    path = tmp_path / "goals.yaml"
    path.write_text(json.dumps({"tables": {"t": {"m": entry}}}))  # JSON is YAML
    with pytest.raises(ValueError, match=message):
        load_goals(path)
