"""Safe model files: export of a trained checkpoint, round trip, weights-only checkpoint loads, damaged files."""
from __future__ import annotations

import json

import pytest
import torch

from deepallele.cli import main as deepallele_main
from deepallele.models import build_model
from deepallele.models.modelfile import (ModelFileError, export_checkpoint, load_checkpoint, load_model_file,
                                         model_metadata, preset_of, save_model_file)
from deepallele.models.module import load_module
from deepallele.models.train import train_model

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"), pytest.mark.filterwarnings("ignore:.*treespec.*")]


@pytest.fixture(scope="module")
def trained(toy_pairs, tmp_path_factory, tiny_arch_module):
    out = tmp_path_factory.mktemp("run")
    train_model(toy_pairs, "deepallele", 3, out, tiny_arch_module, {"max_epochs": 1, "batch_size": 32}, "cpu",
                threads=1, progress_bar=False)
    return out


def _pairs(n=5, length=64):
    g = torch.Generator().manual_seed(0)
    x = torch.nn.functional.one_hot(torch.randint(0, 4, (n, 2, length), generator=g), 4).permute(0, 1, 3, 2)
    return x.float()


def test_checkpoint_loads_weights_only(trained):
    ckpt = torch.load(trained / "best.ckpt", weights_only=True)
    assert ckpt["hyper_parameters"]["model_type"] == "deepallele"
    assert load_checkpoint(trained / "best.ckpt")["epoch"] == 0


def test_export_round_trip(trained):
    path = export_checkpoint(trained / "best.ckpt", summary=trained / "train_summary.json",
                             allele_names={"reference": "B6", "strain": "CAST"})
    assert path == trained / "model.json" and (trained / "model.safetensors").exists()
    meta = json.loads(path.read_text())
    assert meta["seed"] == 3 and meta["model_type"] == "deepallele" and meta["sequence_length"] == 64
    assert meta["allele_names"] == {"reference": "B6", "strain": "CAST"} and meta["preset"] == "custom"
    assert meta["training"]["batch_size"] == 32 and meta["parameters"] > 0 and len(meta["sha256"]) == 64
    assert meta["source"]["monitor"] == "val_loss"
    mf = load_model_file(trained)
    module = load_module(trained / "best.ckpt")
    x = _pairs()
    with torch.no_grad():
        torch.testing.assert_close(mf.predict_pairs(x), module.predict_pairs(x), rtol=0, atol=0)
    # the JSON or the weights path reach the same model
    assert load_model_file(trained / "model.safetensors").meta == mf.meta


def test_baseline_round_trip(tmp_path, tiny_arch):
    model = build_model("ref_only", 64, tiny_arch).eval()
    save_model_file(model, model_metadata("ref_only", 64, tiny_arch, seed=1), tmp_path)
    mf = load_model_file(tmp_path / "model.json")
    x = _pairs()
    with torch.no_grad():
        out = mf.predict_pairs(x)
        torch.testing.assert_close(out[:, 0:1], model(x[:, 0]))
        torch.testing.assert_close(out[:, 2], out[:, 0] - out[:, 1])


def test_preset_of():
    from deepallele.models.presets import PRESETS

    assert preset_of(PRESETS["paper_chip"]) == "paper_chip"
    assert preset_of({**PRESETS["demo"], "hidden_size": 7}) == "custom"


@pytest.fixture
def saved(tmp_path, tiny_arch):
    model = build_model("deepallele", 64, tiny_arch).eval()
    save_model_file(model, model_metadata("deepallele", 64, tiny_arch, seed=0), tmp_path)
    return tmp_path


def test_truncated_weights_is_clear_error(saved):
    w = saved / "model.safetensors"
    data = w.read_bytes()
    w.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match=r"model\.safetensors: SHA-256 differs"):
        load_model_file(saved)
    meta = json.loads((saved / "model.json").read_text())
    meta.pop("sha256")
    (saved / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match=r"model\.safetensors: not a readable safetensors file"):
        load_model_file(saved)


def test_garbled_byte_is_caught(saved):
    w = saved / "model.safetensors"
    data = bytearray(w.read_bytes())
    data[-10] ^= 0xFF  # inside a tensor: the safetensors header stays valid
    w.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="SHA-256 differs"):
        load_model_file(saved)


def test_truncated_json_and_wrong_architecture(saved):
    meta_path = saved / "model.json"
    text = meta_path.read_text()
    meta_path.write_text(text[:40])
    with pytest.raises(ModelFileError, match=r"model\.json: not a readable model JSON"):
        load_model_file(saved)
    meta = json.loads(text)
    meta["architecture"]["hidden_size"] = 12
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match=r"model\.safetensors: weights do not fit.*wrong shape"):
        load_model_file(saved)
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model_file(saved / "nothing")


def test_truncated_checkpoint_is_clear_error(trained, tmp_path):
    cut = tmp_path / "best.ckpt"
    data = (trained / "best.ckpt").read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelFileError, match=r"best\.ckpt: not a readable checkpoint"):
        load_module(cut)


def test_foreign_pickle_is_refused(tmp_path):
    class Foreign:
        pass

    bad = tmp_path / "foreign.ckpt"
    torch.save({"hyper_parameters": {"x": Foreign.__init__}, "state_dict": {}}, bad)
    with pytest.raises(ModelFileError, match=r"foreign\.ckpt: not a weights-only checkpoint"):
        load_checkpoint(bad)


def test_export_rejects_authors_checkpoint(tmp_path):
    bad = tmp_path / "theirs.ckpt"
    torch.save({"state_dict": {"conv0.0.weight": torch.zeros(1)}, "hyper_parameters": {"input_length": 660}}, bad)
    with pytest.raises(ModelFileError, match="import-checkpoint"):
        export_checkpoint(bad, tmp_path / "out")


def test_cli_export_model(trained, tmp_path, capsys):
    assert deepallele_main(["export-model", str(trained / "best.ckpt"), "--outdir", str(tmp_path), "--seed", "3",
                            "--strain-name", "CAST"]) == 0
    assert json.loads((tmp_path / "model.json").read_text())["allele_names"]["strain"] == "CAST"
