"""Planted matrices outside the scanning database (deepallele.simulate.planted_motifs, preset atac_offdb)."""
from __future__ import annotations

import gzip
import hashlib
from math import log2
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from deepallele.simulate.motifs import load_motif
from deepallele.simulate.planted_motifs import (DENOVO_MOTIFS, NAME_COLUMNS, denovo_pfm, information_content,
                                                perturb_pfm, planted_motif, power_for_ic, power_pfm)
from deepallele.simulate.regions import Grammar
from deepallele.simulate.run import (dataset_grammar, dataset_params, genome_params, grammar_spec,
                                     simulate_fragments, simulate_genome, unit_names, write_unit_fastqs)

# two columns, each worked by hand below
TOY = np.array([[2 / 3, 0.50],
                [1 / 3, 0.25],
                [0.00, 0.25],
                [0.00, 0.00]])


def _entropy(*p):
    return -sum(x * log2(x) for x in p if x > 0)


def test_power_on_a_toy_matrix_changes_information_by_the_hand_derived_amount():
    # column 1: (2/3, 1/3)^2 = (4/9, 1/9) -> (0.8, 0.2); column 2: (1/2, 1/4, 1/4)^2 -> (2/3, 1/6, 1/6)
    before = [2 - _entropy(2 / 3, 1 / 3), 2 - _entropy(0.5, 0.25, 0.25)]
    after = [2 - _entropy(0.8, 0.2), 2 - _entropy(2 / 3, 1 / 6, 1 / 6)]
    assert np.allclose(information_content(TOY), before)
    sq = power_pfm(TOY, 2.0)
    assert np.allclose(sq[:, 0], [0.8, 0.2, 0, 0]) and np.allclose(sq[:, 1], [2 / 3, 1 / 6, 1 / 6, 0])
    assert np.allclose(information_content(sq), after)
    # 1.0817 -> 1.2781 and 0.5 -> 0.7484 bits: +0.4447 bits in all
    assert sum(after) - sum(before) == pytest.approx(0.444739, abs=1e-6)
    out = perturb_pfm(TOY, np.random.default_rng(0), power=2.0)
    assert np.allclose(out, sq)
    # and the exponent that reaches that total is found back from ic_scale
    assert power_for_ic(TOY, sum(after)) == pytest.approx(2.0, rel=1e-6)
    scaled = perturb_pfm(TOY, np.random.default_rng(0), ic_scale=sum(after) / sum(before))
    assert np.allclose(scaled, sq, atol=1e-6)


@pytest.mark.parametrize("ic_scale", [0.7, 0.8, 1.0, 1.2])
def test_ic_scale_sets_the_core_information_exactly_even_with_column_noise(ic_scale):
    src = load_motif("ETS1").pfm
    out = perturb_pfm(src, np.random.default_rng(3), ic_scale=ic_scale, column_noise=0.4, flank_bp=2)
    core = out[:, 2:-2]
    assert information_content(core).sum() == pytest.approx(ic_scale * information_content(src).sum(), rel=1e-6)
    assert not np.allclose(core, src)  # the noise changed its shape, not only its sharpness
    assert np.allclose(out.sum(axis=0), 1.0)


def test_perturbation_is_deterministic_and_seeded():
    src = load_motif("RUNX1").pfm
    kw = dict(ic_scale=0.8, column_noise=0.3, flank_bp=3)
    a = perturb_pfm(src, np.random.default_rng(7), **kw)
    b = perturb_pfm(src, np.random.default_rng(7), **kw)
    c = perturb_pfm(src, np.random.default_rng(8), **kw)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    # through the grammar: a function of the grammar mapping alone
    spec = {"motif_source": "perturbed", "perturb": {"ic_scale": 0.8, "column_noise": 0.3, "seed": 4}}
    m1, *_ = planted_motif("RUNX1", {}, spec)
    m2, *_ = planted_motif("RUNX1", {}, spec)
    m3, *_ = planted_motif("RUNX1", {}, {**spec, "perturb": {**spec["perturb"], "seed": 5}})
    assert np.array_equal(m1.pfm, m2.pfm) and not np.allclose(m1.pfm, m3.pfm)


def test_flank_columns_are_added_and_the_core_kept():
    src = load_motif("KLF4").pfm
    out = perturb_pfm(src, np.random.default_rng(1), flank_bp=[2, 4])
    assert out.shape == (4, src.shape[1] + 6)
    assert np.array_equal(out[:, 2:-4], src)  # no noise, ic_scale 1: the core is the source matrix
    assert np.allclose(out.sum(axis=0), 1.0) and (out > 0).all()
    motif, source, source_id, flank = planted_motif(
        "KLF4", {"perturb": {"flank_bp": 3}}, {"motif_source": "perturbed"})
    assert (source, source_id, flank) == ("perturbed", load_motif("KLF4").matrix_id, (3, 3))
    assert motif.width == src.shape[1] + 6 and motif.matrix_id.endswith("~perturbed")


def test_grammar_options_resolve_and_reject_mistakes():
    spec = {"primary": "ETS1", "motif_source": "perturbed", "perturb": {"ic_scale": 0.9, "seed": 2},
            "motifs": {"ETS1": {"prob": 1, "copies": [1, 1], "weight": 1, "cap": 1},
                       "CTCF": {"prob": 1, "copies": [1, 1], "weight": 1, "cap": 1, "motif_source": "jaspar"},
                       "NOVEL1": {"prob": 1, "copies": [1, 1], "weight": 1, "cap": 1, "motif_source": "denovo"}}}
    g = Grammar.from_config(spec)
    assert {n: gm.source for n, gm in g.motifs.items()} == {"ETS1": "perturbed", "CTCF": "jaspar", "NOVEL1": "denovo"}
    assert np.array_equal(g.motifs["CTCF"].motif.pfm, load_motif("CTCF").pfm)
    assert g.off_database
    assert g.motifs["ETS1"].threshold == pytest.approx(0.7 * g.motifs["ETS1"].motif.max_score)
    with pytest.raises(ValueError, match="motif_source must be one of"):
        planted_motif("ETS1", {"motif_source": "shuffled"}, {})
    with pytest.raises(ValueError, match="unknown perturb setting"):
        planted_motif("ETS1", {"perturb": {"temprature": 2}}, {"motif_source": "perturbed"})
    with pytest.raises(ValueError, match="'perturb' is set"):
        planted_motif("ETS1", {"perturb": {"ic_scale": 0.8}}, {})
    with pytest.raises(ValueError, match="needs a built-in name"):
        planted_motif("NOVEL9", {"motif_source": "denovo"}, {})
    with pytest.raises(ValueError, match="outside"):
        perturb_pfm(load_motif("ETS1").pfm, np.random.default_rng(0), ic_scale=5.0)


def test_denovo_motif_has_no_significant_jaspar_match():
    from deepallele.motifs.jaspar import jaspar_motifs
    from deepallele.motifs.tomtom import tomtom_table

    pfm = denovo_pfm(**DENOVO_MOTIFS["NOVEL1"])
    assert np.array_equal(pfm, denovo_pfm(**DENOVO_MOTIFS["NOVEL1"]))
    assert "".join("ACGT"[i] for i in pfm.argmax(axis=0)) == "CCTTGTTGAAGC"
    assert np.allclose(pfm.sum(axis=0), 1.0) and information_content(pfm).sum() > 8
    targets = jaspar_motifs()  # JASPAR 2020 CORE vertebrates, the scanning database
    assert len(targets) == 746
    matches = tomtom_table({"NOVEL1": pfm}, targets, max_p=1.01)
    assert len(matches) == len(targets)  # both strands, every target scored
    assert matches["q"].min() >= 0.05, matches.head()
    assert matches["p"].min() > 1e-3  # far from significance, not just over the line


def _digest(gdir: Path) -> dict[str, str]:
    out = {rel: hashlib.sha256((gdir / rel).read_bytes()).hexdigest()[:16]
           for rel in ("reference.fa", "truth/strain.fa", "truth/regions.tsv", "truth/sites.tsv",
                       "truth/variants.tsv", "truth/summary.tsv")}
    out["strain.vcf"] = hashlib.sha256(gzip.decompress((gdir / "strain.vcf.gz").read_bytes())).hexdigest()[:16]
    return out


#: Computed with the simulator before the off-database option existed (same calls as below).
BEFORE = {
    "chip": {"reference.fa": "b85810ab09ccac55", "truth/strain.fa": "1939eae90c79342b",
             "truth/regions.tsv": "c2c412b83b4fb6c3", "truth/sites.tsv": "e9ea94ff27f388da",
             "truth/variants.tsv": "85e050cf215add1c", "truth/summary.tsv": "51e3ad55ecf7fef0",
             "strain.vcf": "bd48613f24b19f33"},
    "atac": {"reference.fa": "c9626ac31895970c", "truth/strain.fa": "1e945699cc1aed58",
             "truth/regions.tsv": "645140f11e37072a", "truth/sites.tsv": "630938206e31ed1f",
             "truth/variants.tsv": "32846795f08d973f", "truth/summary.tsv": "8c512a3be98da52a",
             "strain.vcf": "06f263eecf902f9a"},
}


@pytest.mark.parametrize("assay", ["chip", "atac"])
def test_default_presets_give_byte_identical_genomes(assay, tmp_path):
    assert not dataset_grammar(dataset_params(assay, None)).off_database
    assert not {"motif_source", "perturb"} & set(grammar_spec(dataset_params(assay, None)))
    ds = {f"small_{assay}": dataset_params(assay, {"seed": 11, "n_regions": 40})}
    simulate_genome(f"small_{assay}", genome_params({"seed": 3, "genome_size": 400000}), ds, tmp_path)
    gdir = tmp_path / "genomes" / f"small_{assay}"
    assert _digest(gdir) == BEFORE[assay]
    assert not (gdir / "truth" / "planted_motif_names.tsv").exists()
    assert not (gdir / "truth" / "planted_motifs.meme").exists()


def test_atac_offdb_preset_runs_end_to_end(tmp_path):
    from deepallele.motifs.jaspar import read_meme

    params = dataset_params("atac", {"seed": 8, "n_regions": 60, "fragments_per_region": 40,
                                     "causal_fraction": 0.4, "grammar": "atac_offdb", "n_units": 1})
    grammar = dataset_grammar(params)
    assert grammar.off_database and "NOVEL1" in grammar.motifs
    simulate_genome("tiny_off", genome_params({"seed": 6, "genome_size": 400000}), {"tiny_offdb": params}, tmp_path)
    gdir = tmp_path / "genomes" / "tiny_off"
    stats = simulate_fragments("tiny_offdb", "atac", params, gdir, tmp_path)
    ddir = tmp_path / "datasets" / "tiny_offdb"
    (unit,) = unit_names(params)
    n = write_unit_fastqs("tiny_offdb", unit, params, gdir, ddir / "truth" / "reads.tsv.gz",
                          ddir / "reads" / "R1.fastq.gz", ddir / "reads" / "R2.fastq.gz")
    assert n == stats["read_pairs"] > 0

    names = pd.read_csv(gdir / "truth" / "planted_motif_names.tsv", sep="\t")
    assert list(names.columns) == NAME_COLUMNS
    assert list(names["factor"]) == list(grammar.motifs)
    by = names.set_index("factor")
    # the truth's name of each factor is what TomTom says of its own matrix
    novel = by.loc["NOVEL1"]
    assert novel["motif_source"] == "denovo" and novel["best_q"] >= 0.05 and novel["truth_name"] == "NOVEL1"
    pert = by[by["motif_source"] == "perturbed"]
    assert len(pert) == 5 and (pert["flank_left"] == 3).all() and (pert["flank_right"] == 3).all()
    assert np.allclose(pert["planted_core_ic_bits"], 0.8 * pert["source_ic_bits"], atol=2e-4)
    for f, row in pert.iterrows():
        assert row["truth_name"] == (row["best_match"] if row["best_q"] < 0.05 else f)
        assert row["planted_id"] == f"{row['source_matrix_id']}~perturbed"
    # the planted matrices themselves, at genome and dataset level
    genome_meme = read_meme(gdir / "truth" / "planted_motifs.meme")
    ds_meme = read_meme(ddir / "truth" / "planted_motifs.meme")
    assert list(ds_meme) == list(grammar.motifs)
    for f, gm in grammar.motifs.items():
        assert np.allclose(genome_meme[f"tiny_offdb.{f}"], gm.motif.pfm, atol=1e-6)
        assert np.allclose(ds_meme[f], gm.motif.pfm, atol=1e-6)
    assert (ddir / "truth" / "planted_motif_names.tsv").exists()
    sites = pd.read_csv(ddir / "truth" / "sites.tsv", sep="\t")
    assert "NOVEL1" in set(sites["motif"]) and "denovo:NOVEL1" in set(sites["matrix_id"])
    regions = pd.read_csv(ddir / "truth" / "regions.tsv", sep="\t")
    assert (regions["true_ln_ratio"].abs() > 0.2).any()
