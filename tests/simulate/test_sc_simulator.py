"""The 10x-like scATAC simulator: files, barcodes and their errors, reads against the genomes,
cell-type programs and per-type truth ratios, determinism, and the bulk path left as it was."""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest
import yaml
from scipy import stats

from deepallele.simulate import scatac as S
from deepallele.simulate.run import (_package_yaml, dataset_params, simulate_fragments, unit_names,
                                     write_unit_fastqs)

SC, BULK, GENOME = "tiny_sc", "tiny_bulk", "tiny_g"
# small enough for ~70 k read pairs; more imbalanced regions and type-specific ratios than the
# defaults, so a few dozen regions carry each effect
SC_PARAMS = {"seed": 41, "n_regions": 60, "causal_fraction": 0.6, "n_cells": [40, 30], "empty_droplets": 200,
             "fragments_per_cell": 600, "whitelist_size": 3000, "whitelist_close_pairs": 5,
             "type_specific_fraction": 0.4}
CONFIG = {
    "genomes": {GENOME: {"reference_name": "B6", "strain_name": "CAST",
                         "simulate": {"seed": 40, "genome_size": 600000}}},
    "datasets": {SC: {"genome": GENOME, "assay": "scatac", "simulate": SC_PARAMS},
                 BULK: {"genome": GENOME, "assay": "atac", "simulate": {"seed": 42, "n_regions": 30,
                                                                         "fragments_per_region": 40}}},
}


def _revcomp(s: str) -> str:
    return s[::-1].translate(str.maketrans("ACGTN", "TGCAN"))


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _fastq(path):
    """(name, comment, sequence, quality) of each record."""
    with gzip.open(path, "rt") as fh:
        while True:
            head = fh.readline().rstrip("\n")
            if not head:
                return
            seq, _, qual = fh.readline().rstrip("\n"), fh.readline(), fh.readline().rstrip("\n")
            name, _, comment = head[1:].partition(" ")
            yield name, comment, seq, qual


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Path:
    """The config simulated through ``deepallele simulate`` (schema, checks, the scatac dispatch)."""
    from deepallele.cli import main

    out = tmp_path_factory.mktemp("sc_sim")
    path = out / "config.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    assert main(["simulate", "--config", str(path), "--outdir", str(out / "sim")]) == 0
    return out / "sim"


@pytest.fixture(scope="module")
def params() -> dict:
    return dataset_params("scatac", SC_PARAMS)


@pytest.fixture(scope="module")
def ddir(sim) -> Path:
    return sim / "datasets" / SC


@pytest.fixture(scope="module")
def truth(ddir) -> dict[str, pd.DataFrame]:
    read = {"keep_default_na": False, "sep": "\t"}
    return {"cells": pd.read_csv(ddir / "truth/cells.tsv", **read),
            "peaks": pd.read_csv(ddir / "truth/peaks.tsv", **read),
            "fragments": pd.read_csv(ddir / "truth/fragments.tsv.gz", **read),
            "reads": pd.read_csv(ddir / "truth/reads.tsv.gz", **read)}


# --- parameters and files --------------------------------------------------------------------


def test_scatac_params_layer_on_atac_and_leave_bulk_alone():
    defaults = _package_yaml("simulate_defaults.yaml")["dataset"]
    p = dataset_params("scatac", None)
    assert p["grammar"] == "atac" and p["adapter"] == "nextera" and p["nucleosome_ladder"]
    assert p["read_length"] == 50 and p["barcode_orientation"] == "revcomp" and p["cell_types"] == ["Treg", "Tconv"]
    for assay in ("chip", "atac"):
        assert dataset_params(assay, None) == {**defaults["common"], **defaults[assay]}
        assert "n_cells" not in dataset_params(assay, None)
    with pytest.raises(ValueError, match="scatac"):
        dataset_params("rna", None)


def test_files_and_columns(ddir, truth, params):
    for name in ("whitelist.txt.gz", "cell_types.tsv", "known_peaks.bed", "truth/regions.tsv", "truth/variants.tsv",
                 "truth/sites.tsv"):
        assert (ddir / name).stat().st_size > 0, name
    assert list(truth["cells"].columns[:4]) == ["barcode", "cell_type", "is_cell", "n_fragments"]
    assert list(truth["fragments"].columns[:8]) == ["chrom", "ref_start", "ref_end", "barcode", "allele", "n_reads",
                                                    "source", "fragment_id"]
    assert list(truth["reads"].columns[:6]) == ["read_name", "fragment_id", "unit", "true_barcode",
                                                "observed_barcode", "n_barcode_errors"]
    assert {"region_id", "class", "ln_ratio_Treg", "ln_ratio_Tconv", "type_specific_ratio"} <= set(truth["peaks"])
    sheet = pd.read_csv(ddir / "samples.tsv", sep="\t", keep_default_na=False)
    assert list(sheet.columns) == ["sample", "unit", "fastq_1", "fastq_2", "fastq_barcode", "fastq_index", "sra"]
    assert list(sheet["unit"]) == ["L001", "L002"]
    assert sheet.loc[0, "fastq_1"] == f"reads/{params['sample']}_S1_L001_R1_001.fastq.gz"
    assert sheet.loc[0, "fastq_2"].endswith("_S1_L001_R3_001.fastq.gz")
    assert sheet.loc[0, "fastq_barcode"].endswith("_S1_L001_R2_001.fastq.gz")
    assert sheet.loc[1, "fastq_index"].endswith("_S1_L002_I1_001.fastq.gz")
    for col in ("fastq_1", "fastq_2", "fastq_barcode", "fastq_index"):
        assert all((ddir / p).exists() for p in sheet[col])
    peaks = pd.read_csv(ddir / "known_peaks.bed", sep="\t", header=None, names=["chrom", "start", "end", "region_id"])
    assert list(peaks["region_id"]) == list(truth["peaks"]["region_id"])
    # lanes split the read pairs
    per_unit = truth["reads"]["unit"].value_counts()
    assert set(per_unit.index) == {"L001", "L002"} and abs(per_unit["L001"] - per_unit["L002"]) <= 1


def test_cells_table_and_truth(ddir, truth, params):
    cells, frags = truth["cells"], truth["fragments"]
    true_cells = cells[cells["is_cell"]]
    assert true_cells["cell_type"].value_counts().to_dict() == {"Treg": 40, "Tconv": 30}
    empty = cells[~cells["is_cell"]]
    assert len(empty) == 200 and (empty["cell_type"] == "").all()
    assert empty["n_fragments"].max() <= params["empty_fragments_max"]
    assert true_cells["n_fragments"].median() == pytest.approx(600, rel=0.15)
    # cells' and empty droplets' barcodes are distinct whitelist entries
    whitelist = set(gzip.open(ddir / "whitelist.txt.gz", "rt").read().split())
    assert cells["barcode"].is_unique and set(cells["barcode"]) <= whitelist
    assert frags.groupby("barcode").size().reindex(cells["barcode"]).fillna(0).astype(int).tolist() == \
        cells["n_fragments"].tolist()
    # the pipeline's table: header, "-1" suffixes, true cells less a few
    table = pd.read_csv(ddir / "cell_types.tsv", sep="\t")
    assert list(table.columns) == ["barcode", "cell_type"]
    assert table["barcode"].str.endswith("-1").all()
    types = dict(zip(true_cells["barcode"], true_cells["cell_type"]))
    assert all(types[b[:-2]] == t for b, t in zip(table["barcode"], table["cell_type"]))
    assert 0.85 * len(true_cells) <= len(table) < len(true_cells) + 1


def test_whitelist_distances(ddir, truth, params):
    lines = gzip.open(ddir / "whitelist.txt.gz", "rt").read().split()
    assert len(lines) == params["whitelist_size"] and lines == sorted(lines) and len(set(lines)) == len(lines)
    codes = S.barcode_codes(lines)
    packed = S._pack(codes)
    assert S.barcode_strings(S._unpack(packed)) == lines
    # every pair, brute force
    close = []
    for i in range(0, packed.size, 500):
        d = S.hamming_packed(packed[i:i + 500, None], packed[None, :])
        for a, b in zip(*np.nonzero(d < 3)):
            if i + a < b:
                close.append((i + a, b, d[a, b]))
    assert len(close) == params["whitelist_close_pairs"]
    assert all(d == 2 for _, _, d in close)
    members = [x for a, b, _ in close for x in (a, b)]
    assert len(set(members)) == len(members)   # each barcode in at most one close pair
    # both members are cells: a read one error from each is ambiguous
    cells = set(truth["cells"].loc[truth["cells"]["is_cell"], "barcode"])
    assert {lines[m] for m in members} <= cells
    # the block index finds the same pairs as brute force
    assert sorted(map(tuple, S.close_pairs(packed).tolist())) == sorted((a, b) for a, b, _ in close)


def test_whitelist_is_deterministic_and_separated():
    a, pa = S.make_whitelist(4000, 3, np.random.default_rng(7))
    b, pb = S.make_whitelist(4000, 3, np.random.default_rng(7))
    assert np.array_equal(a, b) and np.array_equal(pa, pb)
    assert (S.hamming_packed(a[pa[:, 0]], a[pa[:, 1]]) == 2).all()
    assert len(S.close_pairs(a)) == 3


# --- barcodes on R2 ------------------------------------------------------------------------


def test_barcode_error_rates(truth, params):
    reads = truth["reads"]
    n = len(reads)
    obs, true = reads["observed_barcode"], reads["true_barcode"]
    has_n = obs.str.contains("N")
    k = reads["n_barcode_errors"]
    assert ((obs != true) == (k > 0)).all()
    mism = np.array([sum(a != b for a, b in zip(o, t)) for o, t in zip(obs, true)])
    assert (mism == k).all()
    assert (has_n <= (k == 1)).all() and obs.str.count("N").max() == 1

    def near(rate, value):
        return value == pytest.approx(rate, abs=4 * np.sqrt(rate / n) + 1e-4)
    assert near(params["barcode_error_rate"], ((k == 1) & ~has_n).mean())
    assert near(params["barcode_double_error_rate"], (k == 2).mean())
    assert near(params["barcode_n_rate"], has_n.mean())


def _r2_records(ddir, unit="L001"):
    sheet = pd.read_csv(ddir / "samples.tsv", sep="\t", keep_default_na=False).set_index("unit")
    return {read: ddir / sheet.loc[unit, col] for read, col in
            (("R1", "fastq_1"), ("R2", "fastq_barcode"), ("R3", "fastq_2"), ("I1", "fastq_index"))}


def test_r2_holds_reverse_complemented_observed_barcodes(ddir, truth, params):
    files = _r2_records(ddir)
    reads = truth["reads"].set_index("read_name")
    low_q, n_seen = [], 0
    records = zip(*(_fastq(files[r]) for r in ("I1", "R1", "R2", "R3")))
    for (ni, ci, si, qi), (n1, c1, _, _), (n2, c2, s2, q2), (n3, c3, _, _) in records:
        assert ni == n1 == n2 == n3       # one name in all four files
        assert (c1[0], c2[0], c3[0]) == ("1", "2", "3") and c2.endswith(params["sample_index"])
        assert si == params["sample_index"] and len(qi) == 8
        t = reads.loc[n2]
        assert t["unit"] == "L001"
        assert len(s2) == len(q2) == 16
        assert _revcomp(s2) == t["observed_barcode"]   # written in reverse complement
        # the changed bases carry low qualities, aligned with their bases after the flip
        q = [ord(c) - 33 for c in q2[::-1]]
        for j, (o, tb) in enumerate(zip(t["observed_barcode"], t["true_barcode"])):
            if o == "N":
                assert q[j] == S.N_QUALITY
            elif o != tb:
                low_q.append(q[j])
        n_seen += 1
    assert n_seen == (truth["reads"]["unit"] == "L001").sum()
    lo, hi = params["barcode_error_quality"]
    assert low_q and min(low_q) >= lo and max(low_q) <= hi


def test_forward_orientation_writes_the_whitelist_strand(ddir, tmp_path, sim, params):
    out = tmp_path / "fwd"
    (out / "datasets").mkdir(parents=True)
    import shutil

    shutil.copytree(ddir, out / "datasets" / SC, ignore=shutil.ignore_patterns("reads"))
    p = {**params, "barcode_orientation": "forward"}
    n = S.write_sc_unit_fastqs(SC, "L002", p, sim / "genomes" / GENOME, out)
    files = _r2_records(out / "datasets" / SC, "L002")
    observed = pd.read_csv(out / "datasets" / SC / "truth/reads.tsv.gz", sep="\t").set_index("read_name")
    got = [(name, seq) for name, _, seq, _ in _fastq(files["R2"])]
    assert len(got) == n
    assert all(observed.loc[name, "observed_barcode"] == seq for name, seq in got[:2000])


# --- reads against the genomes ------------------------------------------------------------


def test_r1_r3_read_the_fragment_on_its_own_allele(ddir, sim, truth, params):
    gdir = sim / "genomes" / GENOME
    ref, strain = pysam.FastaFile(str(gdir / "reference.fa")), pysam.FastaFile(str(gdir / "truth/strain.fa"))
    frags = truth["fragments"].set_index("fragment_id")
    reads = truth["reads"].set_index("read_name")
    files = _r2_records(ddir)
    L = params["read_length"]
    good = mism = short = through = checked_ref = 0
    for (name, _, s1, q1), (_, _, s3, q3) in zip(_fastq(files["R1"]), _fastq(files["R3"])):
        r = reads.loc[name]
        f = frags.loc[r["fragment_id"]]
        if f["allele"] == "ref":
            # ref fragments: the truth's reference coordinates are the insert itself
            seq = ref.fetch(f["chrom"], int(f["ref_start"]), int(f["ref_end"]))
            checked_ref += 1
        else:
            seq = strain.fetch(f["chrom"], int(f["allele_start"]), int(f["allele_end"]))
        want1, want3 = (seq, _revcomp(seq)) if r["r1_forward"] else (_revcomp(seq), seq)
        n = min(len(seq), L)
        for got, want, qual in ((s1, want1, q1), (s3, want3, q3)):
            for a, b, q in zip(got[:n], want[:n], qual[:n]):
                if ord(q) - 33 >= 30:
                    good += 1
                    mism += a != b
        if len(seq) < L:
            short += 1
            through += s1[len(seq):len(seq) + 10] == "CTGTCTCTTATACACATCT"[:min(10, L - len(seq))]
        if good > 300_000:
            break
    assert checked_ref > 500
    assert mism / good < 0.003          # Q >= 30 bases: errors at most 1 in 1000
    assert short and through / short > 0.8   # Nextera read-through past short fragments


def test_fragments_follow_the_truth_conventions(truth, params):
    frags, cells = truth["fragments"], truth["cells"]
    assert frags["fragment_id"].tolist() == list(range(len(frags)))
    assert (frags["ref_end"] > frags["ref_start"]).all()
    assert not frags.duplicated(["chrom", "ref_start", "ref_end", "barcode"]).any()
    # one copy per allele in a cell: a Tn5 cut starts or ends one fragment
    for cut in ("allele_start", "allele_end"):
        assert not frags.duplicated(["barcode", "allele", "chrom", cut]).any()
    ref = frags["allele"] == "ref"
    assert (frags.loc[ref, "ref_start"] == frags.loc[ref, "allele_start"]).all()
    # alt fragments: reference coordinates moved by the strain's indels on some
    alt = frags[~ref]
    assert (alt["ref_start"] != alt["allele_start"]).mean() > 0.2
    # duplicates: every read pair a fragment's, n_reads of them
    per_frag = truth["reads"]["fragment_id"].value_counts().reindex(frags["fragment_id"]).fillna(0)
    assert (per_frag.to_numpy() == frags["n_reads"].to_numpy()).all()
    assert 1 - len(frags) / len(truth["reads"]) == pytest.approx(params["duplicate_rate"], abs=0.02)
    # FRiP of cells, chrM, fragment lengths from the nucleosome ladder
    in_cells = frags["barcode"].isin(cells.loc[cells["is_cell"], "barcode"])
    assert (frags.loc[in_cells, "source"] != "background").mean() == pytest.approx(params["frip"], abs=0.03)
    assert (frags.loc[in_cells, "chrom"] == "chrM").mean() == pytest.approx(params["chrM_fraction"], abs=0.01)
    length = frags["allele_end"] - frags["allele_start"]
    w = np.array([c[0] for c in params["nucleosome_ladder"]])
    assert (length < 150).mean() == pytest.approx(w[0] / w.sum(), abs=0.05)


# --- cell-type programs and ratios ---------------------------------------------------------


def _per_type_counts(truth) -> pd.DataFrame:
    frags, cells = truth["fragments"], truth["cells"]
    types = dict(zip(cells["barcode"], cells["cell_type"]))
    sig = frags[frags["source"] != "background"].assign(cell_type=lambda d: d["barcode"].map(types))
    sig = sig[sig["cell_type"] != ""]
    return sig.groupby(["source", "cell_type", "allele"]).size().unstack(["cell_type", "allele"], fill_value=0)


def test_type_specific_peaks_are_open_in_their_own_type(truth):
    peaks = truth["peaks"].set_index("region_id")
    assert peaks["class"].value_counts().to_dict() == {"shared": 30, "Treg": 15, "Tconv": 15}
    counts = _per_type_counts(truth).T.groupby(level="cell_type").sum().T.reindex(peaks.index).fillna(0)
    n_cells = truth["cells"].loc[truth["cells"]["is_cell"], "cell_type"].value_counts()
    per_cell = counts / n_cells
    for own, other in (("Treg", "Tconv"), ("Tconv", "Treg")):
        sel = peaks["class"] == own
        assert per_cell.loc[sel, own].sum() > 5 * per_cell.loc[sel, other].sum()
        assert (per_cell.loc[sel, own] > per_cell.loc[sel, other]).mean() > 0.9
    # the truth's counts are those of the fragment file
    assert (counts["Treg"] == peaks["fragments_Treg"]).all()


def test_alleles_follow_the_per_type_truth_ratio(truth):
    peaks = truth["peaks"].set_index("region_id")
    regions_ratio = peaks["ln_ratio_Treg"]
    counts = _per_type_counts(truth).reindex(peaks.index).fillna(0)
    ratios = {}
    for t in ("Treg", "Tconv"):
        ref, alt = counts[(t, "ref")], counts[(t, "alt")]
        deep = (ref + alt) >= 50
        obs = np.log(ref + 0.5) - np.log(alt + 0.5)
        ratios[t] = obs
        assert stats.pearsonr(obs[deep], peaks.loc[deep, f"ln_ratio_{t}"])[0] > 0.9
    # the first type follows the sequence (the genome truth) everywhere
    regions = truth["peaks"].set_index("region_id")
    assert (regions["ln_ratio_Treg"] == regions_ratio).all()
    specific = peaks[peaks["type_specific_ratio"]]
    assert len(specific) >= 4 and (specific["class"] == "shared").all()
    assert set(specific["ratio_change"]) <= {"neutral", "reversed"}
    assert (specific["ln_ratio_Treg"].abs() >= 0.2).all()
    expect = np.where(specific["ratio_change"] == "neutral", 0.0, -specific["ln_ratio_Treg"])
    assert np.allclose(specific["ln_ratio_Tconv"], expect, atol=1e-5)
    # at those peaks Tconv's observed ratio is nearer its own truth than Treg's
    tconv = ratios["Tconv"][specific.index]
    assert np.abs(tconv - specific["ln_ratio_Tconv"]).mean() < np.abs(tconv - specific["ln_ratio_Treg"]).mean()
    other = peaks[~peaks["type_specific_ratio"]]
    assert np.allclose(other["ln_ratio_Tconv"], other["ln_ratio_Treg"])


# --- determinism and the bulk path -------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(sim, ddir, tmp_path, params):
    out = tmp_path / "again"
    stats_ = S.simulate_sc_fragments(SC, params, sim / "genomes" / GENOME, out)
    for u in unit_names(params):
        S.write_sc_unit_fastqs(SC, u, params, sim / "genomes" / GENOME, out)
    first, second = _digest(ddir), _digest(out / "datasets" / SC)
    assert first.keys() == second.keys() and first == second
    assert sum(k.endswith("_001.fastq.gz") for k in first) == 8
    assert stats_["read_pairs"] == len(pd.read_csv(ddir / "truth/reads.tsv.gz", sep="\t", usecols=["unit"]))


def test_bulk_dataset_beside_scatac_is_simulated_as_before(sim, tmp_path):
    """The CLI's bulk branch is the one it always was: the same bytes as calling it directly."""
    p = dataset_params("atac", CONFIG["datasets"][BULK]["simulate"])
    out = tmp_path / "bulk"
    gdir = sim / "genomes" / GENOME
    simulate_fragments(BULK, "atac", p, gdir, out)
    for u in unit_names(p):
        base = out / "datasets" / BULK / "reads" / f"{p['sample']}_{u}"
        write_unit_fastqs(BULK, u, p, gdir, out / "datasets" / BULK / "truth/reads.tsv.gz",
                          Path(f"{base}_R1.fastq.gz"), Path(f"{base}_R2.fastq.gz"))
    assert _digest(sim / "datasets" / BULK) == _digest(out / "datasets" / BULK)
    sheet = pd.read_csv(sim / "datasets" / BULK / "samples.tsv", sep="\t")
    assert list(sheet.columns) == ["sample", "unit", "fastq_1", "fastq_2", "sra"]
    # both datasets' regions were planted on the genome, disjoint
    regions = pd.read_csv(sim / "genomes" / GENOME / "truth/regions.tsv", sep="\t")
    assert regions["dataset"].value_counts().to_dict() == {SC: 60, BULK: 30}
