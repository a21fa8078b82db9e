"""The config reference (docs/config.md): every schema key described, the page generated from the schema."""
from __future__ import annotations

import difflib
from pathlib import Path

from deepallele.config_docs import (DOC_PATH, REGENERATE, config_markdown, config_schema, main, schema_keys,
                                    schema_markdown, simulate_defaults, undocumented)

ROOT = Path(__file__).resolve().parents[1]

# JSON Schema keywords the config schema uses; anything else inside a schema node is a typo or a
# YAML slip (an unquoted ', ' in a flow-mapping description splits it into extra keys).
KEYWORDS = {"$schema", "description", "type", "properties", "additionalProperties", "default", "items", "enum",
            "const", "oneOf", "anyOf", "allOf", "not", "required", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "pattern", "minItems", "maxItems", "minProperties", "propertyNames"}


def test_every_schema_key_has_a_description():
    schema = config_schema()
    missing = undocumented(schema)
    assert not missing, (f"{len(missing)} of {len(schema_keys(schema))} config schema keys have no description "
                         f"(src/deepallele/schemas/config.schema.yaml): {', '.join(missing)}")


def test_schema_nodes_use_only_json_schema_keywords():
    bad = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in KEYWORDS:
                    bad.append(f"{path or '(top level)'}: {key!r}")
                if key in ("properties",) and isinstance(value, dict):
                    for name, sub in value.items():
                        walk(sub, f"{path}.{name}" if path else name)
                elif key == "additionalProperties":
                    walk(value, f"{path}.<name>")
                elif key in ("items", "not", "propertyNames"):
                    walk(value, f"{path}.{key}")
                elif key in ("oneOf", "anyOf", "allOf"):
                    for i, alt in enumerate(value):
                        walk(alt, f"{path}.{key}[{i}]")

    walk(config_schema(), "")
    assert not bad, "unknown keys in the config schema (quote descriptions that contain ', '): " + "; ".join(bad)


def test_docs_config_md_matches_the_schema():
    path = ROOT / DOC_PATH
    expected = config_markdown()
    assert path.exists(), f"{DOC_PATH} is missing; generate it: {REGENERATE}"
    actual = path.read_text()
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(actual.splitlines(True), expected.splitlines(True),
                                                 DOC_PATH, "generated"))[:40])
        raise AssertionError(f"{DOC_PATH} is out of date with the config schema; regenerate it: {REGENERATE}\n{diff}")


def test_every_key_appears_in_the_reference():
    lines = (ROOT / DOC_PATH).read_text().splitlines()
    rows = {line.split(" | ")[0].removeprefix("| ").strip("`") for line in lines if line.startswith("| `")}
    headings = {line.split(" ", 1)[1].strip("`") for line in lines if line.startswith("## ")}
    absent = [p for p, _ in schema_keys(config_schema()) if p not in rows and p not in headings]
    assert not absent, f"keys without a row or section in {DOC_PATH}: {absent}"


def test_simulate_defaults_fill_the_simulator_keys():
    cells = simulate_defaults()
    assert cells["genomes.<name>.simulate.gc"] == "`0.42`"
    assert cells["datasets.<name>.simulate.n_regions"] == "chip: `3000`; atac: `3000`; scatac: `1000`"
    assert cells["datasets.<name>.simulate.adapter"] == "chip: `truseq`; atac: `nextera`; scatac: `nextera`"
    assert cells["datasets.<name>.simulate.fragment_mean"] == "chip: `170`"
    # every simulator default is a key of the schema
    keys = {p for p, _ in schema_keys(config_schema())}
    assert set(cells) <= keys, sorted(set(cells) - keys)


def test_check_mode(tmp_path, capsys):
    stale = tmp_path / "config.md"
    stale.write_text("# old\n")
    assert main(["--check", str(stale)]) == 1
    assert REGENERATE in capsys.readouterr().err
    fresh = tmp_path / "fresh.md"
    assert main(["--output", str(fresh)]) == 0
    assert main(["--check", str(fresh)]) == 0
    assert fresh.read_text() == config_markdown()


TINY = {
    "description": "A tiny config.",
    "type": "object",
    "required": ["samples"],
    "properties": {
        "name": {"type": "string", "default": "", "description": "Run name; |x| and <dataset> are escaped."},
        "threads": {"type": "object", "default": {}, "description": "Threads.",
                    "properties": {"align": {"type": "integer", "minimum": 1, "default": 4, "description": "bowtie2 -p."},
                                   "mode": {"enum": ["fast", "", None], "default": "fast", "description": "A *mode*."}}},
        "samples": {
            "type": "object", "minProperties": 1, "propertyNames": {"pattern": "^[a-z]+$"},
            "description": "Samples by name.",
            "additionalProperties": {
                "type": "object", "required": ["reads"], "description": "One sample.",
                "oneOf": [{"required": ["reads"]}, {"required": ["bam"]}],
                "properties": {
                    "reads": {"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "FASTQs."},
                    "bam": {"type": "string", "pattern": "\\.bam$", "description": "A BAM."},
                    "sizes": {"type": "object", "description": "Name to size.",
                              "additionalProperties": {"type": "integer", "exclusiveMinimum": 0, "description": "Bp."}},
                    "depth": {"type": "number", "description": "Mean\n  depth."},
                }}},
    },
}

TINY_MARKDOWN = """\
# Configuration reference

<!-- Generated from tiny.yaml by `make docs`; edit the schema's descriptions, not this file. -->

A tiny config.

Required top-level keys: `samples`. A `<name>` in a key path stands for a name you choose.

Top-level keys: [`name`](#name), [`threads`](#threads), [`samples`](#samples).

## `name`

| Key | Type | Default | Description |
| --- | --- | --- | --- |
| `name` | string | `""` | Run name; \\|x\\| and \\<dataset> are escaped. |

## `threads`

Threads.

| Key | Type | Default | Description |
| --- | --- | --- | --- |
| `threads.align` | integer ≥ 1 | `4` | bowtie2 -p. |
| `threads.mode` | one of `fast`, `""`, `null` | `fast` | A \\*mode\\*. |

## `samples`

Samples by name.

At least 1 entry. Names match `^[a-z]+$`.

| Key | Type | Default | Description |
| --- | --- | --- | --- |
| `samples.<name>` | object |  | One sample. |

### `samples.<name>`

Exactly one of `reads`, `bam`.

| Key | Type | Default | Description |
| --- | --- | --- | --- |
| `samples.<name>.reads` | list of string with at least 1 item | required | FASTQs. |
| `samples.<name>.bam` | string matching `\\.bam$` |  | A BAM. |
| `samples.<name>.sizes` | mapping of name to integer > 0 |  | Name to size. |
| `samples.<name>.sizes.<name>` | integer > 0 |  | Bp. |
| `samples.<name>.depth` | number | `30` | Mean depth. |
"""


def test_schema_markdown_of_a_small_schema():
    got = schema_markdown(TINY, {"samples.<name>.depth": "`30`"}, source="tiny.yaml", command="make docs")
    assert got == TINY_MARKDOWN


def test_undocumented_names_keys_at_every_depth():
    schema = {"type": "object", "properties": {
        "a": {"type": "object", "description": "A.", "properties": {"b": {"type": "integer"}}},
        "c": {"type": "object", "description": "C.",
              "additionalProperties": {"type": "object", "properties": {"d": {"type": "string", "description": " "}}}},
        "e": {"type": "array", "description": "E.",
              "items": {"type": "object", "properties": {"f": {"type": "string"}}}},
    }}
    assert [p for p, _ in schema_keys(schema)] == ["a", "a.b", "c", "c.<name>", "c.<name>.d", "e", "e[]", "e[].f"]
    assert undocumented(schema) == ["a.b", "c.<name>", "c.<name>.d", "e[]", "e[].f"]
