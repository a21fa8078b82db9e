"""The goals of the validation tables, read from one versioned file (``goals.yaml`` beside this module).

Every row of ``results/<dataset>/validation/<table>.tsv`` takes its goal from
``goals.yaml``: ``tables.<table>.<key>``, where the key is the row's metric or, where one metric
has several goals (e.g. ``n_test`` under the paper's split scheme), the metric followed by the
case in parentheses. An entry holds

``goal``
    The goal as the table shows it, with ``{name}`` fields that the validation module fills
    (configured values such as the simulated GC content, the planted motifs).
``judge``
    ``goal`` (the default): the goal's leading expression decides (:func:`parse_rule`);
    ``module``: the validation module decides (the rule is in its docstring, e.g. a comparison
    with another row); ``none``: context, or an expectation that names no threshold (``≈ 0``,
    ``few``): shown, not judged.
``proportion``
    ``true`` when the value is a share of ``n`` cases (it gets a binomial interval), ``percent``
    for a share written in percent; ``false`` (the default) otherwise.
``min_n``
    The fewest cases (the row's ``n``) that decide the goal; fewer make the row
    ``insufficient`` (default 0: the row needs no ``n``).

The file's ``changelog`` records every change of goal with its reason; its last entry carries
the version and the digest (:func:`goals_digest`) of the goals it describes, so a goal cannot
change without a new entry (``tests/test_validation_table.py``).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

#: The goals file (packaged with :mod:`deepallele.validation`).
GOALS_FILE = Path(__file__).with_name("goals.yaml")
JUDGES = ("goal", "module", "none")

_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?"
# the leading expressions a goal may start with, tried in this order (the first match decides)
_RULES = [
    ("compare", re.compile(rf"^(>=|<=|>|<)\s*({_NUMBER})(?![\w.])")),
    ("equal", re.compile(rf"^=\s*({_NUMBER})(?![\w.])")),
    ("name", re.compile(r"^=\s*([^\s(]+)")),
    # "~0.42 (±0.01)", "0.12 (±0.01)", "~400 (±15%)", "0.07 (±0.02, incl. chrM)"
    ("tolerance", re.compile(rf"^~?({_NUMBER})\s*\(±\s*({_NUMBER})(%?)")),
    ("tolerance", re.compile(rf"^({_NUMBER})\s*±\s*({_NUMBER})(%?)")),
    ("range", re.compile(rf"^({_NUMBER})\s*[–-]\s*({_NUMBER})(?![\w.])")),
    # "1", "1 (codes 0-4 ...)", "1.0: every planted motif ..."
    ("equal", re.compile(rf"^({_NUMBER})(?=$|[\s:])")),
    ("name", re.compile(r"^(True|False)(?=$|\s)")),
]
# tolerances and ranges are inclusive; this absorbs the float error of e.g. 0.43 - 0.42 > 0.01
_SLACK = 1e-9


@dataclass(frozen=True)
class Rule:
    """A decidable goal: ``kind`` (compare, equal, name, tolerance, range) and its operands.

    ``op`` is the comparison (``>=``, ``<=``, ``>``, ``<``) or, for a tolerance, ``%`` when it
    is relative; ``a`` the threshold, target or lower bound, ``b`` the tolerance or upper bound.
    """

    kind: str
    a: float | str
    b: float = math.nan
    op: str = ""

    def holds(self, value) -> bool:
        """Whether ``value`` meets the goal (a value that is not a number misses a numeric goal)."""
        if self.kind == "name":
            return str(value) == self.a
        try:
            v = float(value)
        except (TypeError, ValueError):
            return False
        if math.isnan(v):
            return False
        if self.kind == "compare":
            return {">=": v >= self.a, "<=": v <= self.a, ">": v > self.a, "<": v < self.a}[self.op]
        if self.kind == "equal":
            return v == self.a
        if self.kind == "tolerance":
            width = abs(self.a) * self.b / 100 if self.op == "%" else self.b
            return abs(v - self.a) <= width + _SLACK
        return self.a - _SLACK <= v <= self.b + _SLACK  # range


def parse_rule(text: str) -> Rule:
    """The decidable expression a goal starts with.

    Parameters
    ----------
    text : str
        A goal with its fields filled, e.g. ``">= 0.99 (pairs ...)"``, ``"0.5 ± 0.01"``,
        ``"~0.42 (±0.01)"``, ``"~400 (±15%)"``, ``"0.03–0.25 (a minority)"``, ``"1 (...)"``,
        ``"= SPI1 (...)"``, ``"True"``.

    Raises
    ------
    ValueError
        When the goal starts with none of these expressions.
    """
    for kind, pattern in _RULES:
        m = pattern.match(text.strip())
        if not m:
            continue
        g = m.groups()
        if kind == "compare":
            return Rule(kind, float(g[1]), op=g[0])
        if kind == "equal":
            return Rule(kind, float(g[0]))
        if kind == "name":
            return Rule(kind, g[0])
        if kind == "tolerance":
            return Rule(kind, float(g[0]), float(g[1]), op=g[2])
        return Rule(kind, float(g[0]), float(g[1]))
    raise ValueError(f"goal {text!r} starts with no decidable expression (>= x, < x, = x, x, x ± d, "
                     f"~x (±d), ~x (±p%), a–b, = NAME, True)")


class _Zeros(dict):
    """Format fields for checking a goal before a module fills it: every field is 0."""

    def __missing__(self, key):
        return 0


@dataclass(frozen=True)
class Goal:
    """One entry of the goals file (module docstring)."""

    table: str
    key: str
    goal: str
    judge: str = "goal"
    proportion: bool | str = False
    min_n: int = 0

    @property
    def fields(self) -> list[str]:
        """The ``{name}`` fields of the goal, in order."""
        return [f for _, f, _, _ in string.Formatter().parse(self.goal) if f]

    def render(self, fields: dict | None = None) -> str:
        """The goal as the table shows it.

        Raises
        ------
        KeyError
            When a field of the goal is not among ``fields``.
        """
        try:
            return self.goal.format_map(dict(fields or {}))
        except KeyError as e:
            raise KeyError(f"goal {self.table}.{self.key} ({self.goal!r}) needs the field {e.args[0]!r}") from None

    def rule(self, fields: dict | None = None) -> Rule:
        """The decidable expression of the filled goal (``judge: goal`` only)."""
        return parse_rule(self.render(fields))


def _goal(table: str, key: str, entry) -> Goal:
    where = f"{GOALS_FILE.name}: tables.{table}.{key}"
    if not isinstance(entry, dict) or not isinstance(entry.get("goal"), str):
        raise ValueError(f"{where}: an entry needs a `goal` string")
    unknown = set(entry) - {"goal", "judge", "proportion", "min_n"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    goal = Goal(table, key, entry["goal"], entry.get("judge", "goal"), entry.get("proportion", False),
                entry.get("min_n", 0))
    if goal.judge not in JUDGES:
        raise ValueError(f"{where}: judge must be one of {JUDGES}, not {goal.judge!r}")
    if goal.proportion not in (True, False, "percent"):
        raise ValueError(f"{where}: proportion must be true, false or percent, not {goal.proportion!r}")
    if not isinstance(goal.min_n, int) or goal.min_n < 0:
        raise ValueError(f"{where}: min_n must be a whole number >= 0, not {goal.min_n!r}")
    if goal.judge == "goal":
        try:
            parse_rule(goal.goal.format_map(_Zeros()))
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
    return goal


def goals_digest(tables: dict) -> str:
    """SHA-256 of the ``tables`` mapping of the goals file, as canonical JSON (keys sorted)."""
    text = json.dumps(tables, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def read_goals_file(path: str | Path = GOALS_FILE) -> dict:
    """The goals file as written (``version``, ``changelog``, ``tables``)."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def load_goals(path: str | Path = GOALS_FILE) -> dict[str, dict[str, Goal]]:
    """Every goal of the file, as table -> key -> :class:`Goal`.

    Raises
    ------
    ValueError
        On an entry that is malformed or whose goal, marked ``judge: goal``, does not start
        with a decidable expression.
    """
    tables = read_goals_file(path)["tables"]
    return {table: {key: _goal(table, key, entry) for key, entry in entries.items()}
            for table, entries in tables.items()}


def goal(table: str, key: str) -> Goal:
    """The goal of ``key`` in ``table``.

    Raises
    ------
    KeyError
        When the goals file has no such table or key.
    """
    goals = load_goals()
    if table not in goals:
        raise KeyError(f"{GOALS_FILE.name} has no table {table!r} (tables: {sorted(goals)})")
    if key not in goals[table]:
        raise KeyError(f"{GOALS_FILE.name} has no goal {key!r} in table {table!r}: add it (with a changelog entry)")
    return goals[table][key]
