"""Honest packaging: pyproject.toml declares what the code imports, stage by stage.

Static checks (an AST scan of every import; seconds):

* every third-party import of ``src/deepallele`` and ``scripts/`` is declared in pyproject.toml (base
  dependencies or an extra), import names mapped to distributions through the installed metadata
  (``yaml`` -> PyYAML ...), and every declared dependency is used: imported by the package (base,
  ``models``, ``motifs``), called by the workflow (``workflow``: imported by a script, a command of it
  run by a rule, or the executor a profile names) or imported by the tests or run as a command by the
  test command, ``scripts/run_tests.sh`` (``test``);
* each module imports only the base dependencies plus those of its own stage's extra (``STAGES``),
  and what a module of the base set runs at import time, through the package's own imports, stays
  within the base dependencies;
* the same at run time: with every installed distribution outside the base dependencies (and their
  requirements) blocked, each base module imports and ``deepallele --help`` works.

Dynamic checks (``-m install``; deselect with ``-m "not install"``; ~5 min on a 2-core machine):
``pip install <repo>[all]`` into a fresh virtual environment, then import every module of the
package there; ``pip install <repo>`` (base only), then ``deepallele --help`` and the base modules.
pip installs offline from a wheelhouse (``pip wheel -r requirements.txt``, built once and reused;
``$DEEPALLELE_WHEELHOUSE``, default ``~/.cache/deepallele/wheelhouse``), constrained to the pins of
requirements.txt, so only what pyproject.toml declares ends up in the environment.
"""
from __future__ import annotations

import ast
import importlib.metadata as md
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from functools import lru_cache
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PKG = SRC / "deepallele"
PROJECT = "deepallele-workflow"

# Which extra each stage's modules may use besides the base dependencies (longest prefix wins;
# modules not listed are base), in imports at module level and inside functions alike.
STAGES = {
    "deepallele.models": "models",
    "deepallele.interpret": "models",
    "deepallele.motifs.cluster": "motifs",
    "deepallele.motifs.seqlets": "motifs",
    "deepallele.motifs.tomtom": "motifs",
    "deepallele.motifs.meandiff": "motifs",
    "deepallele.plots.interpretation": "motifs",
    "deepallele.simulate.truth_attributions": "motifs",  # the seqlet -> TomTom chain on the truth
}
# Modules of a stage that must still import with the base dependencies alone: the ``deepallele``
# command builds every subcommand's parser from them (``deepallele --help``) and imports the
# stage's code only when a subcommand runs.
BASE_AT_IMPORT = ("deepallele.models", "deepallele.models.cli", "deepallele.models.presets",
                  "deepallele.interpret", "deepallele.interpret.commands")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------------- the AST scan

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk_imports(tree: ast.Module):
    """(node, lazy) for every import; ``lazy`` when inside a function; ``if TYPE_CHECKING`` skipped."""
    def visit(node, lazy):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for c in child.orelse:
                    yield from visit_one(c, lazy)
                continue
            yield from visit_one(child, lazy)

    def visit_one(child, lazy):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, lazy
        else:
            yield from visit(child, lazy or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    yield from visit(tree, False)


@lru_cache(maxsize=None)
def _scan(path: Path) -> tuple[list[tuple[str, bool, int]], list[tuple[str, bool]]]:
    """Third-party top-level names ``(name, lazy, line)`` and package-internal modules ``(module, lazy)``."""
    tree = ast.parse(path.read_text(), str(path))
    own = _module_name(path) if path.is_relative_to(SRC) else None
    package = own if own is not None and path.name == "__init__.py" else (own.rpartition(".")[0] if own else "")
    third, internal = [], []
    for node, lazy in _walk_imports(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif node.level:
            base = package.split(".")
            base = base[:len(base) - (node.level - 1)]
            mod = ".".join(base + ([node.module] if node.module else []))
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names]  # a name may be a submodule
        else:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for t in targets:
            top = t.split(".")[0]
            if top == "deepallele":
                internal.append((t, lazy))
            elif top not in sys.stdlib_module_names and top != "__future__" and t == targets[0]:
                third.append((top, lazy, node.lineno))
    for node in ast.walk(tree):  # pytest.importorskip("name"): an import that may be missing
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "importorskip" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            top = node.args[0].value.split(".")[0]
            if top not in sys.stdlib_module_names and top != "deepallele":
                third.append((top, True, node.lineno))
    return third, internal


def _package_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


# ---------------------------------------------------------------------------------- declarations

@lru_cache(maxsize=None)
def _declared() -> dict[str, set[str]]:
    """{'base': {...}, 'models': {...}, ...}: normalised distribution names; self-references expanded."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    raw = {"base": project.get("dependencies", []), **project.get("optional-dependencies", {})}

    def names(extra: str, seen=()) -> set[str]:
        out = set()
        for req in raw[extra]:
            m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?", req)
            name = _norm(m.group(1))
            if name == PROJECT:
                for sub in (m.group(2) or "").split(","):
                    if sub.strip() and sub.strip() not in seen:
                        out |= names(sub.strip(), seen + (extra,))
            else:
                out.add(name)
        return out

    return {extra: names(extra) for extra in raw}


@lru_cache(maxsize=None)
def _import_to_dists() -> dict[str, set[str]]:
    return {name: {_norm(d) for d in dists} for name, dists in md.packages_distributions().items()}


def _dists_of(top: str) -> set[str]:
    dists = _import_to_dists().get(top)
    assert dists, f"import {top!r}: no installed distribution provides it (install the pinned environment)"
    return dists


def _requires(dist: str) -> set[str]:
    """Unconditional requirements of an installed distribution (no extras; markers evaluated here)."""
    from packaging.requirements import Requirement

    out = set()
    for req in md.requires(dist) or []:
        r = Requirement(req)
        if r.marker is None or r.marker.evaluate({"extra": ""}):
            out.add(_norm(r.name))
    return out


def _closure(dists: set[str]) -> set[str]:
    seen, todo = set(), list(dists)
    while todo:
        d = todo.pop()
        if d in seen:
            continue
        seen.add(d)
        try:
            todo.extend(_requires(d) - seen)
        except md.PackageNotFoundError:
            pass
    return seen


def _stage(module: str) -> str | None:
    best = max((p for p in STAGES if module == p or module.startswith(p + ".")), key=len, default=None)
    return STAGES[best] if best else None


def _import_stage(module: str) -> str | None:
    """The extra a module needs to be imported (``None``: base)."""
    return None if module in BASE_AT_IMPORT else _stage(module)


def _allowed(stage: str | None) -> set[str]:
    declared = _declared()
    return declared["base"] | (declared[stage] if stage else set())


# ---------------------------------------------------------------------------------- static tests

def test_every_import_is_declared():
    declared = set().union(*_declared().values())
    missing = []
    for path in sorted(PKG.rglob("*.py")) + sorted((ROOT / "scripts").glob("*.py")):
        for top, _lazy, line in _scan(path)[0]:
            if not _dists_of(top) & declared:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {top} ({', '.join(sorted(_dists_of(top)))})")
    assert not missing, "imported but not declared in pyproject.toml:\n  " + "\n  ".join(missing)


def _used_imports(paths, local=frozenset()) -> set[str]:
    return {d for p in paths for top, _lazy, _line in _scan(p)[0] if top not in local for d in _dists_of(top)}


def _commands_of(dist: str) -> set[str]:
    """Console scripts of an installed distribution (entry points and plain scripts in bin/)."""
    d = md.distribution(dist)
    out = {e.name for e in d.entry_points if e.group == "console_scripts"}
    out |= {Path(f).name for f in d.files or [] if Path(f).parent.name == "bin"}
    return out


def test_every_declaration_is_used():
    declared = _declared()
    package = _used_imports(sorted(PKG.rglob("*.py")))
    scripts = _used_imports(sorted((ROOT / "scripts").glob("*.py")))
    test_files = [p for p in sorted((ROOT / "tests").rglob("*.py")) if ".tmp" not in p.parts]
    tests = _used_imports(test_files, local=frozenset(p.stem for p in test_files))  # minus helpers such as httpserver
    workflow_text = "\n".join(p.read_text() for p in [ROOT / "Snakefile", ROOT / "Makefile",
                                                       *sorted((ROOT / "rules").glob("*.smk")),
                                                       *sorted((ROOT / "scripts").glob("*.sh"))])
    profiles = "\n".join(p.read_text() for p in sorted((ROOT / "profiles").rglob("*.yaml")))
    test_command = (ROOT / "scripts" / "run_tests.sh").read_text()
    unused = []
    for extra, dists in declared.items():
        for d in sorted(dists):
            if extra in ("base", "models", "motifs"):
                used = d in package
            elif extra == "workflow":
                executor = d.removeprefix("snakemake-executor-plugin-") if d.startswith("snakemake-executor-plugin-") \
                    else None
                used = d in scripts or \
                    any(re.search(rf"(?<![\w.-]){re.escape(c)}\b(?!/)", workflow_text) for c in _commands_of(d)) or \
                    (executor is not None and re.search(rf"^executor:\s*{re.escape(executor)}\s*$", profiles, re.M))
            elif extra == "test":
                used = d in tests or \
                    any(re.search(rf"^\s*{re.escape(c)}\b", test_command, re.M) for c in _commands_of(d))
            else:
                used = True  # an aggregate such as 'all' (its members are checked above)
            if not used:
                unused.append(f"[{extra}] {d}")
    assert not unused, "declared in pyproject.toml but not used:\n  " + "\n  ".join(unused)


def test_extras_cover_the_stages():
    declared = _declared()
    assert set(declared) >= {"base", "models", "motifs", "workflow", "all"}
    assert declared["all"] == declared["models"] | declared["motifs"] | declared["workflow"]
    assert not declared["base"] & {"torch", "lightning", "memelite", "numba", "logomaker", "snakemake"}


def test_each_module_imports_only_its_stage():
    bad = []
    for module, path in _package_modules().items():
        stage = _stage(module)
        allowed = _allowed(stage)
        for top, lazy, line in _scan(path)[0]:
            if not _dists_of(top) & allowed:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {'lazy ' if lazy else ''}import {top} "
                           f"outside [{stage or 'base'}]")
    assert not bad, "imports outside the module's stage (see STAGES):\n  " + "\n  ".join(bad)


def _import_time_closure(module: str, modules: dict[str, Path]) -> dict[str, str]:
    """Third-party names imported when ``module`` is imported -> the module that imports each."""
    out, seen, todo = {}, set(), [module]
    while todo:
        m = todo.pop()
        parts = m.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ first
            name = ".".join(parts[:i])
            if name in seen or name not in modules:
                continue
            seen.add(name)
            third, internal = _scan(modules[name])
            for top, lazy, _line in third:
                if not lazy:
                    out.setdefault(top, name)
            todo.extend(t for t, lazy in internal if not lazy)
    return out


def test_import_time_closure_stays_in_stage():
    modules = _package_modules()
    bad = []
    for module in modules:
        stage = _import_stage(module)
        allowed = _allowed(stage)
        for top, by in sorted(_import_time_closure(module, modules).items()):
            if not _dists_of(top) & allowed:
                bad.append(f"import {module} [{stage or 'base'}] imports {top} (in {by})")
    assert not bad, "\n  ".join(["import-time imports outside the stage:", *bad])


# ---------------------------------------------------------------------------------- base at run time

_BLOCKED_RUN = textwrap.dedent("""
    import importlib, io, sys, contextlib
    blocked = set(sys.argv[1].split(","))

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in blocked:
                raise ModuleNotFoundError(f"No module named {name!r} (not a base dependency)", name=name)

    sys.meta_path.insert(0, Block())
    failed = []
    for module in sys.argv[2].split(","):
        try:
            importlib.import_module(module)
        except Exception as err:
            failed.append(f"{module}: {type(err).__name__}: {err}")
    from deepallele.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(["--help"])
        except SystemExit as e:
            if e.code:
                failed.append(f"deepallele --help exited {e.code}")
        except Exception as err:
            failed.append(f"deepallele --help: {type(err).__name__}: {err}")
    if "check-config" not in out.getvalue():
        failed.append("deepallele --help did not list the subcommands")
    # a command of an extra says which extra to install, instead of a traceback
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main(["train", "--pairs", "missing.h5", "--model", "deepallele", "--outdir", "unused"])
    if rc != 2 or "[models]" not in err.getvalue():
        failed.append(f"deepallele train without torch: exit {rc}, stderr {err.getvalue()[-300:]!r}")
    print("\\n".join(failed))
    sys.exit(1 if failed else 0)
""")


def test_base_modules_and_cli_help_work_with_base_dependencies_only():
    """Every installed distribution outside the base dependencies' closure is made unimportable."""
    base = _closure(_declared()["base"])
    blocked = {top for top, dists in _import_to_dists().items()
               if not dists & base and top != "deepallele" and top.isidentifier()}
    assert "torch" in blocked and "numpy" not in blocked
    base_modules = [m for m in _package_modules() if _import_stage(m) is None]
    assert set(BASE_AT_IMPORT) <= set(base_modules)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run([sys.executable, "-c", _BLOCKED_RUN, ",".join(sorted(blocked)), ",".join(base_modules)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, f"with only the base dependencies:\n{r.stdout}{r.stderr[-3000:]}"


# ---------------------------------------------------------------------------------- fresh install

def _wheelhouse() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "deepallele" / "wheelhouse"
    return Path(os.environ.get("DEEPALLELE_WHEELHOUSE", default))


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)


_IMPORT_ALL = textwrap.dedent("""
    import importlib, pkgutil, sys
    import deepallele
    assert "site-packages" in deepallele.__file__, deepallele.__file__
    failed, n = [], 0
    for info in pkgutil.walk_packages(deepallele.__path__, "deepallele."):
        n += 1
        try:
            importlib.import_module(info.name)
        except Exception as err:
            failed.append(f"{info.name}: {type(err).__name__}: {err}")
    print(f"imported {n - len(failed)}/{n} modules")
    print("\\n".join(failed))
    sys.exit(1 if failed or n < 50 else 0)
""")


def _fresh_venv(tmp_path: Path, extras: str) -> tuple[Path, dict, str]:
    """A new venv with ``<project><extras>`` installed offline from the wheelhouse; (bin dir, env, timings)."""
    wheels = _wheelhouse()
    wheels.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    # the wheelhouse: every pinned distribution and its requirements as wheels (a no-op once complete)
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "-r", ROOT / "requirements.txt", "setuptools>=68",
              "--find-links", wheels, "-w", wheels], timeout=1800)
    if r.returncode != 0:
        pytest.skip(f"could not fill the wheelhouse {wheels} (network?):\n{r.stderr[-2000:]}")
    t_wheels = time.time() - t0
    # the project as pip sees it (pyproject.toml, README, src/), copied so the build writes nothing here
    project = tmp_path / "project"
    shutil.copytree(SRC, project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, project / name)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env["PIP_CONFIG_FILE"] = os.devnull  # this machine's index/find-links settings play no part
    t1 = time.time()
    r = _run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile", "--no-index",
              "--find-links", wheels, "-c", ROOT / "requirements.txt", f"{project}{extras}"],
             env=env, cwd=tmp_path, timeout=1800)
    assert r.returncode == 0, f"pip install .{extras} failed:\n{r.stdout[-2000:]}{r.stderr[-4000:]}"
    return venv / "bin", env, f"wheelhouse {t_wheels:.0f} s, install {time.time() - t1:.0f} s"


@pytest.mark.install
def test_fresh_install_of_all_extras_imports_every_module(tmp_path):
    """``pip install <repo>[all]`` into a new venv (offline, from the wheelhouse), then import everything."""
    bin_dir, env, timings = _fresh_venv(tmp_path, "[all]")
    t2 = time.time()
    r = _run([bin_dir / "python", "-c", _IMPORT_ALL], env=env, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, f"in the fresh venv:\n{r.stdout}{r.stderr[-3000:]}"
    h = _run([bin_dir / "deepallele", "--help"], env=env, cwd=tmp_path, timeout=120)
    assert h.returncode == 0 and "check-config" in h.stdout, h.stderr
    print(f"[all]: {timings}, imports {time.time() - t2:.0f} s; {r.stdout.splitlines()[0]}")


@pytest.mark.install
def test_fresh_base_install_runs_the_cli_and_base_modules(tmp_path):
    """``pip install <repo>`` (no extras): ``deepallele --help`` and every base module import; torch is absent."""
    bin_dir, env, timings = _fresh_venv(tmp_path, "")
    base_modules = ",".join(m for m in _package_modules() if _import_stage(m) is None)
    code = ("import importlib, importlib.util, sys\n"
            "assert importlib.util.find_spec('torch') is None, 'torch installed by the base install'\n"
            "for m in sys.argv[1].split(','):\n    importlib.import_module(m)\n")
    r = _run([bin_dir / "python", "-c", code, base_modules], env=env, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    h = _run([bin_dir / "deepallele", "--help"], env=env, cwd=tmp_path, timeout=120)
    assert h.returncode == 0 and "check-config" in h.stdout, h.stderr[-3000:]
    print(f"base: {timings}")
