"""Variant effects, main variant and additive sum on a linear toy model (effects known by hand)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.interpret.trusted import is_trusted, mean_predictions, standardise, trusted_set, trusted_table
from deepallele.interpret.variant_effects import (main_variants, mean_effects, read_variant_table, replace_edit,
                                                 seed_main_variants, variant_effects)

from interpret_toys import linear_deepallele, linear_single

PAD = 5


def _pair(ref: str, alt: str, length: int) -> np.ndarray:
    out = np.full((2, length), PAD, dtype=np.uint8)
    for a, s in enumerate((ref, alt)):
        out[a, :len(s)] = ["ACGT".index(c) for c in s]
    return out


def _score(pwm, seq: str) -> float:
    return float(sum(pwm["ACGT".index(c), i] for i, c in enumerate(seq[:pwm.shape[1]])))


def _variants(rows):
    cols = ["peak_index", "id", "kind", "ref_pos", "alt_pos", "ref", "alt", "ref_edit", "alt_edit", "complete"]
    return pd.DataFrame(rows, columns=cols)


def test_replace_edit_snp_and_indels():
    codes = np.array([0, 1, 2, 3, PAD, PAD], dtype=np.uint8)
    assert replace_edit(codes, 1, 1, "G").tolist() == [0, 2, 2, 3, PAD, PAD]
    assert replace_edit(codes, 1, 0, "TT").tolist() == [0, 3, 3, 1, 2, 3]          # insertion
    assert replace_edit(codes, 1, 2, "").tolist() == [0, 3, PAD, PAD, PAD, PAD]      # deletion
    assert replace_edit(np.array([0, 1, 2, 3]), 0, 0, "GG").tolist() == [2, 2, 0, 1]  # cut back to L


def test_snp_effect_known_by_hand(pwm):
    length = pwm.shape[1]
    rng = np.random.default_rng(0)
    ref = "".join(rng.choice(list("ACGT"), length))
    alt = list(ref)
    alt[10] = "C" if ref[10] != "C" else "T"      # inside the motif
    alt[20] = "A" if ref[20] != "A" else "G"      # outside
    alt = "".join(alt)
    codes = _pair(ref, alt, length)[None]
    v = _variants([(0, "v10", "snp", 10, 10, ref[10], alt[10], ref[10], alt[10], True),
                   (0, "v20", "snp", 20, 20, ref[20], alt[20], ref[20], alt[20], True)])
    for model in (linear_deepallele(pwm), linear_single(pwm)):
        e = variant_effects(model, codes, v)
        for k, i in enumerate((10, 20)):
            # effect = w[ref base] - w[alt base] (the variant's contribution to ln(ref/alt))
            expected = pwm["ACGT".index(ref[i]), i] - pwm["ACGT".index(alt[i]), i]
            assert e["effect"].iloc[k] == pytest.approx(expected, abs=1e-4)
        assert e["pred_ratio"].iloc[0] == pytest.approx(_score(pwm, ref) - _score(pwm, alt), abs=1e-3)
    main = main_variants(e, ["peak0"])
    assert main["main_variant"].tolist() == ["v10"] and main["n_variants"].tolist() == [2]
    assert main["additive"].iloc[0] == pytest.approx(e["effect"].sum())


def test_indel_effect_and_incomplete(pwm):
    length = pwm.shape[1]
    ref = "ACGTACGTAGGATCACGTACGT"           # 22 bases
    alt = ref[:4] + "TT" + ref[4:]            # 2-base insertion after position 3, shifts the motif
    codes = _pair(ref, alt, length)[None]
    v = _variants([(0, "ins", "ins", 4, 4, "T", "TTT", "", "TT", True),
                   (0, "cut", "snp", 30, 30, "A", "C", "A", "C", False)])
    e = variant_effects(linear_deepallele(pwm), codes, v)
    d_ref = _score(pwm, ref[:4] + "TT" + ref[4:]) - _score(pwm, ref)      # ref gains the insertion
    d_alt = -(_score(pwm, ref) - _score(pwm, alt))                          # alt loses it
    assert e["effect"].iloc[0] == pytest.approx(-(d_ref + d_alt) / 2, abs=1e-3)
    assert np.isnan(e["effect"].iloc[1])


def test_mean_effects_over_seeds():
    base = _variants([(0, "a", "snp", 1, 1, "A", "C", "A", "C", True), (1, "b", "snp", 2, 2, "G", "T", "G", "T", True)])
    t1 = base.assign(pred_ratio=[1.0, 2.0], delta_ref=0.0, delta_alt=0.0, effect=[0.2, -1.0])
    t2 = base.assign(pred_ratio=[3.0, 2.0], delta_ref=0.0, delta_alt=0.0, effect=[0.4, -3.0])
    m = mean_effects([t1, t2])
    assert m["effect"].tolist() == pytest.approx([0.3, -2.0]) and m["pred_ratio"].tolist() == [2.0, 2.0]
    with pytest.raises(ValueError, match="different variants"):
        mean_effects([t1, t2.iloc[::-1]])


def test_trusted_rules():
    obs = np.array([2.0, -1.5, 0.5, 3.0, -2.0, 1.2])
    pred = np.array([2.0, -2.0, 2.0, -2.0, -0.1, 0.1])
    z = standardise(pred)
    assert np.sqrt(np.mean(z ** 2)) == pytest.approx(1.0)
    # z = pred / RMS(pred) = pred / 1.68: only |pred| = 2 gives |z| > 1.0; obs must be > 1 and agree in sign
    t = is_trusted(obs, pred, min_z=1.0)
    assert t.tolist() == [True, True, False, False, False, False]
    assert not is_trusted(obs, pred).any()  # |z| = 1.19 < 1.65


def test_trusted_table_from_seeds():
    t = pd.DataFrame({"peak": ["a", "b", "c"], "chrom": ["chr17"] * 3, "split": ["test", "test", "train"],
                      "obs_ratio": [2.0, -0.2, 1.0], "pred_ratio": [1.0, 0.0, 0.0]})
    m = mean_predictions([t, t.assign(pred_ratio=[3.0, 0.0, 0.0])], split="test")
    assert m["pred_ratio"].tolist() == [2.0, 0.0] and len(m) == 2
    tt = trusted_table(m)
    assert tt["z"].iloc[0] == pytest.approx(np.sqrt(2)) and tt["trusted"].tolist() == [False, False]


def test_seed_main_variants_from_files(tmp_path):
    # peak 0: variants a (|0.3|) and c (|0.5|, the main one, an indel with an empty ALT edit); peak 2: b
    base = _variants([(0, "a", "snp", 1, 1, "A", "C", "A", "C", True), (2, "b", "snp", 2, 2, "G", "T", "G", "T", True),
                      (0, "c", "del", 5, 5, "GA", "G", "A", "", True)]).assign(peak=["p0", "p2", "p0"])
    paths = []
    for seed, (effect, pred) in enumerate((([0.2, -1.0, 0.4], [1.0, 2.0, 1.0]), ([0.4, -3.0, 0.6], [3.0, 2.0, 3.0]))):
        paths.append(tmp_path / f"seed{seed}.tsv")
        base.assign(pred_ratio=pred, delta_ref=0.0, delta_alt=0.0, effect=effect).to_csv(paths[-1], sep="\t",
                                                                                        index=False)
    tables = [read_variant_table(p) for p in paths]
    assert tables[0]["alt_edit"].tolist() == ["C", "T", ""]
    effects, main = seed_main_variants(tables)
    assert effects["effect"].tolist() == pytest.approx([0.3, -2.0, 0.5])
    assert main[["peak_index", "peak", "main_variant", "alt_edit", "n_variants"]].values.tolist() == [
        [0, "p0", "c", "", 2], [2, "p2", "b", "T", 1]]
    assert main["additive"].tolist() == pytest.approx([0.8, -2.0]) and main["pred_ratio"].tolist() == [2.0, 2.0]


def test_trusted_set_in_the_order_of_the_pairs():
    t = pd.DataFrame({"peak": ["a", "b", "c"], "chrom": ["chr17"] * 3, "split": ["test", "test", "train"],
                      "obs_ratio": [2.0, -0.2, 1.5], "pred_ratio": [1.0, 0.0, 0.5]})
    table = trusted_set([t, t.assign(pred_ratio=[3.0, 0.0, 0.5])], ["c", "a"], [7, 3], min_z=1.0)
    assert table["peak"].tolist() == ["c", "a"] and table["row"].tolist() == [7, 3]
    assert list(table.columns[:2]) == ["peak", "row"]
    # mean predictions 0.5 and 2.0: RMS sqrt((0.25 + 4) / 2), z = pred / RMS
    rms = np.sqrt((0.25 + 4.0) / 2)
    assert table["z"].tolist() == pytest.approx([0.5 / rms, 2.0 / rms])
    assert table["trusted"].tolist() == [False, True]
    with pytest.raises(KeyError):
        trusted_set([t], ["zz"], [0])
