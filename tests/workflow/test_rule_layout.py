"""The workflow's paths are spelled once, in rules/layout.smk (issue 23, item 2).

The Snakefile and every rules/*.smk are read with Python's tokenizer (Snakemake's syntax
tokenizes as Python). A *path literal* is a string whose text starts with ``results/`` or
``resources/`` or, as an f-string, with the simulator's folder ``{SIM}/``; its *pattern* is that
text with every ``{...}`` (wildcard or f-string field) replaced by ``{}``, so that
``f"results/{ds}/data/pairs.h5"`` and ``"results/{dataset}/data/pairs.h5"`` are the same path.
The checks:

* no pattern is spelled twice;
* outside rules/layout.smk a path literal may only be a rule's own ``log:`` or ``benchmark:``
  file: every output, input and param path names the layout (a rule input that spells a path
  the layout defines is reported as such);
* common.smk includes the layout and every stage's helpers, the Snakefile includes nothing else
  before the stages' rule files, and the workflow parses with the rule files in reverse order
  (no include-order contract among them).

The checker is run on toy rule folders with each kind of fault, so that a pass means something.
"""
from __future__ import annotations

import io
import re
import subprocess
import sys
import tokenize
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAYOUT = "layout.smk"
# directives whose path is the rule's own (spelled in the rule, once)
OWN_FILES = {"log", "benchmark"}
_PATH_START = re.compile(r"^(results/|resources/|\{SIM\}/)")
_RULE_START = re.compile(r"^(?:rule|checkpoint)\s+(\w+)\s*:|^use\s+rule\s+\S+\s+as\s+(\w+)\s+with\s*:")
_DIRECTIVE = re.compile(r"^ {4}(\w+)\s*:")


@dataclass(frozen=True)
class PathLiteral:
    file: str
    line: int
    text: str  # the string's content, as written
    rule: str | None  # the rule it is in, None outside rules
    directive: str | None  # its directive (output, input, params, log, ...) inside a rule

    @property
    def pattern(self) -> str:
        return re.sub(r"\{[^{}]*\}", "{}", self.text)

    def where(self) -> str:
        inside = f" (rule {self.rule}, {self.directive})" if self.rule else ""
        return f"{self.file}:{self.line}{inside}: {self.text!r}"


def _string_tokens(source: str):
    """(line, source text) of every string literal; an f-string (tokenized in parts from Python
    3.12 on) comes back whole."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    depth, start = 0, None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and depth == 0:
            yield tok.start[0], tok.string
        elif fstring_start is not None and tok.type == fstring_start:
            if depth == 0:
                start = tok.start
            depth += 1
        elif fstring_end is not None and tok.type == fstring_end:
            depth -= 1
            if depth == 0:
                a = offsets[start[0] - 1] + start[1]
                b = offsets[tok.end[0] - 1] + tok.end[1]
                yield start[0], source[a:b]


def _content(literal: str) -> tuple[str, bool]:
    """The text of a string literal without prefix and quotes, and whether it is an f-string.
    In an f-string, ``{{x}}`` is the literal (wildcard) ``{x}``."""
    m = re.match(r"^([A-Za-z]*)('''|\"\"\"|'|\")", literal)
    prefix, quote = m.group(1).lower(), m.group(2)
    text = literal[len(prefix) + len(quote):-len(quote)]
    is_f = "f" in prefix
    if is_f:
        text = text.replace("{{", "\0").replace("}}", "\1")
        text = re.sub(r"\{[^{}]*\}", lambda m: "{" + m.group(0)[1:-1].strip() + "}", text)
        text = text.replace("\0", "{").replace("\1", "}")
    return text, is_f


def _contexts(source: str) -> list[tuple[str | None, str | None]]:
    """(rule, directive) of each line (index 0 = line 1), from the snakefmt layout: a rule at
    column 0, its directives indented by four spaces."""
    out, rule, directive = [], None, None
    for line in source.splitlines():
        if line.strip() and not line.startswith((" ", "\t", "#")):
            m = _RULE_START.match(line)
            rule = (m.group(1) or m.group(2)) if m else None
            directive = None
        elif rule is not None:
            m = _DIRECTIVE.match(line)
            if m:
                directive = m.group(1)
        out.append((rule, directive))
    return out


def path_literals(path: Path, root: Path) -> list[PathLiteral]:
    source = path.read_text()
    contexts = _contexts(source)
    found = []
    for line, literal in _string_tokens(source):
        text, is_f = _content(literal)
        if not _PATH_START.match(text) or (text.startswith("{SIM}") and not is_f):
            continue
        rule, directive = contexts[line - 1]
        found.append(PathLiteral(str(path.relative_to(root)), line, text, rule, directive))
    return found


def workflow_files(root: Path) -> list[Path]:
    files = sorted((root / "rules").glob("*.smk"))
    return ([root / "Snakefile"] if (root / "Snakefile").exists() else []) + files


def layout_problems(root: Path = REPO) -> list[str]:
    """What breaks the one-place rule in the workflow under ``root`` (empty: none)."""
    literals = [lit for f in workflow_files(root) for lit in path_literals(f, root)]
    layout = {lit.pattern for lit in literals if Path(lit.file).name == LAYOUT}
    problems = []
    by_pattern = defaultdict(list)
    for lit in literals:
        by_pattern[lit.pattern].append(lit)
    for pattern, spelled in sorted(by_pattern.items()):
        if len(spelled) > 1:
            problems.append(f"{pattern} is spelled {len(spelled)} times: " + "; ".join(s.where() for s in spelled))
    for lit in literals:
        if Path(lit.file).name == LAYOUT:
            continue
        if lit.rule and lit.directive == "input" and lit.pattern in layout:
            problems.append(f"a rule input spells a path the layout defines: {lit.where()}")
        elif not (lit.rule and lit.directive in OWN_FILES):
            problems.append(f"a path outside {LAYOUT} (only a rule's log and benchmark may be): {lit.where()}")
    return problems


# --- the repository


def test_every_path_is_spelled_once_in_the_layout():
    problems = layout_problems(REPO)
    assert not problems, "\n".join(problems)


def test_the_checker_sees_the_workflow():
    """The parser finds the layout's patterns and the rules' own logs (guards against a checker
    that passes because it reads nothing)."""
    literals = [lit for f in workflow_files(REPO) for lit in path_literals(f, REPO)]
    layout = [lit for lit in literals if lit.file == f"rules/{LAYOUT}"]
    assert any(lit.text == "results/{dataset}/data/pairs.h5" for lit in layout)
    assert any(lit.text == "{SIM}/genomes/{genome}/reference.fa" for lit in layout)
    logs = [lit for lit in literals if lit.directive == "log"]
    assert any(lit.rule == "train" and lit.file == "rules/train.smk" for lit in logs)
    assert len(layout) > 100 and len(logs) > 80


def _includes(path: Path) -> list[str]:
    return re.findall(r'^include:\s*"([^"]+)"', path.read_text(), re.M)


def test_common_includes_the_layout_and_every_helper_file():
    """A Snakefile (the main one, a test harness) includes rules/common.smk and then any stage's
    rule files: the helpers come with common.smk, and the Snakefile includes none itself."""
    helpers = {p.name for p in (REPO / "rules").glob("*_common.smk")} | {LAYOUT}
    assert set(_includes(REPO / "rules/common.smk")) == helpers
    snakefile = [Path(p).name for p in _includes(REPO / "Snakefile")]
    assert snakefile[0] == "common.smk"
    assert not set(snakefile) & helpers
    rule_files = {p.name for p in (REPO / "rules").glob("*.smk")} - helpers - {"common.smk"}
    assert set(snakefile[1:]) == rule_files
    for harness in sorted((REPO / "tests/workflow/data").glob("Snakefile*")):
        assert not {Path(p).name for p in _includes(harness)} & helpers, harness.name


def _list_rules(snakefile: Path) -> set[str]:
    res = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--configfile",
                          str(REPO / "tests/data/tiny_config.yaml"), "--list-rules", "--nolock"],
                         cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    return {line.strip() for line in res.stdout.splitlines() if line.strip()}


def test_rule_files_parse_in_any_order(tmp_path):
    """The stages' rule files, included in reverse order after common.smk, give the same rules:
    no rule file reads a name that another rule file defines."""
    text = (REPO / "Snakefile").read_text()
    includes = _includes(REPO / "Snakefile")
    reordered = [includes[0]] + includes[:0:-1]
    body = re.sub(r'^include:\s*"[^"]+"\n', "", text, flags=re.M)
    body = body.replace('configfile: "config/config.yaml"', f'configfile: "{REPO}/config/config.yaml"')
    body = body.replace('report: "report/workflow.rst"', f'report: "{REPO}/report/workflow.rst"')
    head, sep, rest = body.partition("\nrule all:")
    snakefile = tmp_path / "Snakefile"
    snakefile.write_text(head + "".join(f'include: "{REPO / p}"\n' for p in reordered) + sep + rest)
    assert _list_rules(snakefile) == _list_rules(REPO / "Snakefile")


# --- the checker, on toy workflows


def _toy(root: Path, files: dict[str, str]) -> Path:
    (root / "rules").mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


_TOY_LAYOUT = (
    'SIM = "resources/simulated"\n'
    'PAIRS_H5 = "results/{dataset}/data/pairs.h5"\n'
    'SIM_REFERENCE = f"{SIM}/genomes/{{genome}}/reference.fa"\n'
)
_TOY_RULES = (
    "rule paired_dataset:\n"
    "    output:\n"
    "        h5=PAIRS_H5,\n"
    "    log:\n"
    '        "results/logs/paired_dataset/{dataset}.log",\n'
    "\n\n"
    "rule train:\n"
    "    input:\n"
    "        pairs=PAIRS_H5,\n"
    "    output:\n"
    '        ckpt=fill(CHECKPOINT, seed=1),\n'
    "    benchmark:\n"
    '        "results/benchmarks/jobs/train/{dataset}.tsv"\n'
)


def test_checker_passes_a_clean_toy(tmp_path):
    root = _toy(tmp_path, {"rules/layout.smk": _TOY_LAYOUT, "rules/train.smk": _TOY_RULES,
                           "Snakefile": 'include: "rules/layout.smk"\ninclude: "rules/train.smk"\n'})
    assert layout_problems(root) == []


def test_checker_finds_a_literal_input_of_a_layout_path(tmp_path):
    rules = _TOY_RULES.replace("        pairs=PAIRS_H5,\n", '        pairs="results/{dataset}/data/pairs.h5",\n')
    root = _toy(tmp_path, {"rules/layout.smk": _TOY_LAYOUT, "rules/train.smk": rules})
    problems = layout_problems(root)
    assert any(p.startswith("results/{}/data/pairs.h5 is spelled 2 times") for p in problems), problems
    assert any("a rule input spells a path the layout defines: rules/train.smk:10 (rule train, input)" in p
               for p in problems), problems


def test_checker_finds_an_output_spelled_in_two_rule_files(tmp_path):
    other = ('rule evaluate:\n    output:\n        table="results/{dataset}/metrics/performance.tsv",\n')
    helper = 'def performance(ds):\n    return f"results/{ds}/metrics/performance.tsv"\n'
    root = _toy(tmp_path, {"rules/layout.smk": _TOY_LAYOUT, "rules/train.smk": _TOY_RULES,
                           "rules/evaluate.smk": other, "rules/models_common.smk": helper})
    problems = layout_problems(root)
    twice = [p for p in problems if p.startswith("results/{}/metrics/performance.tsv is spelled 2 times")]
    assert twice and "rules/evaluate.smk:3 (rule evaluate, output)" in twice[0], problems
    assert "rules/models_common.smk:2" in twice[0], problems
    outside = [p for p in problems if p.startswith("a path outside layout.smk")]
    assert len(outside) == 2, problems


def test_checker_finds_a_simulator_path_and_a_param_outside_the_layout(tmp_path):
    rules = _TOY_RULES + (
        "\n\nrule simulate:\n"
        "    output:\n"
        '        fasta=f"{SIM}/genomes/{{genome}}/reference.fa",\n'
        "    params:\n"
        '        outdir="results/{dataset}/models",\n'
        "    log:\n"
        '        "results/logs/simulate/{genome}.log",\n'
    )
    root = _toy(tmp_path, {"rules/layout.smk": _TOY_LAYOUT, "rules/train.smk": rules})
    problems = layout_problems(root)
    assert any(p.startswith("{}/genomes/{}/reference.fa is spelled 2 times") for p in problems), problems
    assert any("(rule simulate, params)" in p for p in problems), problems
    assert not any("simulate/{genome}.log" in p for p in problems), problems
