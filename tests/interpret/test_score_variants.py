"""score-variants: agreement with the interpretation stage, effects known by hand, windows, VCF handling,
null/z, outputs, and clear errors that leave no output."""
from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pysam
import pytest
import torch
from interpret_toys import linear_deepallele, random_deepallele

from deepallele.cli import main as deepallele_main
from deepallele.datasets.store import build_paired_dataset, read_pairs_h5
from deepallele.genome.pseudogenome import build_pseudogenome
from deepallele.interpret.data import load_interpret_set
from deepallele.interpret.score_variants import ScoreVariantsError, read_variants, score_variants
from deepallele.interpret.variant_effects import variant_effects
from deepallele.models.modelfile import load_model_file, model_metadata, save_model_file

L = 64
ARCH = {"conv_layers": 3, "kernel_number": 8, "kernel_length": 9, "filter_number": 8, "kernel_size": 5,
        "pooling_size": 4, "h_layers": 1, "hidden_size": 16, "dropout": 0.0, "first_batch_norm": True}
HEADER = "##fileformat=VCFv4.2\n{contigs}##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n" \
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSTRAIN\n"


def write_vcf(path, sizes, records, index=True):
    contigs = "".join(f"##contig=<ID={c},length={n}>\n" for c, n in sizes.items())
    body = "".join(f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t.\tGT\t1/1\n" for c, p, r, a in records)
    path.write_text(HEADER.format(contigs=contigs) + body)
    if index:
        return pysam.tabix_index(str(path), preset="vcf", force=True)
    return str(path)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A random 2-contig genome, its strain (SNPs, MNP, indels), 24 peaks, pairs.h5 of L 64; two toy models."""
    d = tmp_path_factory.mktemp("score")
    rng = np.random.default_rng(7)
    sizes = {"chr1": 3000, "chr17": 2600}
    ref = {c: "".join(rng.choice(list("ACGT"), n)) for c, n in sizes.items()}
    (d / "ref.fa").write_text("".join(f">{c}\n{s}\n" for c, s in ref.items()))
    pysam.faidx(str(d / "ref.fa"))
    records = []
    for c, spacing in (("chr1", 23), ("chr17", 97)):  # dense (several per window) and sparse (mostly one)
        for j, p in enumerate(range(30, sizes[c] - 40, spacing)):
            p0 = p + int(rng.integers(0, 6))
            kind = j % 9
            if kind == 4:  # insertion of 2
                records.append((c, p0 + 1, ref[c][p0], ref[c][p0] + "".join(rng.choice(list("ACGT"), 2))))
            elif kind == 7:  # deletion of 3
                records.append((c, p0 + 1, ref[c][p0:p0 + 4], ref[c][p0]))
            elif kind == 8:  # MNP
                old = ref[c][p0:p0 + 2]
                records.append((c, p0 + 1, old, "".join("ACGT"[("ACGT".index(b) + 1) % 4] for b in old)))
            else:
                b = ref[c][p0]
                records.append((c, p0 + 1, b, "ACGT"[("ACGT".index(b) + 1 + int(rng.integers(0, 3))) % 4]))
    vcf = write_vcf(d / "strain.vcf", sizes, records)
    build_pseudogenome(d / "ref.fa", vcf, d / "strain.fa", d / "chain.txt")
    peaks = []
    for c in sizes:
        for i, s in enumerate(rng.choice(np.arange(60, sizes[c] - 120), 12, replace=False)):
            peaks.append((f"{c}_p{i}", c, int(s), int(s) + 40, int(rng.integers(0, 50)), int(rng.integers(0, 50))))
    counts = pd.DataFrame(peaks, columns=["peak", "chrom", "start", "end", "ref_count", "alt_count"])
    counts.to_csv(d / "counts.tsv", sep="\t", index=False)
    build_paired_dataset(d / "counts.tsv", d / "ref.fa", d / "strain.fa", d / "chain.txt", vcf, d / "pairs.h5", L,
                         scheme="heldout", val=("chr2",), test=("chr17",), strain_name="CAST")
    dirs = []
    for seed in (0, 1):
        m = random_deepallele(L, seed=seed)
        save_model_file(m, model_metadata("deepallele", L, ARCH, seed=seed), d / f"seed{seed}")
        dirs.append(d / f"seed{seed}")
    return {"dir": d, "vcf": vcf, "fasta": d / "ref.fa", "pairs": d / "pairs.h5", "models": dirs, "sizes": sizes,
            "records": records, "ref": ref}


def _models(data):
    return [load_model_file(p) for p in data["models"]]


def _interpretation(data, seed):
    """The interpretation stage's variant effects (all rows) with peak names, for one toy model."""
    s = load_interpret_set(data["pairs"], "all")
    t = variant_effects(load_model_file(data["models"][seed]).model, s.codes, s.variants)
    t["peak"] = s.peak[t["peak_index"].to_numpy()]
    return t.rename(columns={"effect": "effect_interp", "kind": "kind_interp", "ref": "ref_interp",
                             "alt": "alt_interp"})


def test_strain_context_reproduces_interpretation(data, tmp_path):
    out = score_variants(data["vcf"], data["fasta"], _models(data), tmp_path / "s.tsv", pairs=data["pairs"],
                         context="strain")
    for seed in (0, 1):
        interp = _interpretation(data, seed)
        interp = interp[interp["complete"].astype(bool)]
        m = out.merge(interp, on=["peak", "id"])
        assert len(m) >= 20 and (m["context"] == "strain").all()
        np.testing.assert_allclose(m[f"effect_seed{seed}"], m["effect_interp"], rtol=0, atol=1e-5)


def test_reference_context_equals_interpretation_for_lone_variants(data, tmp_path):
    out = score_variants(data["vcf"], data["fasta"], _models(data), tmp_path / "r.tsv", pairs=data["pairs"])
    interp = _interpretation(data, 0)
    d = read_pairs_h5(data["pairs"])
    untrimmed = (d["strain_trim_left"] + d["strain_trim_right"]) == 0
    n_var = interp.groupby("peak_index").size()
    lone = interp[interp["peak_index"].map(n_var).eq(1) & interp["complete"].astype(bool)
                  & untrimmed[interp["peak_index"].to_numpy()]]
    m = out.merge(lone, on=["peak", "id"])
    assert len(m) >= 3 and (m["context"] == "reference").all()
    np.testing.assert_allclose(m["effect_seed0"], m["effect_interp"], rtol=0, atol=1e-5)
    # a variant in a multi-variant window: reference context differs from the strain background
    multi = interp[interp["peak_index"].map(n_var).gt(1)].merge(out, on=["peak", "id"])
    assert len(multi) and not np.allclose(multi["effect_seed0"], multi["effect_interp"], atol=1e-5)


def test_outputs(data, tmp_path):
    tsv, vcf = tmp_path / "out.tsv", tmp_path / "out.vcf.gz"
    out = score_variants(data["vcf"], data["fasta"], _models(data), tsv, vcf, pairs=data["pairs"], null_per_window=4)
    t = pd.read_csv(tsv, sep="\t", keep_default_na=False, na_values=["NA"])
    assert list(t.columns)[:13] == ["chrom", "pos", "ref", "alt", "id", "kind", "status", "peak", "window",
                                    "window_start", "window_end", "split", "context"]
    assert list(t.columns)[13:] == ["effect_seed0", "effect_seed1", "effect_mean", "effect_sd", "z"]
    assert len(t) == len(data["records"]) and (t["status"] == "scored").all()
    assert set(t["kind"]) == {"snp", "mnp", "ins", "del"}
    assert set(t["window"]) == {"peak", "variant"} and (t.loc[t["window"] == "variant", "peak"] == ".").all()
    assert (t["window_end"] - t["window_start"]).max() == L
    assert set(t["split"]) == {"train", "test"} and (t.loc[t["chrom"] == "chr17", "split"] == "test").all()
    np.testing.assert_allclose(t["effect_mean"], t[["effect_seed0", "effect_seed1"]].mean(axis=1), atol=1e-6)
    assert np.isfinite(t["z"]).all() and out.attrs["n_null"] > 20
    assert np.corrcoef(t["z"], t["effect_mean"])[0, 1] > 0.999  # z is affine in the mean effect
    with pysam.VariantFile(str(vcf)) as v:
        assert {"DA_EFFECT", "DA_SD", "DA_Z", "DA_PEAK", "DA_WINDOW"} <= set(v.header.info)
        assert v.header.info["DA_EFFECT"].number == "A"
        assert any(r.key == "deepallele_score_variants" for r in v.header.records)
        recs = list(v)
        assert len(recs) == len(data["records"]) and recs[0].samples["STRAIN"]["GT"] == (1, 1)
        assert recs[0].info["DA_EFFECT"][0] == pytest.approx(t["effect_mean"].iloc[0], abs=1e-5)


def test_window_variant_mode_centres_every_window(data, tmp_path):
    out = score_variants(data["vcf"], data["fasta"], _models(data)[:1], tmp_path / "v.tsv", pairs=data["pairs"],
                         window="variant", max_null=0)
    assert (out["window"] == "variant").all() and out["z"].isna().all()
    assert list(out.columns)[13] == "effect_seed0" and out["effect_sd"].eq(0).all()
    snv = out[out["kind"] == "snp"]
    centre = snv["pos"] - 1
    inner = (snv["window_start"] > 0) & (snv["window_end"] < snv["chrom"].map(data["sizes"]))
    assert ((snv["window_start"] == centre - L // 2)[inner]).all()


def test_linear_model_effects_by_hand(pwm, tmp_path):
    """DeepAllele whose ratio is sum(pwm*x_ref) - sum(pwm*x_alt): effect = s(R) - s(A), known by hand."""
    length = pwm.shape[1]
    seq = "ACGTTGCAACGTAGGATCCATGCATTAC"
    (tmp_path / "g.fa").write_text(f">c1\n{seq}\n")
    pysam.faidx(str(tmp_path / "g.fa"))
    save_model_file(linear_deepallele(pwm), model_metadata("deepallele", length, {**ARCH, "conv_layers": 0,
                    "kernel_number": 4, "kernel_length": 1, "filter_number": 4, "kernel_size": 1, "pooling_size": 2,
                    "h_layers": 0, "hidden_size": 1}, seed=0), tmp_path / "m")
    # SNV G>T at 0-based 14 (POS 15), deletion of GA at 14-15 (POS 14, anchor G at 13: REF GGA, ALT G)
    vcf = write_vcf(tmp_path / "v.vcf", {"c1": len(seq)}, [("c1", 15, "G", "T"), ("c1", 14, "GGA", "G")], index=False)
    out = score_variants(vcf, tmp_path / "g.fa", [load_model_file(tmp_path / "m")], tmp_path / "o.tsv", max_null=0)
    ws, we = int(out["window_start"].iloc[0]), int(out["window_end"].iloc[0])
    assert (ws, we) == (14 - length // 2, 14 - length // 2 + length)

    def s(text):
        x = np.zeros((4, length))
        for i, b in enumerate(text[:length]):
            x["ACGT".index(b), i] = 1
        return float((pwm * x).sum())

    for row in out.itertuples():
        r = seq[row.window_start:row.window_end]
        p = row.pos - 1 - row.window_start
        a = r[:p] + row.alt + r[p + len(row.ref):]
        assert row.effect_seed0 == pytest.approx(s(r) - s(a), abs=1e-4)


def test_multiallelic_symbolic_and_vcf_info(data, tmp_path):
    c1 = data["ref"]["chr1"]
    recs = [("chr1", 101, c1[100], ",".join(b for b in "ACGT" if b != c1[100])[:3]), ("chr1", 201, c1[200], "<DEL>"),
            ("chr17", 301, c1[0] if False else data["ref"]["chr17"][300], "*")]
    vcf = write_vcf(tmp_path / "m.vcf", data["sizes"], recs)
    out = score_variants(vcf, data["fasta"], _models(data), tmp_path / "m.tsv", tmp_path / "m.vcf",
                         pairs=data["pairs"])
    assert out["status"].tolist() == ["scored", "scored", "symbolic", "symbolic"]
    assert out["effect_mean"].iloc[:2].notna().all() and out["effect_mean"].iloc[2:].isna().all()
    with pysam.VariantFile(str(tmp_path / "m.vcf")) as v:
        first, second, _ = list(v)
        assert len(first.info["DA_EFFECT"]) == 2 and "DA_EFFECT" not in second.info


def test_bad_inputs_are_clear_errors_without_output(data, tmp_path):
    tsv, outvcf = tmp_path / "x.tsv", tmp_path / "x.vcf.gz"
    models = _models(data)
    c1 = data["ref"]["chr1"]
    wrong_ref = "ACGT"[("ACGT".index(c1[500]) + 1) % 4]
    bad = write_vcf(tmp_path / "ref.vcf", data["sizes"], [("chr1", 101, c1[100], "A" if c1[100] != "A" else "C"),
                                                         ("chr1", 501, wrong_ref, c1[500])])
    with pytest.raises(ScoreVariantsError, match=r"ref\.vcf\.gz: 1 record\(s\) whose REF differs from .*ref\.fa: "
                                                 r"chr1:501"):
        score_variants(bad, data["fasta"], models, tsv, outvcf, pairs=data["pairs"])
    renamed = write_vcf(tmp_path / "names.vcf", {"1": 3000}, [("1", 101, c1[100], "A")])
    with pytest.raises(ScoreVariantsError, match=r"names\.vcf\.gz.*rename"):
        score_variants(renamed, data["fasta"], models, tsv, outvcf, pairs=data["pairs"])
    empty = write_vcf(tmp_path / "empty.vcf", data["sizes"], [])
    with pytest.raises(ScoreVariantsError, match=r"empty\.vcf\.gz: no variant records"):
        score_variants(empty, data["fasta"], models, tsv, outvcf)
    garbage = tmp_path / "garbage.vcf"
    garbage.write_text("this is not a VCF\n")
    with pytest.raises(ScoreVariantsError, match="garbage.vcf"):
        read_variants(garbage, data["fasta"])
    other = random_deepallele(32)
    save_model_file(other, model_metadata("deepallele", 32, ARCH, seed=5), tmp_path / "short")
    with pytest.raises(ScoreVariantsError, match="different sequence lengths"):
        score_variants(data["vcf"], data["fasta"], models + [load_model_file(tmp_path / "short")], tsv)
    with pytest.raises(ScoreVariantsError, match="pairs.h5: sequence length 64, but the models take 32"):
        score_variants(data["vcf"], data["fasta"], [load_model_file(tmp_path / "short")], tsv, pairs=data["pairs"])
    assert not tsv.exists() and not outvcf.exists() and not list(tmp_path.glob(".*tmp*"))


def test_cli(data, tmp_path, capsys):
    args = ["score-variants", "--vcf", data["vcf"], "--fasta", str(data["fasta"]), "--pairs", str(data["pairs"]),
            "--out-tsv", str(tmp_path / "c.tsv"), "--out-vcf", str(tmp_path / "c.vcf.gz"), "--threads", "1",
            "--device", "cpu", "--region", "chr17"]
    for m in data["models"]:
        args += ["--model", str(m / "model.json")]
    assert deepallele_main(args) == 0
    t = pd.read_csv(tmp_path / "c.tsv", sep="\t")
    assert (t["chrom"] == "chr17").all() and len(t) == sum(r[0] == "chr17" for r in data["records"])
    with gzip.open(tmp_path / "c.vcf.gz", "rt") as fh:
        assert "##INFO=<ID=DA_EFFECT,Number=A,Type=Float" in fh.read()
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / "model.json").write_text((data["models"][0] / "model.json").read_text())
    (cut / "model.safetensors").write_bytes((data["models"][0] / "model.safetensors").read_bytes()[:300])
    bad = args[:args.index("--model")] + ["--model", str(cut), "--out-tsv", str(tmp_path / "d.tsv")]
    assert deepallele_main(bad) == 2
    assert "cut/model.safetensors" in capsys.readouterr().err and not (tmp_path / "d.tsv").exists()


def test_models_on_cuda_if_present(data, tmp_path):
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA device")
    a = score_variants(data["vcf"], data["fasta"], _models(data), tmp_path / "a.tsv", pairs=data["pairs"], device="cpu")
    b = score_variants(data["vcf"], data["fasta"], [load_model_file(p, "cuda") for p in data["models"]],
                       tmp_path / "b.tsv", pairs=data["pairs"], device="cuda")
    np.testing.assert_allclose(a["effect_mean"], b["effect_mean"], atol=1e-4)


def test_predict_and_interpret_commands(data, tmp_path):
    models = [str(m) for m in data["models"]]
    margs = [a for m in models for a in ("--model", m)]
    out = tmp_path / "pred.tsv"
    assert deepallele_main(["predict", "--pairs", str(data["pairs"]), *margs, "--out", str(out), "--device", "cpu"]) == 0
    t = pd.read_csv(out, sep="\t")
    s = load_interpret_set(data["pairs"], "all")
    assert len(t) == len(s.rows) and {"pred_ratio_seed0", "pred_ratio_seed1", "pred_ratio_mean", "pred_ratio_sd"} <= set(t.columns)
    with torch.no_grad():
        direct = load_model_file(data["models"][1]).model(s.one_hot())[:, 2].numpy()
    np.testing.assert_allclose(t["pred_ratio_seed1"], direct, atol=1e-5)
    odir = tmp_path / "interp"
    assert deepallele_main(["interpret", "--pairs", str(data["pairs"]), *margs, "--outdir", str(odir),
                            "--method", "tism", "--device", "cpu"]) == 0
    with np.load(odir / "seed0.tism.npz") as f:
        assert f["attr"].shape == (len(s.rows), 2, 4, L) and str(f["target"]) == "ratio"
    eff = pd.read_csv(odir / "seed0.variant_effects.tsv", sep="\t")
    ref = _interpretation(data, 0)
    np.testing.assert_allclose(eff["effect"], ref["effect_interp"], atol=1e-6, equal_nan=True)
    for allele in ("ref", "alt"):
        with np.load(odir / "modisco" / f"{allele}_seqs.npz") as f:
            x = f["arr_0"]
        with np.load(odir / "modisco" / f"{allele}_attrs.npz") as f:
            a = f["arr_0"]
        assert x.shape == a.shape == (len(s.rows), 4, L)
    assert deepallele_main(["predict", "--pairs", str(tmp_path / "none.h5"), *margs, "--out", str(tmp_path / "x")]) == 2


def test_benchmark_table(tmp_path):
    assert deepallele_main(["benchmark-score-variants", "--output", str(tmp_path / "b.tsv"), "--preset", "demo",
                            "--n-variants", "8", "--threads", "1"]) == 0
    t = pd.read_csv(tmp_path / "b.tsv", sep="\t")
    assert t["preset"].tolist() == ["demo"] and (t["variants_per_s"] > 0).all() and t["hours_for_target"].notna().all()
