"""Processed-data entry points end to end: a count table in Link et al.'s format and an HDF5 in
the authors' layout, both written from the tiny ChIP dataset, each train through to the figures
by config alone, and give the same model inputs as the dataset they were written from."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

from deepallele.datasets.authors_h5 import export_authors_h5
from deepallele.datasets.store import read_pairs_h5

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def imported_run(tiny_run, tiny_config_path, snakemake_run, tmp_path_factory):
    """Two datasets made from tiny_chip's outputs, run in a folder of their own (the tiny run's
    folder stays as the other tests expect it): a Link-format count table on the tiny genome's
    files given as a user's (reference FASTA + strain VCF), and tiny_chip's pairs.h5 exported
    in the authors' layout."""
    work = tmp_path_factory.mktemp("imported_run")
    counts = pd.read_csv(tiny_run / "results/tiny_chip/counts/allele_counts.tsv", sep="\t")
    # Link et al.'s layout: a peak ID carrying 1-based coordinates and one count column per allele
    link = pd.DataFrame({
        "ID": [f"{c}-{s + 1}-{e}" for c, s, e in zip(counts["chrom"], counts["start"], counts["end"])],
        "F1_FPC_PU1_C57": counts["ref_count"], "F1_FPC_PU1_PWK": counts["alt_count"],
    })
    link.to_csv(work / "peaks_F1_tiny_PU1_notx.txt", sep="\t", index=False)
    export_authors_h5(tiny_run / "results/tiny_chip/data/pairs.h5", work / "authors_layout.hdf5", layout="chip")
    genome = tiny_run / "resources/simulated/genomes/tiny_pwk"
    tiny = yaml.safe_load(tiny_config_path.read_text())
    # the model stage on two types x one seed (4 trainings, not the tiny run's 16): these datasets
    # test the entry points, and the figures need DeepAllele and its ref_only baseline only
    models = {**tiny["models"], "types": ["deepallele", "ref_only"], "seeds": [0]}
    config = {
        "picard_cmd": tiny["picard_cmd"], "models": models, "threads": tiny["threads"],
        "genomes": {"tiny_pwk_files": {"reference_name": "B6", "strain_name": "PWK",
                                       "reference_fasta": str(genome / "reference.fa"),
                                       "strain_vcf": str(genome / "strain.vcf.gz")},
                    "tiny_names": {"reference_name": "B6", "strain_name": "PWK"}},
        "datasets": {
            "tiny_chip_table": {"genome": "tiny_pwk_files", "assay": "chip", "count_table": {
                "path": str(work / "peaks_F1_tiny_PU1_notx.txt"), "id_column": "ID",
                "ref_column": "F1_FPC_PU1_C57", "alt_column": "F1_FPC_PU1_PWK"}},
            "tiny_chip_h5": {"genome": "tiny_names", "assay": "chip",
                             "authors_h5": {"path": str(work / "authors_layout.hdf5")}},
        },
    }
    (work / "imported.yaml").write_text(yaml.safe_dump(config))
    res = snakemake_run("--directory", str(work), "--configfile", str(work / "imported.yaml"), "--cores", "2",
                        cwd=work)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-6000:]
    return {"work": work, "tiny": tiny_run}


@pytest.mark.parametrize("dataset", ["tiny_chip_table", "tiny_chip_h5"])
def test_imported_dataset_reaches_the_figures(imported_run, dataset):
    work = imported_run["work"]
    figures = work / f"results/{dataset}/figures"
    for name in ("fig1c_counts.png", "fig1d_ratio.png"):
        assert (figures / name).stat().st_size > 0, name
    assert (work / f"results/{dataset}/metrics/performance.tsv").exists()
    # no read stage ran for it
    assert not (work / f"results/{dataset}/alleles").exists()
    assert not (work / f"results/{dataset}/qc").exists()


def test_count_table_route_gives_the_same_model_inputs(imported_run):
    original = read_pairs_h5(imported_run["tiny"] / "results/tiny_chip/data/pairs.h5")
    imported = read_pairs_h5(imported_run["work"] / "results/tiny_chip_table/data/pairs.h5")
    np.testing.assert_array_equal(imported["ref_codes"], original["ref_codes"])
    np.testing.assert_array_equal(imported["alt_codes"], original["alt_codes"])
    np.testing.assert_allclose(imported["y"], original["y"], rtol=0, atol=1e-6)
    assert list(imported["split"]) == list(original["split"])


def test_authors_h5_route_gives_the_same_model_inputs_and_round_trips(imported_run):
    original = read_pairs_h5(imported_run["tiny"] / "results/tiny_chip/data/pairs.h5")
    imported = read_pairs_h5(imported_run["work"] / "results/tiny_chip_h5/data/pairs.h5")
    np.testing.assert_array_equal(imported["ref_codes"], original["ref_codes"])
    np.testing.assert_array_equal(imported["alt_codes"], original["alt_codes"])
    np.testing.assert_allclose(imported["y"], original["y"], rtol=0, atol=1e-6)
    assert list(imported["split"]) == list(original["split"])
    # export of the import reproduces the file it was imported from
    work = imported_run["work"]
    again = work / "again.hdf5"
    export_authors_h5(work / "results/tiny_chip_h5/data/pairs.h5", again, layout="chip")
    with h5py.File(work / "authors_layout.hdf5") as a, h5py.File(again) as b:
        assert sorted(a) == sorted(b)
        for name in a:
            np.testing.assert_array_equal(a[name][()], b[name][()], err_msg=name)
