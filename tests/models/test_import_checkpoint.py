"""Import of the authors' checkpoints: outputs equal a functional forward written here from the
authors' description (da-public-interfaces §1.3-1.4), parameter counts, restricted unpickling,
Figshare folder ZIPs, and clear errors for wrong shapes, missing keys and damaged files."""
from __future__ import annotations

import json
import os
import zipfile

import pytest
import torch
import torch.nn.functional as F

from deepallele.cli import main as deepallele_main
from deepallele.models.authors import (authors_input, import_checkpoint, import_state_dict,
                                       load_authors_checkpoint)
from deepallele.models.modelfile import ModelFileError, load_model_file

ATAC = {"conv_layers": 4, "kernel_number": 256, "kernel_length": 15, "filter_number": 256, "kernel_size": 5,
        "pooling_size": 4, "h_layers": 2, "hidden_size": 256, "input_length": 660}
CHIP = {**ATAC, "conv_layers": 6, "pooling_size": 2, "input_length": 1102}
TINY = {"conv_layers": 2, "kernel_number": 6, "kernel_length": 7, "filter_number": 5, "kernel_size": 3,
        "pooling_size": 3, "h_layers": 1, "hidden_size": 8, "input_length": 2 * 40}
FIXED = {"dropout": 0.2, "padding": "same", "pooling_type": "avg", "learning_rate": 1e-4, "conv_repeat": 1,
         "dilation": 1, "first_batch_norm": True, "all_batch_norm": True, "scheduler": "cycle", "mask": None,
         "activation": False}


def _pooled(n, p, k):
    for _ in range(k):
        n = -(-n // p)
    return n


def authors_state_dict(hp: dict, kind: str = "mh", seed: int = 0) -> dict:
    """A state_dict in the authors' key layout and order, random tensors of the right scale."""
    g = torch.Generator().manual_seed(seed)
    K, KL, Fn, KS, H, h = (hp[k] for k in ("kernel_number", "kernel_length", "filter_number", "kernel_size",
                                           "hidden_size", "h_layers"))
    sd = {}

    def lin(name, n_out, n_in):
        sd[f"{name}.weight"] = torch.randn(n_out, n_in, generator=g) / n_in ** 0.5
        sd[f"{name}.bias"] = torch.randn(n_out, generator=g) * 0.1

    def conv(name, n_out, n_in, k):
        sd[f"{name}.weight"] = torch.randn(n_out, n_in, k, generator=g) / (n_in * k) ** 0.5
        sd[f"{name}.bias"] = torch.randn(n_out, generator=g) * 0.1

    def bn(name, n):
        sd[f"{name}.weight"] = 1 + 0.1 * torch.randn(n, generator=g)
        sd[f"{name}.bias"] = 0.1 * torch.randn(n, generator=g)
        sd[f"{name}.running_mean"] = 0.2 * torch.randn(n, generator=g)
        sd[f"{name}.running_var"] = 0.5 + torch.rand(n, generator=g)
        sd[f"{name}.num_batches_tracked"] = torch.tensor(1234)

    conv("conv0.0", K, 4, KL)
    bn("conv0.2", K)
    conv("convlayers.0.0", Fn, K, KS)
    bn("convlayers.0.2", Fn)
    for i in range(hp["conv_layers"]):
        conv(f"convlayers.{2 * i + 1}._module.0", Fn, Fn, KS)
        bn(f"convlayers.{2 * i + 1}._module.2", Fn)
    lin("fc0.0", H, Fn * _pooled(hp["input_length"], hp["pooling_size"], hp["conv_layers"]))
    for i in range(h):
        lin(f"fclayers.{i}.0", H, H)
    if kind == "mh":
        for i in range(h):
            lin(f"ratio_fclayers.{i}.0", 2 * H, 2 * H)
        lin("ratio_out.0", 1, 2 * H)
        lin("counts_out.0", 1, H)
    else:
        lin("out.0", 1, H)
    return sd


def functional_forward(sd: dict, hp: dict, x: torch.Tensor, kind: str = "mh") -> torch.Tensor:
    """The authors' forward from their description: x (N, L, 4, 2) -> (N, 3) (mh) or (N, L, 4) -> (N, 1) (sh)."""

    def block(z, name):
        w = sd[f"{name}.0.weight"]
        z = F.relu(F.conv1d(z, w, sd[f"{name}.0.bias"], padding=w.shape[-1] // 2))
        return F.batch_norm(z, sd[f"{name}.2.running_mean"], sd[f"{name}.2.running_var"], sd[f"{name}.2.weight"],
                            sd[f"{name}.2.bias"], training=False, eps=1e-5)

    def trunk(xa):  # (N, 4, L)
        z = torch.cat([xa, torch.flip(xa, dims=[1, 2])], dim=2)
        z = block(block(z, "conv0"), "convlayers.0")
        for i in range(hp["conv_layers"]):
            z = z + block(z, f"convlayers.{2 * i + 1}._module")
            z = F.avg_pool1d(z, hp["pooling_size"], ceil_mode=True)
        return F.relu(F.linear(z.flatten(1), sd["fc0.0.weight"], sd["fc0.0.bias"]))

    def mlp(e, prefix, out):
        for i in range(hp["h_layers"]):
            e = F.relu(F.linear(e, sd[f"{prefix}.{i}.0.weight"], sd[f"{prefix}.{i}.0.bias"]))
        return F.linear(e, sd[f"{out}.0.weight"], sd[f"{out}.0.bias"])

    if kind == "sh":
        return F.relu(mlp(trunk(x.permute(0, 2, 1)), "fclayers", "out"))
    x = x.permute(0, 2, 1, 3)
    e0, e1 = trunk(x[..., 0]), trunk(x[..., 1])
    ratio = mlp(torch.cat([e0, e1], -1), "ratio_fclayers", "ratio_out")
    return torch.cat([mlp(e0, "fclayers", "counts_out"), mlp(e1, "fclayers", "counts_out"), ratio], -1)


def random_pairs(n: int, length: int, seed: int = 1) -> torch.Tensor:
    """(n, 2, 4, L) one-hot pairs with an N and a padded tail on allele 1."""
    g = torch.Generator().manual_seed(seed)
    x = F.one_hot(torch.randint(0, 4, (n, 2, length), generator=g), 4).permute(0, 1, 3, 2).float()
    x[:, 1, :, -7:] = 0.0
    x[:, 1, :, 3] = 0.25
    return x


class FakeScheduler:
    """Stands for torch 1.12's CyclicLR, whose bound scale_fn pickles the scheduler object."""

    def __init__(self):
        self.base_lrs = [5e-5]

    def scale(self, x):
        return 1.0


class Trap:
    """An object whose unpickling would run a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def lightning17_checkpoint(sd, hp, path, extra=None, seed_folder="random_seed_3"):
    ckpt = {"epoch": 7, "global_step": 800, "pytorch-lightning_version": "1.7.2", "state_dict": sd,
            "callbacks": {"EarlyStopping{'monitor': 'val_ratio_corr', 'mode': 'max'}": {"wait_count": 2},
                          "ModelCheckpoint{'monitor': 'val_ratio_corr', 'mode': 'max', 'every_n_train_steps': 0}":
                              {"best_model_score": torch.tensor(0.6123), "monitor": "val_ratio_corr",
                               "best_model_path": f"/home/a/ATAC/{seed_folder}/epoch=7-step=800.ckpt"}},
            "hparams_name": "kwargs", "hyper_parameters": {**FIXED, **hp}, **(extra or {})}
    torch.save(ckpt, path)
    return path


@pytest.mark.parametrize("hp,n_params", [(ATAC, 2_512_898), (CHIP, 4_152_834)], ids=["atac", "chip"])
def test_import_matches_functional_forward(hp, n_params):
    sd = authors_state_dict(hp)
    imp = import_state_dict(sd, {**FIXED, **hp})
    assert imp.parameters == n_params and imp.model_type == "deepallele"
    assert imp.preset == ("paper_atac" if hp is ATAC else "paper_chip")
    assert imp.sequence_length == hp["input_length"] // 2
    x = random_pairs(3, imp.sequence_length)
    with torch.no_grad():
        ours = imp.model(x)
        theirs = functional_forward(sd, hp, authors_input(x))
    assert ours.shape == (3, 3)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)
    assert ours.std() > 0


def test_single_head_matches_functional_forward():
    sd = authors_state_dict(TINY, kind="sh", seed=4)
    hp = {**FIXED, **TINY}
    hp.pop("first_batch_norm"), hp.pop("all_batch_norm")  # the single-head class has neither
    with pytest.raises(ModelFileError, match="needs --model-type"):
        import_state_dict(sd, hp)
    imp = import_state_dict(sd, hp, model_type="ref_only")
    x = random_pairs(4, 40)[:, 0]
    with torch.no_grad():
        torch.testing.assert_close(imp.model(x), functional_forward(sd, TINY, x.permute(0, 2, 1), kind="sh"),
                                   rtol=1e-5, atol=1e-6)


def test_wrong_shape_and_missing_key_are_clear_errors():
    sd = authors_state_dict(TINY)
    hp = {**FIXED, **TINY}
    bad = dict(sd)
    bad["fclayers.0.0.weight"] = torch.zeros(8, 9)
    with pytest.raises(ModelFileError, match=r"their\.ckpt.*wrong shape: fclayers\.0\.0\.weight: \(8, 9\) \(expected \(8, 8\)\)"):
        import_state_dict(bad, hp, label="their.ckpt")
    missing = {k: v for k, v in sd.items() if k != "ratio_out.0.bias"}
    with pytest.raises(ModelFileError, match=r"their\.ckpt.*missing 1 tensor\(s\): ratio_out\.0\.bias"):
        import_state_dict(missing, hp, label="their.ckpt")
    extra = {**sd, "convlayers.9._module.0.weight": torch.zeros(5, 5, 3)}
    with pytest.raises(ModelFileError, match="unexpected"):
        import_state_dict(extra, hp)
    # hyper-parameters that disagree with the tensors (ChIP settings on ATAC weights)
    with pytest.raises(ModelFileError, match="wrong shape"):
        import_state_dict(sd, {**hp, "input_length": 2 * 60})
    with pytest.raises(ModelFileError, match="conv_repeat=2 is not supported"):
        import_state_dict(sd, {**hp, "conv_repeat": 2})


def test_lightning17_checkpoint_with_pickled_scheduler_is_read_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    sd = authors_state_dict(TINY)
    extra = {"lr_schedulers": [{"scale_fn": FakeScheduler().scale, "trap": Trap(marker)}],
             "optimizer_states": [{"state": {}, "param_groups": [{"lr": 1e-4, "params": [0, 1]}]}]}
    path = lightning17_checkpoint(sd, TINY, tmp_path / "epoch=7-step=800.ckpt", extra)
    with pytest.raises(Exception):  # the weights-only loader refuses this file
        torch.load(path, weights_only=True)
    ck = load_authors_checkpoint(path)
    assert ck["loader"] == "restricted" and not marker.exists()
    assert ck["best_model_score"] == pytest.approx(0.6123) and ck["epoch"] == 7
    assert ck["hyper_parameters"]["input_length"] == 80
    rows = import_checkpoint(path, tmp_path / "out", allele_names={"reference": "B6", "strain": "CAST"})
    assert not marker.exists()
    assert rows[0]["seed"] == 3 and rows[0]["loader"] == "restricted" and rows[0]["preset"] == "custom"
    mf = load_model_file(tmp_path / "out")
    assert mf.meta["source"]["authors_best_score"] == pytest.approx(0.6123)
    assert mf.meta["allele_names"] == {"reference": "B6", "strain": "CAST"} and mf.seed == 3
    x = random_pairs(2, 40)
    with torch.no_grad():
        torch.testing.assert_close(mf.model(x), functional_forward(sd, TINY, authors_input(x)), rtol=1e-5, atol=1e-6)


def test_plain_checkpoint_loads_weights_only(tmp_path):
    sd = authors_state_dict(TINY)
    path = lightning17_checkpoint(sd, TINY, tmp_path / "model.ckpt")
    assert load_authors_checkpoint(path)["loader"] == "weights_only"


def test_figshare_folder_zip(tmp_path):
    folder = "Model_checkpoint/ATAC/sum/mh/4_1_256_15_256_5_4_0.0001_2_256_True"
    sds = {}
    zpath = tmp_path / "model.ckpt"  # the download script's name for a folder ZIP
    with zipfile.ZipFile(zpath, "w") as z:
        for k in (0, 1):
            sds[k] = authors_state_dict(TINY, seed=10 + k)
            ck = lightning17_checkpoint(sds[k], TINY, tmp_path / f"s{k}.ckpt", seed_folder=f"random_seed_{k}")
            z.write(ck, f"{folder}/random_seed_{k}/epoch={k}-step=9.ckpt")
        z.writestr(f"{folder}/random_seed_0/all_motifs_transfer.meme", "MEME version 4\n")
        z.writestr(f"{folder}/log/model/version_0/events.out", "x")
    rows = import_checkpoint(zpath, tmp_path / "out")
    assert [r["seed"] for r in rows] == [0, 1]
    x = random_pairs(2, 40)
    for k in (0, 1):
        mf = load_model_file(tmp_path / "out" / f"seed{k}")
        with torch.no_grad():
            torch.testing.assert_close(mf.model(x), functional_forward(sds[k], TINY, authors_input(x)),
                                       rtol=1e-5, atol=1e-6)
    one = import_checkpoint(zpath, tmp_path / "one", member="random_seed_1")
    assert len(one) == 1 and (tmp_path / "one" / "model.json").exists()
    with pytest.raises(ModelFileError, match="no .ckpt member matching"):
        import_checkpoint(zpath, tmp_path / "none", member="random_seed_7")


def test_damaged_files_are_errors_naming_the_file(tmp_path):
    sd = authors_state_dict(TINY)
    path = lightning17_checkpoint(sd, TINY, tmp_path / "model.ckpt")
    cut = tmp_path / "cut.ckpt"
    cut.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(ModelFileError, match="cut.ckpt: not a readable checkpoint"):
        import_checkpoint(cut, tmp_path / "out")
    assert not (tmp_path / "out" / "model.json").exists()
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ModelFileError, match="junk.ckpt"):
        import_checkpoint(junk, tmp_path / "out")
    with pytest.raises(ModelFileError, match="no such file"):
        import_checkpoint(tmp_path / "absent.ckpt", tmp_path / "out")


def test_cli_import_checkpoint(tmp_path, capsys):
    sd = authors_state_dict(TINY)
    path = lightning17_checkpoint(sd, TINY, tmp_path / "model.ckpt")
    report = tmp_path / "import.tsv"
    rc = deepallele_main(["import-checkpoint", str(path), "--outdir", str(tmp_path / "m"), "--strain-name", "CAST",
                          "--report", str(report)])
    assert rc == 0
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["model_type"] == "deepallele" and meta["allele_names"]["strain"] == "CAST"
    assert "authors_best_score" in report.read_text()
    cut = tmp_path / "cut.ckpt"
    cut.write_bytes(path.read_bytes()[:100])
    assert deepallele_main(["import-checkpoint", str(cut), "--outdir", str(tmp_path / "m2")]) == 2
    assert "cut.ckpt" in capsys.readouterr().err


def test_report_recomputes_the_checkpoint_metric_on_a_pairs_h5(tmp_path):
    import numpy as np

    from deepallele.datasets.store import write_minimal_pairs
    from deepallele.models.module import pearson

    sd = authors_state_dict(TINY)
    path = lightning17_checkpoint(sd, TINY, tmp_path / "model.ckpt")
    g = np.random.default_rng(0)
    codes = g.integers(0, 4, (30, 2, 40)).astype(np.uint8)
    y = g.normal(size=(30, 3)).astype(np.float32)
    split = np.array(["train"] * 10 + ["val"] * 20)
    write_minimal_pairs(tmp_path / "pairs.h5", codes[:, 0], codes[:, 1], y, split, split_scheme="paper")
    report = tmp_path / "r.tsv"
    assert deepallele_main(["import-checkpoint", str(path), "--outdir", str(tmp_path / "m"), "--pairs",
                            str(tmp_path / "pairs.h5"), "--report", str(report)]) == 0
    import pandas as pd

    row = pd.read_csv(report, sep="\t").iloc[0]
    x = F.one_hot(torch.from_numpy(codes[10:]).long(), 4).permute(0, 1, 3, 2).float()
    with torch.no_grad():
        expect = pearson(functional_forward(sd, TINY, authors_input(x))[:, 2], torch.from_numpy(y[10:, 2]))
    assert row["our_score_pairs"] == 20 and row["our_score"] == pytest.approx(expect, abs=1e-5)
    assert row["authors_best_score"] == pytest.approx(0.6123)
