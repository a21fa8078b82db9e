"""``deepallele predict`` / ``interpret`` on the three input kinds: a pairs.h5, a FASTA pair, BED + genomes.

The FASTA and BED paths must give exactly what the ``--pairs`` path gives for the same sequences, and
every bad input must stop with a message naming its file.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pysam
import pytest
from interpret_toys import random_deepallele

from deepallele.cli import main as deepallele_main
from deepallele.datasets.pairs import PairedSequences
from deepallele.datasets.store import build_paired_dataset, read_pairs_h5, write_pairs_h5
from deepallele.genome.pseudogenome import build_pseudogenome
from deepallele.interpret.inputs import empty_variants
from deepallele.models.modelfile import model_metadata, save_model_file

L = 64
ARCH = {"conv_layers": 3, "kernel_number": 8, "kernel_length": 9, "filter_number": 8, "kernel_size": 5,
        "pooling_size": 4, "h_layers": 1, "hidden_size": 16, "dropout": 0.0, "first_batch_norm": True}
PRED = ["pred_ref_seed0", "pred_alt_seed0", "pred_ratio_seed0", "pred_ref_seed1", "pred_alt_seed1",
        "pred_ratio_seed1", "pred_ref_mean", "pred_alt_mean", "pred_ratio_mean", "pred_ratio_sd"]
VCF_HEADER = "##fileformat=VCFv4.2\n{contigs}##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n" \
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tSTRAIN\n"


def _codes_by_hand(seq: str) -> np.ndarray:
    """Right-padded codes written out by hand (A0 C1 G2 T3 N4, padding 5), independent of the package's encoder."""
    out = np.full(L, 5, dtype=np.uint8)
    out[:len(seq)] = ["ACGTN".index(c) for c in seq.upper()]
    return out


def _write_fasta(path, records):
    path.write_text("".join(f">{name} some description\n{seq[:30]}\n{seq[30:]}\n" for name, seq in records))
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("models")
    dirs = []
    for seed in (0, 1):
        save_model_file(random_deepallele(L, seed=seed), model_metadata("deepallele", L, ARCH, seed=seed),
                        d / f"seed{seed}")
        dirs.append(str(d / f"seed{seed}"))
    return [a for m in dirs for a in ("--model", m)]


@pytest.fixture(scope="module")
def seqs(tmp_path_factory):
    """Eight pairs of random sequences (lengths 40..64, lower case and N included) as FASTA and as pairs.h5."""
    d = tmp_path_factory.mktemp("seqs")
    rng = np.random.default_rng(11)
    names, ref, alt = [], [], []
    for i in range(8):
        n_ref, n_alt = int(rng.integers(40, L + 1)), int(rng.integers(40, L + 1))
        r = "".join(rng.choice(list("ACGTNacgt"), n_ref))
        a = "".join(rng.choice(list("ACGTacgtn"), n_alt))
        names.append(f"pair{i}")
        ref.append(r)
        alt.append(a)
    ref_codes = np.stack([_codes_by_hand(s) for s in ref])
    alt_codes = np.stack([_codes_by_hand(s) for s in alt])
    n = len(names)
    z = np.zeros(n, dtype=np.int64)
    pairs = PairedSequences(peak=np.array(names, dtype=object), chrom=np.full(n, "chr1", dtype=object),
                            peak_start=z, peak_end=z + L, start=z, end=z + L, strain_start=z, strain_end=z + L,
                            strain_trim_left=z.astype(np.int32), strain_trim_right=z.astype(np.int32),
                            ref_codes=ref_codes, alt_codes=alt_codes,
                            ref_length=np.array([len(s) for s in ref], np.int32),
                            alt_length=np.array([len(s) for s in alt], np.int32), length=L)
    write_pairs_h5(d / "pairs.h5", pairs, np.arange(n) + 5, np.arange(n)[::-1] + 5, ["train"] * n, empty_variants())
    # the alternative file lists its records in another order: pairing is by name
    order = rng.permutation(n)
    _write_fasta(d / "ref.fa", list(zip(names, ref)))
    _write_fasta(d / "alt.fa", [(names[i], alt[i]) for i in order])
    return {"dir": d, "pairs": d / "pairs.h5", "ref_fa": d / "ref.fa", "alt_fa": d / "alt.fa", "names": names,
            "ref": ref, "alt": alt}


def _predict(tmp_path, models, *inputs, name="p.tsv"):
    out = tmp_path / name
    assert deepallele_main(["predict", *inputs, *models, "--out", str(out), "--device", "cpu", "--threads", "1"]) == 0
    return pd.read_csv(out, sep="\t")


def _interpret(tmp_path, models, *inputs, name="i"):
    out = tmp_path / name
    assert deepallele_main(["interpret", *inputs, *models, "--outdir", str(out), "--device", "cpu", "--threads",
                            "1"]) == 0
    return out


def _same_attributions(a, b):
    with np.load(a / "seed1.tism.npz") as fa, np.load(b / "seed1.tism.npz") as fb:
        np.testing.assert_array_equal(fa["attr"], fb["attr"])
        np.testing.assert_array_equal(fa["peak"], fb["peak"])
    for f in ("ref_seqs", "alt_seqs", "ref_attrs", "alt_attrs"):
        with np.load(a / "modisco" / f"{f}.npz") as fa, np.load(b / "modisco" / f"{f}.npz") as fb:
            np.testing.assert_array_equal(fa["arr_0"], fb["arr_0"])


def test_fasta_pair_equals_pairs_file(seqs, models, tmp_path):
    by_pairs = _predict(tmp_path, models, "--pairs", str(seqs["pairs"]), name="a.tsv")
    by_fasta = _predict(tmp_path, models, "--ref-fasta", str(seqs["ref_fa"]), "--alt-fasta", str(seqs["alt_fa"]),
                        name="b.tsv")
    assert by_fasta["peak"].tolist() == seqs["names"] == by_pairs["peak"].tolist()
    assert by_fasta["obs_ratio"].isna().all() and by_pairs["obs_ratio"].notna().all()
    pd.testing.assert_frame_equal(by_fasta[["row", "peak", *PRED]], by_pairs[["row", "peak", *PRED]])
    a = _interpret(tmp_path, models, "--pairs", str(seqs["pairs"]), name="ia")
    b = _interpret(tmp_path, models, "--ref-fasta", str(seqs["ref_fa"]), "--alt-fasta", str(seqs["alt_fa"]),
                   name="ib")
    _same_attributions(a, b)
    with np.load(b / "modisco" / "ref_seqs.npz") as f:
        assert f["arr_0"].shape == (8, 4, L)
    effects = pd.read_csv(b / "seed0.variant_effects.tsv", sep="\t")
    assert len(effects) == 0 and {"peak_index", "peak", "effect"} <= set(effects.columns)


def test_fasta_too_long_is_an_error_or_centre_cropped(seqs, models, tmp_path, capsys):
    long_ref = "ACGT" * 18 + "A"  # 73 bp
    ref = _write_fasta(tmp_path / "r.fa", [("x", long_ref), ("y", "ACGT" * 10)])
    alt = _write_fasta(tmp_path / "a.fa", [("x", "T" * 30), ("y", "GGCC" * 10)])
    out = tmp_path / "x.tsv"
    rc = deepallele_main(["predict", "--ref-fasta", str(ref), "--alt-fasta", str(alt), *models, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert str(ref) in err and "'x'" in err and "73 bp" in err and "--crop" in err
    cropped = _predict(tmp_path, models, "--ref-fasta", str(ref), "--alt-fasta", str(alt), "--crop", name="c.tsv")
    by_hand = _write_fasta(tmp_path / "r2.fa", [("x", long_ref[4:4 + L]), ("y", "ACGT" * 10)])  # 9 cut: 4 left, 5 right
    expected = _predict(tmp_path, models, "--ref-fasta", str(by_hand), "--alt-fasta", str(alt), name="d.tsv")
    pd.testing.assert_frame_equal(cropped[PRED], expected[PRED])


@pytest.mark.parametrize("case", ["unmatched", "bad_letter", "duplicate"])
def test_fasta_errors_name_the_files(seqs, models, tmp_path, capsys, case):
    ref = _write_fasta(tmp_path / "r.fa", [("a", "ACGT" * 10), ("b", "ACGT" * 10), ("c", "ACGT" * 10)])
    if case == "unmatched":
        alt = _write_fasta(tmp_path / "a.fa", [("a", "ACGT" * 10), ("z", "ACGT" * 10)])
    elif case == "bad_letter":
        alt = _write_fasta(tmp_path / "a.fa", [("a", "ACGT" * 10), ("b", "ACGTR" * 8), ("c", "ACGT" * 10)])
    else:
        alt = _write_fasta(tmp_path / "a.fa", [("a", "ACGT" * 10), ("b", "ACGT" * 10), ("a", "ACGT" * 10)])
    out = tmp_path / "x.tsv"
    rc = deepallele_main(["predict", "--ref-fasta", str(ref), "--alt-fasta", str(alt), *models, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists() and str(alt) in err
    if case == "unmatched":
        assert str(ref) in err and "'b'" in err and "'c'" in err and "'z'" in err
    elif case == "bad_letter":
        assert "'b'" in err and "'R'" in err
    else:
        assert "'a'" in err and "more than once" in err


def test_input_kinds_are_exclusive_and_complete(seqs, models, tmp_path, capsys):
    out = tmp_path / "x.tsv"
    rc = deepallele_main(["predict", "--pairs", str(seqs["pairs"]), "--ref-fasta", str(seqs["ref_fa"]),
                          "--alt-fasta", str(seqs["alt_fa"]), *models, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and str(seqs["pairs"]) in err and str(seqs["ref_fa"]) in err and "one kind" in err
    rc = deepallele_main(["interpret", "--ref-fasta", str(seqs["ref_fa"]), *models, "--outdir", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and str(seqs["ref_fa"]) in err and "--alt-fasta" in err
    rc = deepallele_main(["predict", *models, "--out", str(out)])
    assert rc == 2 and "no input" in capsys.readouterr().err
    rc = deepallele_main(["predict", "--ref-fasta", str(seqs["ref_fa"]), "--alt-fasta", str(seqs["alt_fa"]),
                          "--split", "test", *models, "--out", str(out)])
    assert rc == 2 and "--split" in capsys.readouterr().err
    assert not out.exists()


# ----------------------------------------------------------------------------- BED + genomes
def _genome(d, rng, sizes):
    ref = {c: "".join(rng.choice(list("ACGT"), n)) for c, n in sizes.items()}
    (d / "ref.fa").write_text("".join(f">{c}\n{s}\n" for c, s in ref.items()))
    pysam.faidx(str(d / "ref.fa"))
    return ref


def _regions(rng, sizes, n, width=30):
    rows = []
    for c, size in sizes.items():
        for i, s in enumerate(rng.choice(np.arange(0, size - width), n, replace=False)):
            rows.append((f"{c}_r{i}", c, int(s), int(s) + width))
    return pd.DataFrame(rows, columns=["peak", "chrom", "start", "end"])


@pytest.fixture(scope="module")
def snp_genome(tmp_path_factory):
    """Reference and a SNP-only strain genome (same coordinates, no chain); regions, some at contig edges."""
    d = tmp_path_factory.mktemp("snp")
    rng = np.random.default_rng(5)
    sizes = {"chr1": 900, "chr2": 700}
    ref = _genome(d, rng, sizes)
    alt = {}
    for c, s in ref.items():
        seq = list(s)
        for p in rng.choice(len(seq), len(seq) // 15, replace=False):
            seq[p] = "ACGT"[("ACGT".index(seq[p]) + 1 + int(rng.integers(0, 3))) % 4]
        alt[c] = "".join(seq)
    (d / "alt.fa").write_text("".join(f">{c}\n{s}\n" for c, s in alt.items()))
    regions = _regions(rng, sizes, 4)
    regions.loc[0, ["start", "end"]] = (3, 20)  # window clipped at the contig start: shorter, right-padded
    regions.loc[len(regions) - 1, "peak"] = ""  # unnamed: chrom-start-end
    with open(d / "regions.bed", "w") as fh:
        fh.write("track name=test\n")
        for r in regions.itertuples():
            fh.write(f"{r.chrom}\t{r.start}\t{r.end}" + (f"\t{r.peak}\n" if r.peak else "\n"))
    return {"dir": d, "ref": ref, "alt": alt, "regions": regions, "bed": d / "regions.bed", "sizes": sizes}


def test_bed_equals_fasta_extracted_by_hand(snp_genome, models, tmp_path):
    g = snp_genome
    names, ref_recs, alt_recs = [], [], []
    for r in g["regions"].itertuples():
        centre = (r.start + r.end) // 2
        ws, we = max(centre - L // 2, 0), min(centre - L // 2 + L, g["sizes"][r.chrom])
        name = r.peak or f"{r.chrom}-{r.start}-{r.end}"
        names.append(name)
        ref_recs.append((name, g["ref"][r.chrom][ws:we]))
        alt_recs.append((name, g["alt"][r.chrom][ws:we]))
    assert len(ref_recs[0][1]) < L  # the clipped window
    ref_fa = _write_fasta(tmp_path / "r.fa", ref_recs)
    alt_fa = _write_fasta(tmp_path / "a.fa", alt_recs)
    bed_inputs = ["--bed", str(g["bed"]), "--ref-genome", str(g["dir"] / "ref.fa"), "--alt-genome",
                  str(g["dir"] / "alt.fa")]
    by_bed = _predict(tmp_path, models, *bed_inputs, name="bed.tsv")
    by_fasta = _predict(tmp_path, models, "--ref-fasta", str(ref_fa), "--alt-fasta", str(alt_fa), name="fa.tsv")
    assert by_bed["peak"].tolist() == names
    pd.testing.assert_frame_equal(by_bed, by_fasta)
    _same_attributions(_interpret(tmp_path, models, *bed_inputs, name="ib"),
                       _interpret(tmp_path, models, "--ref-fasta", str(ref_fa), "--alt-fasta", str(alt_fa),
                                  name="if"))


def test_bed_errors_name_the_files(snp_genome, models, tmp_path, capsys):
    g = snp_genome
    out = tmp_path / "x.tsv"
    bad_bed = tmp_path / "bad.bed"
    bad_bed.write_text("chr9\t10\t40\tq\n")
    rc = deepallele_main(["predict", "--bed", str(bad_bed), "--ref-genome", str(g["dir"] / "ref.fa"), "--alt-genome",
                          str(g["dir"] / "alt.fa"), *models, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and str(bad_bed) in err and "chr9" in err
    short = tmp_path / "short.fa"
    short.write_text("".join(f">{c}\n{s[:-5]}\n" for c, s in g["alt"].items()))
    rc = deepallele_main(["predict", "--bed", str(g["bed"]), "--ref-genome", str(g["dir"] / "ref.fa"), "--alt-genome",
                          str(short), *models, "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and str(short) in err and "--chain" in err
    rc = deepallele_main(["predict", "--bed", str(g["bed"]), "--ref-genome", str(g["dir"] / "ref.fa"), *models,
                          "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and str(g["bed"]) in err and "--alt-genome" in err
    assert not out.exists()


@pytest.fixture(scope="module")
def indel_genome(tmp_path_factory):
    """A strain pseudogenome with SNPs and indels, its chain and VCF, and the dataset stage's pairs.h5 of 10 regions."""
    d = tmp_path_factory.mktemp("indel")
    rng = np.random.default_rng(9)
    sizes = {"chr1": 1200, "chr3": 800}
    ref = _genome(d, rng, sizes)
    records = []
    for c, size in sizes.items():
        for j, p0 in enumerate(range(20, size - 20, 29)):
            if j % 5 == 1:
                records.append((c, p0 + 1, ref[c][p0], ref[c][p0] + "".join(rng.choice(list("ACGT"), 3))))
            elif j % 5 == 3:
                records.append((c, p0 + 1, ref[c][p0:p0 + 3], ref[c][p0]))
            else:
                b = ref[c][p0]
                records.append((c, p0 + 1, b, "ACGT"[("ACGT".index(b) + 1) % 4]))
    contigs = "".join(f"##contig=<ID={c},length={n}>\n" for c, n in sizes.items())
    (d / "strain.vcf").write_text(VCF_HEADER.format(contigs=contigs) + "".join(
        f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t.\tGT\t1/1\n" for c, p, r, a in records))
    vcf = pysam.tabix_index(str(d / "strain.vcf"), preset="vcf", force=True)
    build_pseudogenome(d / "ref.fa", vcf, d / "strain.fa", d / "chain.txt")
    regions = _regions(rng, {c: n - 40 for c, n in sizes.items()}, 5)
    regions.loc[:, ["start", "end"]] += 20
    regions["ref_count"], regions["alt_count"] = 10, 20
    regions.to_csv(d / "counts.tsv", sep="\t", index=False)
    regions[["chrom", "start", "end", "peak"]].to_csv(d / "regions.bed", sep="\t", index=False, header=False)
    build_paired_dataset(d / "counts.tsv", d / "ref.fa", d / "strain.fa", d / "chain.txt", vcf, d / "pairs.h5", L,
                         scheme="heldout", val=("chr2",), test=("chr3",), window=50)
    return {"dir": d, "vcf": vcf, "pairs": d / "pairs.h5", "bed": d / "regions.bed"}


def test_bed_with_chain_and_vcf_equals_the_dataset_stage(indel_genome, models, tmp_path):
    g = indel_genome
    data = read_pairs_h5(g["pairs"])
    assert (data["variants"]["kind"] != "snp").any() and (data["alt_length"] != data["ref_length"]).any()
    bed_inputs = ["--bed", str(g["bed"]), "--ref-genome", str(g["dir"] / "ref.fa"), "--alt-genome",
                  str(g["dir"] / "strain.fa"), "--chain", str(g["dir"] / "chain.txt"), "--vcf", g["vcf"],
                  "--window", "50"]
    by_bed = _predict(tmp_path, models, *bed_inputs, name="bed.tsv")
    by_pairs = _predict(tmp_path, models, "--pairs", str(g["pairs"]), name="pairs.tsv")
    pd.testing.assert_frame_equal(by_bed[["row", "peak", *PRED]], by_pairs[["row", "peak", *PRED]])
    a = _interpret(tmp_path, models, *bed_inputs, name="ib")
    b = _interpret(tmp_path, models, "--pairs", str(g["pairs"]), name="ip")
    _same_attributions(a, b)
    ea = pd.read_csv(a / "seed0.variant_effects.tsv", sep="\t")
    eb = pd.read_csv(b / "seed0.variant_effects.tsv", sep="\t")
    assert len(ea) == len(data["variants"]) > 0 and ea["effect"].notna().any()
    pd.testing.assert_frame_equal(ea, eb)
