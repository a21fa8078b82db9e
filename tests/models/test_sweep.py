"""The settings sweep: every run trained and tabulated, gains and spreads computed by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from deepallele.models import sweep


def test_summarize_hand_values():
    t = pd.DataFrame({
        "setting": ["s"] * 4, "dataset": ["d"] * 4, "model": ["deepallele", "deepallele", "ref_only", "ref_only"],
        "seed": [0, 1, 0, 1], "val_ratio": [0.6, 0.8, 0.5, 0.3], "test_ratio": [0.5, 0.5, 0.2, 0.4],
        "val_count": [0.5, 0.5, 0.4, 0.4], "test_count": [0.6, 0.4, 0.3, 0.5], "error": [None] * 4})
    s = sweep.summarize(t).iloc[0]
    assert s["val_gain_vs_ref_only"] == pytest.approx(0.7 - 0.4)
    assert s["test_gain_vs_ref_only"] == pytest.approx(0.5 - 0.3)
    assert s["val_count_spread"] == pytest.approx(0.1) and s["test_count_spread"] == pytest.approx(0.1)
    assert s["runs"] == 4


def test_sweep_trains_every_combination(toy_pairs, tmp_path, tiny_arch):
    settings = {"tiny": (tiny_arch, {"max_epochs": 1})}
    t = sweep.run_sweep({"toy": (str(toy_pairs), "atac")}, settings, ["deepallele", "ref_only"], [0, 1],
                        tmp_path, workers=1, accelerator="cpu", log=lambda *_: None)
    assert len(t) == 4 and ("error" not in t or t["error"].isna().all())
    # a barely trained baseline (ReLU output) may predict a constant: r undefined (NaN), not an error
    assert {"val_ratio", "test_ratio", "val_count", "test_count", "epochs"} <= set(t.columns)
    assert t.loc[t["model"] == "deepallele", ["val_ratio", "test_ratio"]].notna().all().all()
    written = pd.read_csv(tmp_path / "sweep.tsv", sep="\t")
    assert len(written) == 4
    summary = pd.read_csv(tmp_path / "summary.tsv", sep="\t")
    assert "test_gain_vs_ref_only" in summary.columns and summary["runs"].iloc[0] == 4


def test_bad_dataset_argument_is_named(tmp_path):
    with pytest.raises(SystemExit):
        sweep.main(["--dataset", f"x={tmp_path}/missing.h5:chip", "--outdir", str(tmp_path)])
    with pytest.raises(SystemExit):
        sweep.main(["--dataset", "nonsense", "--outdir", str(tmp_path)])


def test_holdout_copy_hides_the_test_split(tmp_path):
    import h5py
    import numpy as np

    from deepallele.datasets.store import write_minimal_pairs

    split = ["train", "train", "train", "val", "test", "test"]
    chrom = ["chr1", "chr2", "chr3", "chr16", "chr17", "chr18"]
    codes = np.zeros((6, 8), np.uint8)
    y = np.arange(18, dtype=np.float32).reshape(6, 3)
    write_minimal_pairs(tmp_path / "p.h5", codes, codes, y, split, chrom=chrom)
    counts = sweep.holdout_copy(tmp_path / "p.h5", ["chr2", "chr17"], tmp_path / "h.h5")
    with h5py.File(tmp_path / "h.h5") as h5:
        new = h5["split"][:].astype(str).tolist()
        np.testing.assert_array_equal(h5["y"][:], y)  # only the split changes
    # chr17 is a test chromosome: hidden like chr18, not reused
    assert new == ["train", "test", "train", "val", "hidden", "hidden"]
    assert counts == {"train": 2, "val": 1, "test": 1, "hidden": 2}
    with pytest.raises(ValueError, match="no training rows on chrZ"):
        sweep.holdout_copy(tmp_path / "p.h5", ["chrZ"], tmp_path / "z.h5")
    with pytest.raises(ValueError, match="no training rows left"):
        sweep.holdout_copy(tmp_path / "p.h5", ["chr1", "chr2", "chr3"], tmp_path / "all.h5")
    assert not (tmp_path / "z.h5").exists() and not (tmp_path / "all.h5").exists()


def test_named_settings_match_the_configs(repo):
    """The sweep's 'demo' and 'validation' settings are the two config files' training blocks."""
    import yaml

    demo = yaml.safe_load((repo / "config/config.yaml").read_text())["models"]["training"]
    validation = yaml.safe_load((repo / "config/validation.yaml").read_text())
    big = validation["datasets"]["big_chip"]["models"]["training"]
    assert sweep.SETTINGS["demo"][1] == demo
    assert sweep.SETTINGS["validation"][1] == {**demo, **big}
