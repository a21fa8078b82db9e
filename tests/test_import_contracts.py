"""The import layering of ``deepallele`` (the house rule), as import-linter contracts.

The contracts live in pyproject.toml (``[tool.importlinter]``; by hand: ``lint-imports --no-cache``):

1. the ground floor (``deepallele``, ``deepallele.alphabet``, ``deepallele.logutil``) imports nothing
   of the project;
2. the stages never import the simulator (``deepallele.simulate``); ``deepallele.genome.benchmark`` is
   the one listed exception;
3. only the CLI (and ``scripts/``, outside the package) import the validation wing
   (``deepallele.validation``: every comparison with the simulator's truth).

import-linter reads every import of a module, at module level and inside functions, absolute and
relative alike. These tests run the contracts on the package (they hold), check that every module
is classified, and show that the contracts fail on exactly one added violating import, naming the
module and the import, and pass again once it is removed (on a copy of the package in tmp_path).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import importlinter  # noqa: F401 (the contracts need it: fail here, not in a subprocess)
import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PKG = SRC / "deepallele"

# The layering the contracts encode (pyproject.toml says why): every top-level module or package of
# deepallele is in exactly one of these, so a new one has to be placed before the tests pass.
GROUND_FLOOR = {"deepallele", "deepallele.alphabet", "deepallele.logutil"}
STAGES = {f"deepallele.{s}" for s in
          ("genome", "reads", "datasets", "models", "interpret", "motifs", "scatac", "plots", "resources")}
SIMULATOR_AND_WING = {"deepallele.simulate", "deepallele.validation"}
# free to import any part: the command line, the Snakefile's helpers, the config reference
# generator and the software-versions table (a script helper that imports nothing of the project)
TOP = {"deepallele.cli", "deepallele.workflow", "deepallele.config_docs", "deepallele.versions"}

LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def _contract(type_: str, name_start: str) -> dict:
    (c,) = [c for c in _contracts() if c["type"] == type_ and c["name"].startswith(name_start)]
    return c


def _lint(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with ``root/pyproject.toml`` on the package under ``root/src`` (no cache written)."""
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "COLUMNS": "250", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", LINT, str(root / "pyproject.toml"), "--no-cache", "--no-logo"],
                          cwd=root / "src", env=env, capture_output=True, text=True, timeout=300)


def _lint_with(root: Path, path: str, code: str) -> tuple[subprocess.CompletedProcess, int]:
    """:func:`_lint` with ``code`` appended to the package file ``path`` (created when absent), then
    the file restored; also the number of lines before the added code."""
    target = root / "src" / "deepallele" / path
    original = target.read_text() if target.exists() else None
    target.write_text((original or "") + code)
    try:
        return _lint(root), (original or "").count("\n")
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_text(original)


def _modules() -> list[str]:
    out = []
    for p in sorted(PKG.rglob("*.py")):
        parts = list(p.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append(".".join(parts))
    return out


def _matches(expression: str, module: str) -> bool:
    """Whether import-linter's module expression (``*`` one name, ``**`` any number of names), taken
    as a package (import-linter's default), covers ``module``."""
    pattern = re.escape(expression).replace(r"\*\*", r"[^.]+(?:\.[^.]+)*").replace(r"\*", r"[^.]+")
    parts = module.split(".")
    return any(re.fullmatch(pattern, ".".join(parts[:k])) for k in range(1, len(parts) + 1))


# ---------------------------------------------------------------------------------- the package


def test_contracts_hold_on_the_package():
    r = _lint(ROOT)
    n = len(_contracts())
    assert r.returncode == 0 and f"Contracts: {n} kept, 0 broken." in r.stdout, r.stdout + r.stderr


def test_contracts_encode_the_layering():
    assert _contract("forbidden", "Ground floor")["source_modules"] == sorted(GROUND_FLOOR)
    assert set(_contract("forbidden", "Stages")["source_modules"]) == STAGES
    assert _contract("forbidden", "Stages")["forbidden_modules"] == ["deepallele.simulate"]
    # the genome benchmark is the one exception: no stage module has one for being a validation module
    ignored = _contract("forbidden", "Stages")["ignore_imports"]
    assert ignored and all(i.startswith("deepallele.genome.benchmark -> ") for i in ignored)
    wing = _contract("protected", "Only the CLI")
    assert wing["protected_modules"] == ["deepallele.validation"] and wing["allowed_importers"] == ["deepallele.cli"]


def test_every_top_level_module_is_placed():
    top = {m for m in _modules() if m.count(".") == 1} | {"deepallele"}
    groups = [GROUND_FLOOR, STAGES, SIMULATOR_AND_WING, TOP]
    assert all(not (a & b) for i, a in enumerate(groups) for b in groups[i + 1:])
    unplaced = top - set().union(*groups)
    assert not unplaced, f"place these in the layering (pyproject.toml [tool.importlinter] and this test): {unplaced}"
    assert not set().union(*groups) - top, "the layering names modules that do not exist"


def test_every_validation_module_is_in_the_wing():
    """A module named ``validate`` or ``validate_*`` compares with the simulator's truth: it belongs in
    ``deepallele.validation``, which the contract protects."""
    protected = _contract("protected", "Only the CLI")["protected_modules"]
    named = [m for m in _modules() if re.fullmatch(r"validate(_\w+)?", m.rpartition(".")[2])]
    outside = [m for m in named if not any(_matches(e, m) for e in protected)]
    assert not outside, f"validation modules outside deepallele.validation: {outside}"
    wing = [m for m in _modules() if any(_matches(e, m) for e in protected)]
    # the package, its table and goals, and one module per validation table
    assert {f"deepallele.validation.{m}" for m in ("table", "goals", "simulation", "reads", "datasets", "models",
                                                   "interpret", "motifs", "score_variants", "scatac")} <= set(wing)


# ---------------------------------------------------------------------------------- a failing case

@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    """The package and pyproject.toml copied into a tmp dir, where imports can be added."""
    root = tmp_path_factory.mktemp("contracts")
    shutil.copytree(PKG, root / "src" / "deepallele", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


# (file, added code, contract broken, importer, imported)
VIOLATIONS = [
    # a function-level relative import: the ground floor imports nothing of the project
    ("alphabet.py", "\n\ndef _added():\n    from .logutil import Progress\n    return Progress\n",
     "Ground floor", "deepallele.alphabet", "deepallele.logutil"),
    # a stage imports the simulator (relative, a submodule named in `from .. import`)
    ("datasets/split.py", "\nfrom ..simulate import genome as _genome\n",
     "Stages never import the simulator", "deepallele.datasets.split", "deepallele.simulate.genome"),
    # the genome.benchmark exception is that module's alone
    ("genome/pseudogenome.py",
     "\n\ndef _added():\n    from deepallele.simulate.variants import Variant\n    return Variant\n",
     "Stages never import the simulator", "deepallele.genome.pseudogenome", "deepallele.simulate.variants"),
    # a stage imports the validation wing: deepallele.validation ...
    ("plots/performance.py", "\nimport deepallele.validation.table\n",
     "Only the CLI and scripts/ import the validation wing", "deepallele.plots.performance",
     "deepallele.validation.table"),
    # ... and so does the simulator
    ("simulate/run.py", "\nfrom ..validation import simulation as _simulation\n",
     "Only the CLI and scripts/ import the validation wing", "deepallele.simulate.run",
     "deepallele.validation.simulation"),
    # a stage module named `validate` has no exception any more: the truth is read in the wing
    ("reads/validate.py", "from ..simulate.variants import ShiftMap\n",
     "Stages never import the simulator", "deepallele.reads.validate", "deepallele.simulate.variants"),
]


@pytest.mark.parametrize("path, code, contract, importer, imported", VIOLATIONS,
                         ids=[f"{v[3]}->{v[4]}" for v in VIOLATIONS])
def test_one_violating_import_breaks_its_contract(package_copy, path, code, contract, importer, imported):
    broken, lines_before = _lint_with(package_copy, path, code)
    out = broken.stdout + broken.stderr
    n = len(_contracts())
    assert broken.returncode == 1, out
    assert f"Contracts: {n - 1} kept, 1 broken." in out, out
    assert re.search(rf"^{re.escape(contract)}.* BROKEN", out, re.M), out
    # the report names the importing module and the import, with its line in the file
    statement = next(line.strip() for line in code.splitlines() if "import" in line)
    lineno = lines_before + code[:code.index(statement)].count("\n") + 1
    assert f"{importer} -> {imported} (l.{lineno})" in out, out
    # removing the import (the file as it was) makes them pass again
    again = _lint(package_copy)
    assert again.returncode == 0 and f"Contracts: {n} kept, 0 broken." in again.stdout, again.stdout + again.stderr


# (file, added code): imports the layering allows, so the contracts stay kept
ALLOWED = [
    ("cli.py", "\nfrom .validation.table import validation_table as _table\n"),       # the CLI imports the wing
    ("validation/reads.py", "\nfrom ..simulate import genome as _genome\n"),          # the wing reads the simulator
    ("validation/models.py", "\nfrom ..interpret import trusted as _trusted\n"),      # ... and the stages
    ("validation/scatac.py", "\nfrom . import interpret as _interpret\n"),            # ... and itself
    ("models/train.py", "\nfrom ..alphabet import one_hot as _one_hot\n"),             # a stage uses the ground floor
    ("simulate/run.py", "\nfrom ..datasets import store as _store\n"),                 # the simulator uses a stage
]


@pytest.mark.parametrize("path, code", ALLOWED, ids=[v[0] for v in ALLOWED])
def test_allowed_imports_keep_the_contracts(package_copy, path, code):
    r, _ = _lint_with(package_copy, path, code)
    assert r.returncode == 0 and f"Contracts: {len(_contracts())} kept, 0 broken." in r.stdout, r.stdout + r.stderr
