"""Import the authors' published checkpoints (DeepAllele-public, Figshare article 28694384).

What is read
------------
* **A Figshare download** is a ZIP of a folder (``…/random_seed_<k>/epoch=E-step=S.ckpt``, for
  the single-head models with ``B6/``, ``Cast/`` or ``B6_Cast/`` levels, plus ``.meme`` and
  ``log/`` files), even when saved as ``model.ckpt``. Its ``.ckpt`` members are read from the
  archive without extracting anything. A torch checkpoint is also a ZIP, but of
  ``<archive>/data.pkl``, ``<archive>/data/<n>`` and ``<archive>/version``; the two are told
  apart by their member names.
* **A Lightning 1.7 checkpoint** (``state_dict`` with the authors' key names, ``hyper_parameters``
  with the class's ``__init__`` arguments, callbacks, optimiser and scheduler states). It is first
  read with ``torch.load(weights_only=True)``. Files saved by torch <= 1.12 pickle the CyclicLR
  scheduler's bound ``scale_fn`` and with it the Adam optimiser object, which that loader refuses;
  they are then read by :class:`RestrictedUnpickler`: tensors, storages and plain containers are
  rebuilt, every other global becomes an inert stub (``builtins.getattr`` a function returning
  None), so nothing in the file is executed. Only ``state_dict``, ``hyper_parameters``, the epoch
  and the ModelCheckpoint callback's ``best_model_score`` / ``best_model_path`` are kept.

Key mapping (authors -> this package)
-------------------------------------
==========================================  ==================================================
``conv0.0.*`` / ``conv0.2.*``               ``trunk.conv0.conv.*`` / ``trunk.conv0.bn.*``
``convlayers.0.0.*`` / ``convlayers.0.2.*`` ``trunk.conv1.conv.*`` / ``trunk.conv1.bn.*``
``convlayers.<2k+1>._module.{0,2}.*``       ``trunk.blocks.<2k>.block.{conv,bn}.*`` (pools have no keys)
``fc0.0.*``                                 ``trunk.fc0.*``
``fclayers.<i>.0.*``                        ``count_head.layers.<3i>.*`` (single-head: ``head.layers.<3i>.*``)
``counts_out.0.*`` (single-head ``out.0.*``) ``count_head.layers.<3h>.*`` (``head.layers.<3h>.*``)
``ratio_fclayers.<i>.0.*``                  ``ratio_head.layers.<3i>.*``
``ratio_out.0.*``                           ``ratio_head.layers.<3h>.*``
==========================================  ==================================================

The authors' input is ``(N, L, 4, 2)`` (``[B6, alt]`` on the last axis); ours is ``(N, 2, 4, L)``;
everything else (RC concatenation along the length, conv -> ReLU -> BN, ceil-mode average pools,
channel-major flatten, output ``[count_B6, count_alt, ratio]``) is the same computation.
"""
from __future__ import annotations

import collections
import io
import logging
import pickle
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from . import build_model, count_parameters
from .modelfile import ModelFileError, check_state_dict, model_metadata, save_model_file, state_dict_problems
from .presets import PRESETS

log = logging.getLogger("deepallele.models.authors")

#: the authors' classes and the model type each becomes
AUTHOR_CLASSES = {"mh": "SeparateMultiHeadResidualCNN", "sh": "SingleHeadResidualCNN"}
#: single-head genome sets (folder level in the Figshare tree) -> our baseline type
SINGLE_HEAD_TYPES = {"B6": "ref_only", "Cast": "alt_only", "B6_Cast": "two_genome"}
#: trainable parameters of the published configurations (da-public-interfaces §1.3)
EXPECTED_PARAMETERS = {("mh", "paper_atac", 330): 2_512_898, ("mh", "paper_chip", 551): 4_152_834,
                       ("sh", "paper_atac", 330): 1_987_073, ("sh", "paper_chip", 551): 3_627_009}
#: hyper-parameters that must have these values (our architecture has no other choice)
FIXED_HPARAMS = {"conv_repeat": 1, "dilation": 1, "padding": "same", "pooling_type": "avg", "all_batch_norm": True}


# ----------------------------------------------------------------------------- restricted unpickling
def _rebuild_stub(*args, **kwargs):
    return None


class _Stub:
    """Stands for any class the restricted unpickler does not rebuild; keeps nothing, runs nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def __call__(self, *args, **kwargs):
        return None


def _stub_class(module: str, name: str) -> type:
    return type(f"Stub[{module}.{name}]", (_Stub,), {"__module__": "deepallele.models.authors"})


def _allowed_globals() -> dict:
    import torch._utils as tu

    allowed = {("collections", "OrderedDict"): collections.OrderedDict,
               ("collections", "defaultdict"): collections.defaultdict,
               ("builtins", "set"): set, ("builtins", "frozenset"): frozenset, ("builtins", "dict"): dict,
               ("builtins", "list"): list, ("builtins", "tuple"): tuple, ("builtins", "int"): int,
               ("builtins", "float"): float, ("builtins", "bool"): bool, ("builtins", "str"): str,
               ("builtins", "getattr"): _rebuild_stub,
               ("torch", "Size"): torch.Size, ("torch", "Tensor"): torch.Tensor,
               ("torch.nn.parameter", "Parameter"): torch.nn.Parameter}
    for name in ("_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_parameter",
                 "_rebuild_parameter_with_state"):
        if hasattr(tu, name):
            allowed[("torch._utils", name)] = getattr(tu, name)
    from torch._tensor import _rebuild_from_type_v2
    allowed[("torch._tensor", "_rebuild_from_type_v2")] = _rebuild_from_type_v2
    for dtype in ("float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool"):
        allowed[("torch", dtype)] = getattr(torch, dtype)
    import numpy as np

    try:
        from numpy._core.multiarray import scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import scalar
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
        allowed[(mod, "scalar")] = scalar
    allowed[("numpy", "dtype")] = np.dtype
    for kind in ("Float64DType", "Float32DType", "Int64DType", "Int32DType", "BoolDType"):
        if hasattr(np.dtypes, kind):
            allowed[("numpy.dtypes", kind)] = getattr(np.dtypes, kind)
    return {k: v for k, v in allowed.items() if v is not None}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that rebuilds tensors and plain containers and stubs every other global.

    Passed to ``torch.load`` as ``pickle_module`` (torch routes storages through its own
    persistent loader, then asks ``find_class`` for everything else). ``stubbed`` lists the
    globals replaced by stubs.
    """

    _allowed: dict | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if RestrictedUnpickler._allowed is None:
            RestrictedUnpickler._allowed = _allowed_globals()
        self.stubbed: set[str] = set()

    def find_class(self, module: str, name: str):
        hit = self._allowed.get((module, name))
        if hit is not None:
            return hit
        self.stubbed.add(f"{module}.{name}")
        return _stub_class(module, name)


class _RestrictedPickleModule:
    """The ``pickle_module`` handed to ``torch.load``: standard pickle with :class:`RestrictedUnpickler`."""

    Unpickler = RestrictedUnpickler
    UnpicklingError = pickle.UnpicklingError
    __name__ = "deepallele_restricted_pickle"

    @staticmethod
    def load(fh, **kwargs):
        return RestrictedUnpickler(fh, **kwargs).load()


def load_authors_checkpoint(source, name: str = "checkpoint") -> dict:
    """The parts of an authors' Lightning checkpoint that an import needs, read without executing it.

    Parameters
    ----------
    source : str, pathlib.Path or bytes
        A ``.ckpt`` file, or its bytes (a member of a Figshare ZIP).
    name : str
        Name used in messages when ``source`` is bytes.

    Returns
    -------
    dict
        ``state_dict`` (``OrderedDict[str, Tensor]``), ``hyper_parameters`` (dict), ``epoch``,
        ``global_step``, ``lightning_version``, ``best_model_score`` (float or None),
        ``best_model_path`` (str or None), ``loader`` (``weights_only`` or ``restricted``).

    Raises
    ------
    ModelFileError
        Unreadable (truncated, garbled) files and checkpoints without a usable ``state_dict``.
    """
    label = str(source) if not isinstance(source, (bytes, bytearray)) else name

    def stream():
        return io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else open(source, "rb")

    loader = "weights_only"
    try:
        with stream() as fh:
            ckpt = torch.load(fh, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        loader = "restricted"
        try:
            with stream() as fh:
                ckpt = torch.load(fh, map_location="cpu", weights_only=False, pickle_module=_RestrictedPickleModule)
        except Exception as err:  # noqa: BLE001 - any failure of a foreign file is the file's problem
            raise ModelFileError(f"{label}: not a readable checkpoint: {type(err).__name__}: {err}") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as err:
        raise ModelFileError(f"{label}: not a readable checkpoint (truncated or garbled?): {err}") from None
    if not isinstance(ckpt, dict):
        raise ModelFileError(f"{label}: a checkpoint is a dict, this file holds {type(ckpt).__name__}")
    state = ckpt.get("state_dict", ckpt if all(isinstance(v, torch.Tensor) for v in ckpt.values()) else None)
    if not isinstance(state, dict) or not state:
        raise ModelFileError(f"{label}: no state_dict")
    bad = [k for k, v in state.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise ModelFileError(f"{label}: state_dict entries that are not tensors: {', '.join(map(str, bad[:5]))}")
    hp = ckpt.get("hyper_parameters") if "state_dict" in ckpt else None
    score, best_path = None, None
    for key, value in (ckpt.get("callbacks") or {}).items() if isinstance(ckpt.get("callbacks"), dict) else ():
        if str(key).startswith("ModelCheckpoint") and isinstance(value, dict):
            s = value.get("best_model_score")
            score = float(s) if isinstance(s, (torch.Tensor, float, int)) else score
            best_path = value.get("best_model_path") if isinstance(value.get("best_model_path"), str) else best_path
    return {"state_dict": collections.OrderedDict(state), "hyper_parameters": dict(hp) if isinstance(hp, dict) else {},
            "epoch": ckpt.get("epoch"), "global_step": ckpt.get("global_step"),
            "lightning_version": ckpt.get("pytorch-lightning_version"), "best_model_score": score,
            "best_model_path": best_path, "loader": loader}


# ----------------------------------------------------------------------------- Figshare ZIPs
def is_folder_zip(path: str | Path) -> bool:
    """Whether ``path`` is a ZIP of a folder holding ``.ckpt`` files (not a torch checkpoint)."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    return any(n.endswith(".ckpt") for n in names)


def checkpoint_members(path: str | Path) -> list[str]:
    """The ``.ckpt`` members of a Figshare folder ZIP, sorted."""
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.endswith(".ckpt") and not n.endswith("/"))


def read_sources(path: str | Path, member: str | None = None) -> list[tuple[str, bytes | Path]]:
    """``[(label, file or bytes)]`` of the checkpoints in ``path`` (a ``.ckpt`` or a Figshare ZIP).

    Parameters
    ----------
    path : str or pathlib.Path
        The download.
    member : str, optional
        Only this ZIP member (or the members whose name contains it).

    Raises
    ------
    ModelFileError
        Missing file, a ZIP without ``.ckpt`` members, or no member matching ``member``.
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if not is_folder_zip(path):
        if member:
            raise ModelFileError(f"{path}: --member given, but the file is a single checkpoint, not a folder ZIP")
        return [(str(path), path)]
    members = checkpoint_members(path)
    if member:
        members = [m for m in members if m == member or member in m]
    if not members:
        raise ModelFileError(f"{path}: a ZIP with no .ckpt member{' matching ' + repr(member) if member else ''}")
    out = []
    with zipfile.ZipFile(path) as z:
        for m in members:
            try:
                out.append((f"{path}:{m}", z.read(m)))
            except (zipfile.BadZipFile, OSError, EOFError) as err:  # CRC errors of a damaged download
                raise ModelFileError(f"{path}: member {m} cannot be read (damaged download?): {err}") from None
    return out


def seed_label(text: str | None) -> int | None:
    """``k`` of a ``random_seed_<k>`` folder in a path, else None."""
    m = re.search(r"random_seed_(\d+)", text or "")
    return int(m.group(1)) if m else None


def genome_set(text: str | None) -> str | None:
    """``B6``, ``Cast`` or ``B6_Cast`` when a path has that folder level (single-head trees)."""
    m = re.search(r"(?:^|[/\\])(B6_Cast|B6|Cast)[/\\]", text or "")
    return m.group(1) if m else None


# ----------------------------------------------------------------------------- mapping
def detect_class(state: dict) -> str:
    """``mh`` (multi-head) or ``sh`` (single-head) from the state_dict keys.

    Raises
    ------
    ModelFileError
        Keys of neither class (e.g. ``ComputeRatio…``, which has no published checkpoint, or a
        checkpoint of this workflow).
    """
    keys = set(state)
    if any(k.startswith("model.trunk.") or k.startswith("trunk.") for k in keys):
        raise ModelFileError("a checkpoint of this workflow, not of the authors (export it with "
                             "`deepallele export-model` instead)")
    if "conv0.0.weight" not in keys or "fc0.0.weight" not in keys:
        raise ModelFileError("not an authors' DeepAllele state_dict (no conv0.0.weight / fc0.0.weight)")
    if "ratio_out.0.weight" in keys:
        return "mh"
    if "out.0.weight" in keys:
        return "sh"
    if "counts_out.0.weight" in keys:
        raise ModelFileError("a ComputeRatioSeparateMultiHeadResidualCNN (direct-ratio) state_dict: "
                             "the authors published none; not supported")
    raise ModelFileError("state_dict has neither ratio_out.* (multi-head) nor out.* (single-head)")


def architecture_from_hparams(hp: dict, state: dict) -> tuple[dict, int]:
    """Our architecture and per-allele length L from the authors' hyper-parameters.

    Missing hyper-parameters are read off the tensor shapes (conv0 width, number of residual
    blocks, hidden size); ``pooling_size`` and ``input_length`` must then be given.

    Returns
    -------
    (dict, int)
        Architecture (all of ARCHITECTURE_KEYS) and L (``input_length // 2``).

    Raises
    ------
    ModelFileError
        Hyper-parameters our architecture cannot represent (conv_repeat != 1, dilation,
        max pooling, BN switched off in the residual blocks), or ``input_length`` missing.
    """
    for key, value in FIXED_HPARAMS.items():
        if key in hp and hp[key] != value:
            raise ModelFileError(f"hyper-parameter {key}={hp[key]!r} is not supported (only {value!r})")
    w0 = state["conv0.0.weight"]
    blocks = sorted({int(m.group(1)) for k in state for m in [re.match(r"convlayers\.(\d+)\._module\.", k)] if m})
    h_layers = len({int(m.group(1)) for k in state for m in [re.match(r"fclayers\.(\d+)\.", k)] if m})
    arch = {
        "conv_layers": int(hp.get("conv_layers", len(blocks))),
        "kernel_number": int(hp.get("kernel_number", w0.shape[0])),
        "kernel_length": int(hp.get("kernel_length", w0.shape[2])),
        "filter_number": int(hp.get("filter_number", state["convlayers.0.0.weight"].shape[0])),
        "kernel_size": int(hp.get("kernel_size", state["convlayers.0.0.weight"].shape[2])),
        "pooling_size": hp.get("pooling_size"),
        "h_layers": int(hp.get("h_layers", h_layers)),
        "hidden_size": int(hp.get("hidden_size", state["fc0.0.weight"].shape[0])),
        "dropout": float(hp.get("dropout", 0.2)),
        "first_batch_norm": bool(hp.get("first_batch_norm", "conv0.2.weight" in state)),
    }
    if arch["pooling_size"] is None or "input_length" not in hp:
        raise ModelFileError("hyper_parameters lack pooling_size / input_length (give --sequence-length and "
                             "--pooling-size)")
    arch["pooling_size"] = int(arch["pooling_size"])
    input_length = int(hp["input_length"])
    if input_length % 2:
        raise ModelFileError(f"input_length {input_length} is odd (it is 2L: sequence plus reverse complement)")
    return arch, input_length // 2


def authors_key(key: str, kind: str, h_layers: int) -> str:
    """The authors' name of one of our bare model's state_dict keys (the table in the module notes).

    Examples
    --------
    >>> authors_key("trunk.blocks.2.block.bn.running_var", "mh", 2)
    'convlayers.3._module.2.running_var'
    >>> authors_key("count_head.layers.6.weight", "mh", 2)
    'counts_out.0.weight'
    """
    rules = [
        (r"trunk\.conv0\.conv\.(.+)", lambda m: f"conv0.0.{m[1]}"),
        (r"trunk\.conv0\.bn\.(.+)", lambda m: f"conv0.2.{m[1]}"),
        (r"trunk\.conv1\.conv\.(.+)", lambda m: f"convlayers.0.0.{m[1]}"),
        (r"trunk\.conv1\.bn\.(.+)", lambda m: f"convlayers.0.2.{m[1]}"),
        (r"trunk\.blocks\.(\d+)\.block\.conv\.(.+)", lambda m: f"convlayers.{int(m[1]) + 1}._module.0.{m[2]}"),
        (r"trunk\.blocks\.(\d+)\.block\.bn\.(.+)", lambda m: f"convlayers.{int(m[1]) + 1}._module.2.{m[2]}"),
        (r"trunk\.fc0\.(.+)", lambda m: f"fc0.0.{m[1]}"),
    ]
    out_name = {"count_head": "counts_out", "head": "out", "ratio_head": "ratio_out"}
    hidden_name = {"count_head": "fclayers", "head": "fclayers", "ratio_head": "ratio_fclayers"}
    for pattern, target in rules:
        m = re.fullmatch(pattern, key)
        if m:
            return target(m)
    m = re.fullmatch(r"(count_head|head|ratio_head)\.layers\.(\d+)\.(.+)", key)
    if m:
        j = int(m[2])
        if j == 3 * h_layers:
            return f"{out_name[m[1]]}.0.{m[3]}"
        return f"{hidden_name[m[1]]}.{j // 3}.0.{m[3]}"
    raise ModelFileError(f"no authors' name for {key}")


def map_state_dict(state: dict, model: torch.nn.Module, kind: str, h_layers: int, label: str) -> dict:
    """The authors' ``state`` renamed to ``model``'s keys, after checking every key and shape in the authors' names.

    Raises
    ------
    ModelFileError
        Listing missing keys, unexpected keys and wrong shapes (authors' key names, ours in brackets).
    """
    expected = {authors_key(k, kind, h_layers): (k, tuple(v.shape)) for k, v in model.state_dict().items()}
    problems = state_dict_problems(state, {theirs: shape for theirs, (_, shape) in expected.items()})
    if problems:
        raise ModelFileError(f"{label}: the state_dict does not fit a {AUTHOR_CLASSES[kind]} with these "
                             f"hyper-parameters ({'; '.join(problems)})")
    return {ours: state[theirs] for theirs, (ours, _) in expected.items()}


@dataclass
class ImportedModel:
    """One imported checkpoint.

    Attributes
    ----------
    model : torch.nn.Module
        Our network with the authors' weights, eval mode.
    model_type : str
        ``deepallele`` (multi-head) or a baseline type (single-head).
    sequence_length : int
        L.
    architecture : dict
    preset : str
        ``paper_atac``, ``paper_chip`` or ``custom``.
    author_class : str
    parameters : int
    info : dict
        Epoch, best validation score, best path, loader used, stubbed globals.
    """

    model: torch.nn.Module
    model_type: str
    sequence_length: int
    architecture: dict
    preset: str
    author_class: str
    parameters: int
    info: dict = field(default_factory=dict)


def _preset_name(arch: dict) -> str:
    for name in ("paper_atac", "paper_chip"):
        p = PRESETS[name]
        if all(arch[k] == p[k] for k in p if k != "dropout"):
            return name
    return "custom"


def import_state_dict(state: dict, hparams: dict, *, label: str = "checkpoint", model_type: str | None = None,
                      sequence_length: int | None = None, pooling_size: int | None = None) -> ImportedModel:
    """Our model from an authors' state_dict and hyper-parameters, every key and shape checked.

    Parameters
    ----------
    state : dict
        The authors' ``state_dict`` (no prefix).
    hparams : dict
        Their ``hyper_parameters`` (``input_length`` = 2L, ``conv_layers``, ``pooling_size``, ...).
    label : str
        Names the source in messages.
    model_type : str, optional
        Our type for a single-head checkpoint (``ref_only``, ``alt_only``, ``two_genome``);
        required for single-head checkpoints, ignored (must be ``deepallele`` if given) for multi-head.
    sequence_length, pooling_size : int, optional
        Used when the hyper-parameters lack them.

    Returns
    -------
    ImportedModel

    Raises
    ------
    ModelFileError
        Missing or unexpected keys, a wrong shape (each listed), a parameter count that differs from
        the published one for a paper configuration, or unsupported hyper-parameters.
    """
    hp = dict(hparams or {})
    if sequence_length is not None:
        hp.setdefault("input_length", 2 * int(sequence_length))
    if pooling_size is not None:
        hp.setdefault("pooling_size", int(pooling_size))
    try:
        kind = detect_class(state)
        arch, length = architecture_from_hparams(hp, state)
    except ModelFileError as err:
        raise ModelFileError(f"{label}: {err}") from None
    except KeyError as err:
        raise ModelFileError(f"{label}: missing tensor {err}") from None
    if kind == "mh":
        if model_type not in (None, "deepallele"):
            raise ModelFileError(f"{label}: a multi-head checkpoint imports as deepallele, not {model_type}")
        model_type = "deepallele"
    elif model_type not in ("ref_only", "alt_only", "two_genome"):
        raise ModelFileError(f"{label}: a single-head checkpoint needs --model-type ref_only, alt_only or "
                             "two_genome (the genome set it was trained on is not in the file)")
    model = build_model(model_type, length, arch)
    mapped = map_state_dict(state, model, kind, arch["h_layers"], label)
    check_state_dict(mapped, model, label)
    model.load_state_dict(mapped, strict=True)
    n_authors = sum(v.numel() for k, v in state.items() if not re.search(r"running_|num_batches_tracked", k))
    n_ours = count_parameters(model)
    preset = _preset_name(arch)
    expected = EXPECTED_PARAMETERS.get((kind, preset, length))
    if n_ours != n_authors or (expected is not None and n_ours != expected):
        raise ModelFileError(f"{label}: {n_ours} parameters after import, {n_authors} in the file"
                             + (f", {expected} published" if expected else ""))
    return ImportedModel(model.eval(), model_type, length, arch, preset, AUTHOR_CLASSES[kind], n_ours)


def import_checkpoint(path: str | Path, outdir: str | Path, *, member: str | None = None,
                      model_type: str | None = None, sequence_length: int | None = None,
                      pooling_size: int | None = None, allele_names: dict | None = None,
                      seed: int | None = None) -> list[dict]:
    """Import every checkpoint of a download into our model-file format.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.ckpt`` or a Figshare folder ZIP (whatever its name).
    outdir : str or pathlib.Path
        Output folder. One checkpoint: ``outdir/model.{json,safetensors}``; several (a ZIP with
        several seeds or genome sets): ``outdir/<genome set>/seed<k>/model.{json,safetensors}``
        (``member<i>`` when a member has no ``random_seed_<k>`` level).
    member : str, optional
        Only the ZIP member(s) whose name contains this.
    model_type : str, optional
        Our type of single-head checkpoints (default: from a ``B6`` / ``Cast`` / ``B6_Cast``
        folder level: ref_only / alt_only / two_genome).
    sequence_length, pooling_size : int, optional
        When the hyper-parameters lack ``input_length`` / ``pooling_size``.
    allele_names : dict, optional
        ``{"reference": "B6", "strain": ...}`` (default B6 / alt).
    seed : int, optional
        Seed label of a single checkpoint (default: its ``random_seed_<k>`` folder).

    Returns
    -------
    list of dict
        One row per checkpoint imported: ``source, outdir, author_class, model_type, preset,
        sequence_length, parameters, epoch, authors_best_score, loader, stubbed``.
    """
    outdir = Path(outdir)
    sources = read_sources(path, member)
    rows = []
    for i, (label, src) in enumerate(sources):
        ck = load_authors_checkpoint(src, name=label)
        where = f"{label} {ck.get('best_model_path') or ''}"
        mtype = model_type
        if mtype is None and detect_class_safe(ck["state_dict"]) == "sh":
            mtype = SINGLE_HEAD_TYPES.get(genome_set(label) or genome_set(ck.get("best_model_path")) or "")
        imp = import_state_dict(ck["state_dict"], ck["hyper_parameters"], label=label, model_type=mtype,
                                sequence_length=sequence_length, pooling_size=pooling_size)
        k = seed if (seed is not None and len(sources) == 1) else seed_label(where)
        if len(sources) == 1:
            target = outdir
        else:
            sub = Path(genome_set(label) or "") / (f"seed{k}" if k is not None else f"member{i}")
            target = outdir / sub
        info = {"author_class": imp.author_class, "epoch": ck["epoch"], "global_step": ck["global_step"],
                "lightning_version": ck["lightning_version"], "authors_best_score": ck["best_model_score"],
                "authors_best_model_path": ck["best_model_path"], "loader": ck["loader"],
                "hyper_parameters": {k2: v for k2, v in ck["hyper_parameters"].items()
                                     if isinstance(v, (int, float, str, bool, type(None)))}}
        meta = model_metadata(imp.model_type, imp.sequence_length, imp.architecture, seed=k,
                              training={k2: ck["hyper_parameters"].get(k2) for k2 in ("learning_rate", "scheduler")
                                        if k2 in ck["hyper_parameters"]},
                              allele_names=allele_names or {"reference": "B6", "strain": "alt"}, preset=imp.preset,
                              source={"imported_from": label, **info})
        save_model_file(imp.model, meta, target)
        log.info("%s: %s -> %s (%s, L %d, %d parameters, authors' best score %s, read %s)", label,
                 imp.author_class, target, imp.preset, imp.sequence_length, imp.parameters,
                 ck["best_model_score"], ck["loader"])
        rows.append({"source": label, "outdir": str(target), "author_class": imp.author_class,
                     "model_type": imp.model_type, "preset": imp.preset, "sequence_length": imp.sequence_length,
                     "parameters": imp.parameters, "seed": k, "epoch": ck["epoch"],
                     "authors_best_score": ck["best_model_score"], "loader": ck["loader"]})
    return rows


@torch.inference_mode()
def validation_score(model_file, pairs_h5: str | Path, split: str = "val", batch_size: int = 256) -> tuple[float, int]:
    """Pearson r of the predicted and observed ln ratio on one split of a ``pairs.h5`` (the authors'
    checkpoint metric ``val_ratio_corr``, recomputed; e.g. on their HDF5 imported by the dataset stage).

    Parameters
    ----------
    model_file : ModelFile
        An imported model (:func:`deepallele.models.modelfile.load_model_file`).
    pairs_h5 : str or pathlib.Path
    split : str
        ``val`` (the paper's chr16-18 under its split scheme).

    Returns
    -------
    (float, int)
        r and the number of pairs.
    """
    from ..alphabet import one_hot
    from .data import load_pairs
    from .module import pearson

    pairs = load_pairs(pairs_h5)
    if pairs.sequence_length != model_file.sequence_length:
        raise ModelFileError(f"{pairs_h5}: sequences of length {pairs.sequence_length}, the model takes "
                             f"{model_file.sequence_length}")
    idx = pairs.indices(split)
    pred = torch.cat([model_file.predict_pairs(one_hot(pairs.codes[idx[i:i + batch_size]]))[:, 2]
                      for i in range(0, len(idx), batch_size)]) if len(idx) else torch.zeros(0)
    return pearson(pred, pairs.y[idx, 2]), int(len(idx))


def detect_class_safe(state: dict) -> str | None:
    """:func:`detect_class`, None instead of an error."""
    try:
        return detect_class(state)
    except ModelFileError:
        return None


def authors_input(x: torch.Tensor) -> torch.Tensor:
    """Our ``(N, 2, 4, L)`` pairs as the authors' ``(N, L, 4, 2)`` input (and back with the same permutation)."""
    return x.permute(0, 3, 2, 1).contiguous()


__all__ = ["AUTHOR_CLASSES", "EXPECTED_PARAMETERS", "ImportedModel", "RestrictedUnpickler", "architecture_from_hparams",
           "authors_input", "authors_key", "checkpoint_members", "detect_class", "import_checkpoint", "import_state_dict",
           "is_folder_zip", "load_authors_checkpoint", "map_state_dict", "read_sources", "seed_label"]
