"""The configuration reference (``docs/config.md``), generated from the config schema's descriptions.

Every key of ``deepallele/schemas/config.schema.yaml`` carries a ``description``; this module turns
the schema into one Markdown section per top-level key, with a table (key path, type, default,
description) per object. Keys whose names the user chooses (a genome, a dataset, a resource) are
written ``<name>``; the objects of an array, ``[]``. Defaults that live outside the schema (the
simulator's, in ``deepallele/data/simulate_defaults.yaml``) are filled in from there.

Regenerate the committed reference after changing the schema (tests/test_config_docs.py checks it)::

    PYTHONPATH=src python -m deepallele.config_docs --output docs/config.md
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from importlib import resources
from pathlib import Path

import yaml

#: The command that rewrites the committed reference (from the repository root).
REGENERATE = "PYTHONPATH=src python -m deepallele.config_docs --output docs/config.md"
#: Where the reference is committed, relative to the repository root.
DOC_PATH = "docs/config.md"
SCHEMA_SOURCE = "src/deepallele/schemas/config.schema.yaml"

_BOUNDS = (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<"))


def config_schema() -> dict:
    """The config's JSON schema as shipped with the package."""
    return yaml.safe_load(resources.files("deepallele.schemas").joinpath("config.schema.yaml").read_text())


# ------------------------------------------------------------------------------------------ walking

def _children(path: str, node: dict) -> list[tuple[str, dict]]:
    """The documented sub-keys of one schema node: properties, ``<name>`` entries, ``[]`` items."""
    out = []
    for key, sub in (node.get("properties") or {}).items():
        out.append((f"{path}.{key}" if path else key, sub))
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and path:
        out.append((f"{path}.<name>", extra))
    items = node.get("items")
    if isinstance(items, dict) and (items.get("properties") or isinstance(items.get("additionalProperties"), dict)):
        out.append((f"{path}[]", items))
    return out


def schema_keys(schema: dict) -> list[tuple[str, dict]]:
    """Every key of ``schema`` at every depth, as ``(dotted path, schema node)`` in schema order.

    Properties count at any depth; the schema of the values of an object with free key names
    (``additionalProperties``) counts as ``<path>.<name>``, and the object items of an array as
    ``<path>[]``. Alternatives of ``oneOf`` / ``anyOf`` are parts of their key, not keys.
    """
    out = []

    def walk(path: str, node: dict) -> None:
        for child_path, child in _children(path, node):
            out.append((child_path, child))
            walk(child_path, child)

    walk("", schema)
    return out


def undocumented(schema: dict) -> list[str]:
    """Paths of the keys (:func:`schema_keys`) without a non-empty ``description``."""
    return [p for p, node in schema_keys(schema) if not str(node.get("description") or "").strip()]


# ------------------------------------------------------------------------------------------ text

def _code(value: str) -> str:
    return "`" + value.replace("|", "\\|") + "`"


def default_text(value) -> str:
    """A default value as Markdown: a code span of its YAML/JSON spelling (``""`` for an empty string)."""
    if isinstance(value, str):
        return _code(value) if value else '`""`'
    if isinstance(value, bool):
        return _code("true" if value else "false")
    if value is None:
        return _code("null")
    if isinstance(value, (int, float)):
        return _code(repr(value))
    return _code(json.dumps(value))


def _enum_value(value) -> str:
    return '`""`' if value == "" else default_text(value)


def type_text(node: dict) -> str:
    """What values a schema node takes, in words (``integer ≥ 1``, ``one of `a`, `b```, ...)."""
    if "const" in node:
        return _enum_value(node["const"])
    if "enum" in node:
        return "one of " + ", ".join(_enum_value(v) for v in node["enum"])
    for key in ("oneOf", "anyOf"):
        if key in node and "type" not in node:
            return " or ".join(type_text(alt) for alt in node[key])
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(type_text({**node, "type": k}) for k in kind)
    if kind in ("integer", "number"):
        bounds = [f"{sign} {node[key]}" for key, sign in _BOUNDS if key in node]
        return kind + (" " + ", ".join(bounds) if bounds else "")
    if kind == "string":
        return "string" + (f" matching {_code(node['pattern'])}" if "pattern" in node else "")
    if kind == "array":
        items = node.get("items")
        inner = type_text(items) if isinstance(items, dict) else "any"
        if isinstance(items, dict) and items.get("type") == "array":
            inner = f"({inner})"
        lo, hi = node.get("minItems"), node.get("maxItems")
        count = (f" with {lo} items" if lo is not None and lo == hi
                 else f" with at least {lo} item{'s' if lo != 1 else ''}" if lo
                 else f" with at most {hi} items" if hi is not None else "")
        return f"list of {inner}{count}"
    if kind == "object" or "properties" in node or "additionalProperties" in node:
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and not node.get("properties"):
            return "mapping of name to " + type_text(extra)
        return "object"
    if kind in ("boolean", "null"):
        return kind
    return "any"


_UNDERSCORE_EDGE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def prose(text: str) -> str:
    """A description as one line of Markdown: whitespace folded; ``\\ | * < ~`` and edge ``_`` escaped."""
    text = " ".join(str(text).split())
    for ch in ("\\", "|", "*", "<", "~"):
        text = text.replace(ch, "\\" + ch)
    return _UNDERSCORE_EDGE.sub(r"\\_", text)


# ------------------------------------------------------------------------------------------ Markdown

def _is_section(node: dict) -> bool:
    """Whether a key gets its own table: an object with properties, or whose entries have them."""
    if node.get("properties"):
        return True
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and _is_section(extra):
        return True
    items = node.get("items")
    return isinstance(items, dict) and _is_section(items)


def _constraints(node: dict) -> list[str]:
    lines = []
    if node.get("minProperties"):
        n = node["minProperties"]
        lines.append(f"At least {n} entr{'y' if n == 1 else 'ies'}.")
    pattern = (node.get("propertyNames") or {}).get("pattern")
    if pattern:
        lines.append(f"Names match {_code(pattern)}.")
    alternatives = node.get("oneOf") or []
    if alternatives and all(set(a) == {"required"} and len(a["required"]) == 1 for a in alternatives):
        lines.append("Exactly one of " + ", ".join(_code(a["required"][0]) for a in alternatives) + ".")
    return lines


def _rows(path: str, node: dict, defaults: dict) -> list[tuple[str, dict, str]]:
    """Table rows of one object: (path, node, default cell); a free-named scalar mapping adds its entry row."""
    required = set(node.get("required") or [])
    rows = []
    for child_path, child in _children(path, node):
        key = child_path.rsplit(".", 1)[-1]
        if "default" in child:
            default = default_text(child["default"])
        elif child_path in defaults:
            default = defaults[child_path]
        elif key in required:
            default = "required"
        else:
            default = ""
        rows.append((child_path, child, default))
        if not _is_section(child):
            rows += _rows(child_path, child, defaults)
    return rows


def _table(rows: list[tuple[str, dict, str]]) -> list[str]:
    out = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
    for path, node, default in rows:
        out.append(f"| {_code(path)} | {type_text(node)} | {default} | {prose(node.get('description', ''))} |")
    return out


def _section(path: str, node: dict, defaults: dict, level: int, lines: list[str]) -> None:
    lines += [f"{'#' * level} {_code(path)}", ""]
    if level == 2 and _is_section(node) and node.get("description"):
        lines += [prose(node["description"]), ""]
    notes = _constraints(node)
    if notes:
        lines += [" ".join(notes), ""]
    if not _is_section(node):
        rows = [(path, node, default_text(node["default"]) if "default" in node
                 else defaults.get(path, ""))] + _rows(path, node, defaults)
        lines += _table(rows) + [""]
        return
    rows = _rows(path, node, defaults)
    lines += _table(rows) + [""]
    for child_path, child, _ in rows:
        if _is_section(child):
            _section(child_path, child, defaults, 3, lines)


def schema_markdown(schema: dict, defaults: dict[str, str] | None = None, *,
                    title: str = "Configuration reference", source: str = SCHEMA_SOURCE,
                    command: str = REGENERATE, intro: str = "") -> str:
    """The Markdown reference of a config schema.

    Parameters
    ----------
    schema : dict
        A JSON schema whose top level is an object with ``properties``.
    defaults : dict, optional
        Default cells (Markdown) of keys whose defaults the schema does not state, by dotted path.
    title, source, command : str
        Page title, the schema's path and the command that regenerates the page (both named in the
        page's header comment).
    intro : str
        Markdown paragraph placed before the list of top-level keys.

    Returns
    -------
    str
        One ``##`` section per top-level key (a table of its keys; objects inside it get ``###``
        sections of their own), in schema order, ending with a newline.
    """
    defaults = defaults or {}
    top = list((schema.get("properties") or {}).items())
    lines = [f"# {title}", "",
             f"<!-- Generated from {source} by `{command}`; edit the schema's descriptions, not this file. -->",
             ""]
    if schema.get("description"):
        lines += [prose(schema["description"]), ""]
    notes = []
    if schema.get("required"):
        notes.append("Required top-level keys: " + ", ".join(_code(k) for k in schema["required"]) + ".")
    if any("<name>" in path for path, _ in schema_keys(schema)):
        notes.append("A `<name>` in a key path stands for a name you choose.")
    if notes:
        lines += [" ".join(notes), ""]
    if intro:
        lines += [intro, ""]
    lines += ["Top-level keys: " + ", ".join(f"[{_code(k)}](#{k.lower()})" for k, _ in top) + ".", ""]
    for key, node in top:
        _section(key, node, defaults, 2, lines)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def simulate_defaults() -> dict[str, str]:
    """Default cells of the simulator's keys, from ``deepallele/data/simulate_defaults.yaml``.

    ``genomes.<name>.simulate.*`` from its ``genome`` block; ``datasets.<name>.simulate.*`` from
    ``dataset.common`` overridden by the assay's block (scatac layers over atac, as the simulator
    does), written per assay where they differ.
    """
    data = yaml.safe_load(resources.files("deepallele.data").joinpath("simulate_defaults.yaml").read_text())
    out = {f"genomes.<name>.simulate.{k}": default_text(v) for k, v in data["genome"].items()}
    assays = [a for a in data["dataset"] if a != "common"]
    # the simulator's own layering, so the reference cannot drift from what it runs
    from deepallele.simulate.run import dataset_params

    per_assay = {a: dataset_params(a, None) for a in assays}
    keys = list(dict.fromkeys(k for a in assays for k in per_assay[a]))
    for k in keys:
        values = {a: per_assay[a][k] for a in assays if k in per_assay[a]}
        if len(values) == len(assays) and len({json.dumps(v) for v in values.values()}) == 1:
            cell = default_text(next(iter(values.values())))
        else:
            cell = "; ".join(f"{a}: {default_text(v)}" for a, v in values.items())
        out[f"datasets.<name>.simulate.{k}"] = cell
    return out


def config_markdown() -> str:
    """The reference of the shipped config schema (what ``docs/config.md`` holds)."""
    intro = ("Empty default cells are optional keys without a fixed default (the description says what "
             "their absence means). The simulator's defaults come from "
             "`src/deepallele/data/simulate_defaults.yaml`, per assay where they differ. Example configs: "
             "`config/config.yaml` (the demo), `config/validation.yaml`, `config/paper/`.")
    return schema_markdown(config_schema(), simulate_defaults(), intro=intro)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deepallele.config_docs", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--output", help="write the reference to this file (default: standard output)")
    group.add_argument("--check", metavar="PATH", help="exit 1 when PATH differs from the generated reference")
    args = parser.parse_args(argv)
    text = config_markdown()
    if args.check:
        path = Path(args.check)
        if not path.exists() or path.read_text() != text:
            print(f"{path} is out of date with the config schema; regenerate it: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
