"""Safe model files: weights-only safetensors plus a small JSON of what the weights are.

A trained (or imported) model is two files in one folder::

    model.safetensors   the inner network's state_dict (no pickle: nothing executes on load)
    model.json          format, model type, sequence length, architecture, preset, training
                        settings, seed, allele names, parameter count, the weights' SHA-256

``model.json`` fields (``format_version`` 1):

=================  ==============================================================================
key                meaning
=================  ==============================================================================
format             ``deepallele-model``
format_version     1
weights            file name of the safetensors file, relative to the JSON
sha256             SHA-256 of that file (a garbled or swapped file is an error on load)
model_type         ``deepallele``, ``direct``, ``ref_only``, ``alt_only`` or ``two_genome``
sequence_length    L per allele; inputs are ``(B, 2, 4, L)`` pairs (one-hot A, C, G, T)
architecture       every key of :data:`~deepallele.models.presets.ARCHITECTURE_KEYS`
preset             the preset the architecture came from (``demo``, ``paper_atac``,
                   ``paper_chip``) or ``custom``
training           the training settings (learning rates, batch size, monitor, ...) or ``{}``
seed               training seed (an imported checkpoint: the authors' ``random_seed_<k>`` label)
allele_names       ``{"reference": ..., "strain": ...}``: allele 0 and allele 1 of the input
parameters         trainable parameter count
outputs            ``["count_ref", "count_alt", "ratio"]`` (ln(1+count), ln ratio) of a pair
source             provenance (the checkpoint exported, or the authors' file imported)
=================  ==============================================================================

The network stored is the bare model (:class:`~deepallele.models.deepallele.DeepAllele` or
:class:`~deepallele.models.baseline.SingleInput`), not the Lightning wrapper, so its keys have no
``model.`` prefix. Both files are written to temporary names and renamed (weights first, JSON
last), so a folder holds either a complete pair or an older one.

Lightning checkpoints written by this workflow (``best.ckpt``) hold only tensors and plain Python
values, so :func:`load_checkpoint` reads them with ``torch.load(weights_only=True)``.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from . import MODEL_TYPES, PAIRED_TYPES, build_model, count_parameters
from .baseline import predict_pair
from .presets import ARCHITECTURE_KEYS, PRESETS

FORMAT = "deepallele-model"
FORMAT_VERSION = 1
WEIGHTS_NAME = "model.safetensors"
META_NAME = "model.json"
OUTPUTS = ["count_ref", "count_alt", "ratio"]


class ModelFileError(ValueError):
    """A model file that cannot be read or does not describe the weights it comes with."""


def preset_of(architecture: dict) -> str:
    """Name of the preset equal to ``architecture`` (every key of ARCHITECTURE_KEYS), else ``custom``."""
    for name, preset in PRESETS.items():
        if all(architecture.get(k) == v for k, v in preset.items()):
            return name
    return "custom"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _jsonable(value):
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def model_metadata(model_type: str, sequence_length: int, architecture: dict, *, seed: int | None = None,
                   training: dict | None = None, allele_names: dict | None = None, preset: str | None = None,
                   source: dict | None = None) -> dict:
    """The ``model.json`` fields that describe a network (``weights``/``sha256``/``parameters`` are added on save).

    Parameters
    ----------
    model_type : str
        One of :data:`deepallele.models.MODEL_TYPES`.
    sequence_length : int
        L per allele.
    architecture : dict
        Every key of :data:`~deepallele.models.presets.ARCHITECTURE_KEYS`.
    seed : int, optional
        Training seed.
    training : dict, optional
        Training settings.
    allele_names : dict, optional
        ``{"reference": "B6", "strain": "CAST"}``.
    preset : str, optional
        Preset name (default: :func:`preset_of` the architecture).
    source : dict, optional
        Provenance.

    Raises
    ------
    ModelFileError
        Unknown model type or missing architecture keys.
    """
    if model_type not in MODEL_TYPES:
        raise ModelFileError(f"unknown model type {model_type!r} (known: {', '.join(MODEL_TYPES)})")
    missing = [k for k in ARCHITECTURE_KEYS if k not in architecture]
    if missing:
        raise ModelFileError(f"architecture lacks {', '.join(missing)}")
    arch = {k: architecture[k] for k in ARCHITECTURE_KEYS}
    return _jsonable({
        "format": FORMAT, "format_version": FORMAT_VERSION, "model_type": model_type,
        "sequence_length": int(sequence_length), "architecture": arch,
        "preset": preset or preset_of(arch), "training": training or {}, "seed": None if seed is None else int(seed),
        "allele_names": allele_names or {"reference": "ref", "strain": "alt"}, "outputs": OUTPUTS,
        "source": source or {},
    })


def _replace_atomic(write, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_model_file(model: nn.Module, meta: dict, outdir: str | Path) -> Path:
    """Write ``model.safetensors`` and ``model.json`` into ``outdir`` (created), atomically.

    Parameters
    ----------
    model : torch.nn.Module
        The bare network (an ``AlleleModule`` is unwrapped).
    meta : dict
        :func:`model_metadata` output.
    outdir : str or pathlib.Path
        Folder to write into.

    Returns
    -------
    pathlib.Path
        The JSON file.
    """
    from safetensors.torch import save_file

    model = getattr(model, "model", model)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    weights, meta_path = outdir / WEIGHTS_NAME, outdir / META_NAME
    header = {"format": FORMAT, "model_type": str(meta["model_type"]),
              "sequence_length": str(meta["sequence_length"])}
    _replace_atomic(lambda p: save_file(state, str(p), metadata=header), weights)
    full = {**meta, "weights": WEIGHTS_NAME, "sha256": _sha256(weights), "parameters": count_parameters(model)}
    _replace_atomic(lambda p: p.write_text(json.dumps(full, indent=1, sort_keys=True) + "\n"), meta_path)
    return meta_path


@dataclass
class ModelFile:
    """A loaded model file.

    Attributes
    ----------
    model : torch.nn.Module
        The network in eval mode (paired types: ``(B, 2, 4, L) -> (B, 3)``; single types:
        ``(B, 4, L) -> (B, 1)``).
    meta : dict
        The JSON fields.
    path : pathlib.Path
        The JSON file.
    """

    model: nn.Module
    meta: dict
    path: Path

    @property
    def model_type(self) -> str:
        return self.meta["model_type"]

    @property
    def sequence_length(self) -> int:
        return int(self.meta["sequence_length"])

    @property
    def seed(self):
        return self.meta.get("seed")

    def predict_pairs(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 2, 4, L)`` one-hot pairs -> ``(B, 3)`` ``[count_ref, count_alt, ratio]``."""
        return self.model(x) if self.model_type in PAIRED_TYPES else predict_pair(self.model, x)


def _meta_path(path: Path) -> Path:
    if path.is_dir():
        return path / META_NAME
    if path.suffix == ".safetensors":
        return path.with_suffix(".json")
    return path


def state_dict_problems(state: dict, expected_shapes: dict[str, tuple]) -> list[str]:
    """Missing, unexpected and wrongly shaped tensors of ``state`` against ``{key: shape}``, as
    messages (empty when the two agree); the one comparison behind every weights check."""
    missing = [k for k in expected_shapes if k not in state]
    unexpected = [k for k in state if k not in expected_shapes]
    wrong = [f"{k}: {tuple(state[k].shape)} (expected {shape})" for k, shape in expected_shapes.items()
             if k in state and tuple(state[k].shape) != tuple(shape)]
    problems = []
    if missing:
        problems.append(f"missing {len(missing)} tensor(s): {', '.join(missing[:6])}")
    if unexpected:
        problems.append(f"unexpected {len(unexpected)} tensor(s): {', '.join(unexpected[:6])}")
    if wrong:
        problems.append(f"wrong shape: {'; '.join(wrong[:6])}")
    return problems


def check_state_dict(state: dict, model: nn.Module, source: str) -> None:
    """Raise a :class:`ModelFileError` naming ``source`` unless ``state`` has exactly ``model``'s keys and shapes."""
    problems = state_dict_problems(state, {k: tuple(v.shape) for k, v in model.state_dict().items()})
    if problems:
        raise ModelFileError(f"{source}: weights do not fit the model described ({'; '.join(problems)})")


def load_model_file(path: str | Path, map_location: str | torch.device = "cpu") -> ModelFile:
    """Read a model folder, its ``model.json`` or its ``model.safetensors``.

    Parameters
    ----------
    path : str or pathlib.Path
        The folder, the JSON or the safetensors file.
    map_location : str or torch.device
        Where the weights go.

    Returns
    -------
    ModelFile

    Raises
    ------
    ModelFileError
        A missing, truncated or garbled file (JSON not parseable, weights not matching their
        SHA-256, safetensors header unreadable), or weights that do not fit the architecture.
        The message names the file.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    meta_path = _meta_path(Path(path))
    if not meta_path.exists():
        raise ModelFileError(f"{meta_path}: no such model file")
    try:
        meta = json.loads(meta_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{meta_path}: not a readable model JSON (truncated or garbled?): {err}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{meta_path}: not a {FORMAT} file (format {meta.get('format') if isinstance(meta, dict) else None!r})")
    if int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise ModelFileError(f"{meta_path}: format version {meta['format_version']} is newer than this code reads "
                             f"({FORMAT_VERSION})")
    for key in ("weights", "model_type", "sequence_length", "architecture"):
        if key not in meta:
            raise ModelFileError(f"{meta_path}: no {key!r} field")
    weights = meta_path.parent / meta["weights"]
    if not weights.exists():
        raise ModelFileError(f"{weights}: weights file named by {meta_path} is missing")
    if meta.get("sha256") and _sha256(weights) != meta["sha256"]:
        raise ModelFileError(f"{weights}: SHA-256 differs from the one in {meta_path.name} "
                             "(truncated, garbled or replaced file)")
    try:
        state = load_file(str(weights), device=str(map_location))
    except (SafetensorError, OSError) as err:
        raise ModelFileError(f"{weights}: not a readable safetensors file: {err}") from None
    try:
        model = build_model(meta["model_type"], int(meta["sequence_length"]), meta["architecture"])
    except (ValueError, TypeError, KeyError) as err:
        raise ModelFileError(f"{meta_path}: cannot build the model it describes: {err}") from None
    check_state_dict(state, model, str(weights))
    model.load_state_dict(state, strict=True)
    return ModelFile(model.to(map_location).eval(), meta, meta_path)


# ----------------------------------------------------------------------------- checkpoints of this workflow
def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """A Lightning checkpoint written by this workflow, read with ``torch.load(weights_only=True)``.

    Raises
    ------
    ModelFileError
        A missing, truncated or garbled file, or one that needs classes a weights-only load
        refuses (e.g. a checkpoint of another program: see :mod:`deepallele.models.authors`).
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such checkpoint")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelFileError(f"{path}: not a weights-only checkpoint ({first})") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as err:
        raise ModelFileError(f"{path}: not a readable checkpoint (truncated or garbled?): {err}") from None


def export_checkpoint(ckpt: str | Path, outdir: str | Path | None = None, *, seed: int | None = None,
                      allele_names: dict | None = None, preset: str | None = None,
                      summary: str | Path | None = None) -> Path:
    """Export a ``best.ckpt`` of this workflow as ``model.safetensors`` + ``model.json``.

    Parameters
    ----------
    ckpt : str or pathlib.Path
        The checkpoint (``results/<dataset>/models/<model>/seed<k>/best.ckpt``).
    outdir : str or pathlib.Path, optional
        Folder to write into (default: the checkpoint's).
    seed : int, optional
        Training seed (default: ``train_summary.json``'s, when given).
    allele_names : dict, optional
        ``{"reference": ..., "strain": ...}``.
    preset : str, optional
        Preset name (default: the preset equal to the architecture, else ``custom``).
    summary : str or pathlib.Path, optional
        ``train_summary.json`` of the run (seed, epochs, best score go into ``source``).

    Returns
    -------
    pathlib.Path
        The JSON written.
    """
    from .module import AlleleModule

    ckpt = Path(ckpt)
    data = load_checkpoint(ckpt)
    hp = data.get("hyper_parameters")
    if not isinstance(hp, dict) or not {"model_type", "sequence_length", "architecture"} <= set(hp):
        raise ModelFileError(f"{ckpt}: no model_type/sequence_length/architecture hyper-parameters "
                             "(not a checkpoint of this workflow; use `deepallele import-checkpoint`)")
    module = AlleleModule(hp["model_type"], hp["sequence_length"], hp["architecture"], hp.get("training"))
    state = data.get("state_dict", {})
    inner = {k[len("model."):]: v for k, v in state.items() if k.startswith("model.")}
    check_state_dict(inner, module.model, str(ckpt))
    module.model.load_state_dict(inner, strict=True)
    source = {"checkpoint": str(ckpt), "epoch": data.get("epoch"), "global_step": data.get("global_step"),
              "lightning_version": data.get("pytorch-lightning_version")}
    if summary is not None and Path(summary).exists():
        s = json.loads(Path(summary).read_text())
        seed = s.get("seed") if seed is None else seed
        source.update({k: s.get(k) for k in ("best_epoch", "monitor", "best_score", "epochs")})
    meta = model_metadata(hp["model_type"], hp["sequence_length"], hp["architecture"], seed=seed,
                          training=hp.get("training"), allele_names=allele_names, preset=preset, source=source)
    return save_model_file(module.model, meta, outdir if outdir is not None else ckpt.parent)


__all__ = ["FORMAT", "FORMAT_VERSION", "META_NAME", "ModelFile", "ModelFileError", "WEIGHTS_NAME",
           "check_state_dict", "export_checkpoint", "load_checkpoint", "load_model_file", "model_metadata",
           "preset_of", "save_model_file"]
