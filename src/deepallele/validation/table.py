"""One layout for every ``results/<dataset>/validation/<table>.tsv`` table, and its one evaluator.

Columns ``metric, value, goal, n, ci_low, ci_high, status`` (a table's key columns, e.g.
``model``, after ``metric``; any other column a stage adds, e.g. ``note``, at the end):

``metric``
    What is measured.
``value``
    The measurement (a number, or a name for context rows).
``goal``
    What the value should be, from the goals file (:mod:`deepallele.validation.goals`), fixed
    before the run it judges.
``n``
    How many items the value rests on: the denominator of a proportion, the points of a
    correlation, the sequences behind a share. Empty where the value is itself a count or a
    single name.
``ci_low``, ``ci_high``
    For a proportion (``proportion`` in the goals file), the 95 % Wilson score interval of
    the share, in the value's unit (percent for ``proportion: percent``); empty otherwise and
    where ``n`` is 0.
``status``
    ``pass`` or ``miss``: the goal applied to the value; ``insufficient``: fewer than the
    goal's ``min_n`` cases, too few to decide; ``context``: the row explains and does not
    judge (``judge: none``).

The status compares the value itself with the goal (a proportion's exact share, successes over
``n``); the interval says how sure that value is, it does not move the decision.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .goals import Goal, goal

#: Leading columns of every validation table (a table's key columns go after ``metric``).
VALIDATION_COLUMNS = ["metric", "value", "goal", "n", "ci_low", "ci_high", "status"]
#: Confidence level of the binomial interval of a proportion.
CONFIDENCE = 0.95
# what a module passes about a row besides its columns: consumed here, not written
_ROW_INPUTS = ("goal_key", "fields", "successes", "met")


def binomial_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a share ``successes / n`` (NaN, NaN when ``n`` is 0).

    ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``, without continuity correction.
    """
    if not n:
        return float("nan"), float("nan")
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def share_row(metric: str, mask, digits: int | None = 6, **extra) -> dict:
    """A proportion row for :func:`validation_table`: the share of True in ``mask``.

    Parameters
    ----------
    metric : str
        The row's metric.
    mask : array-like of bool
        One entry per case.
    digits : int or None
        The value is rounded to this many decimals (None: not rounded; NaN when ``mask`` is empty).
    **extra
        More row entries (``goal_key``, ``fields``, extra columns).

    Returns
    -------
    dict
        ``metric``, ``value``, ``n`` (the cases) and ``successes`` (the True ones), then ``extra``.
    """
    mask = np.asarray(mask, dtype=bool)
    value = float(mask.mean()) if mask.size else float("nan")
    if digits is not None:
        value = round(value, digits)
    return {"metric": metric, "value": value, "n": int(mask.size), "successes": int(mask.sum()), **extra}


def _missing(x) -> bool:
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def row_status(g: Goal, value, n=None, successes=None, met=None, fields: Mapping | None = None) -> str:
    """The status of one row under its goal (module docstring).

    Parameters
    ----------
    g : Goal
        The row's goal.
    value
        The row's value.
    n : int, optional
        The cases the value rests on.
    successes : int, optional
        For a proportion, the cases that count (the decision uses ``successes / n``).
    met : bool, optional
        For ``judge: module``, whether the module found the goal met.
    fields : mapping, optional
        The goal's fields.

    Returns
    -------
    str
        ``pass``, ``miss``, ``insufficient`` or ``context``.
    """
    if g.judge == "none":
        return "context"
    if g.min_n and (_missing(n) or int(n) < g.min_n):
        return "insufficient"
    if g.judge == "module":
        return "pass" if met else "miss"
    if g.proportion and not _missing(n) and int(n) > 0:
        value = successes / int(n) * (100 if g.proportion == "percent" else 1)
    return "pass" if g.rule(fields).holds(value) else "miss"


def _check_row(g: Goal, row: Mapping) -> None:
    where = f"{g.table}.{row['metric']}"
    if bool(g.proportion) != ("successes" in row):
        raise ValueError(f"{where}: a proportion row carries `successes` (its count) and only a proportion row does"
                         f" (goals file: proportion {g.proportion})")
    if (g.judge == "module") != ("met" in row):
        raise ValueError(f"{where}: a row judged by its module carries `met` and only such a row does"
                         f" (goals file: judge {g.judge})")


def validation_table(table: str, rows: Iterable[Mapping], fields: Mapping | None = None,
                     keys: Sequence[str] = ()) -> pd.DataFrame:
    """A validation table from row dicts, each row judged against its goal.

    Parameters
    ----------
    table : str
        The table's name in the goals file (``reads``, ``dataset``, ...).
    rows : iterable of mapping
        ``metric``, ``value``, optional ``n`` and any extra columns, plus what the evaluator
        reads and does not write: ``goal_key`` (the goal's key, default the metric),
        ``fields`` (the row's own goal fields), ``successes`` (a proportion's count) and
        ``met`` (the decision of a ``judge: module`` goal).
    fields : mapping, optional
        Goal fields shared by every row (a row's own ``fields`` take precedence).
    keys : sequence of str
        Columns that name a row beside its metric (e.g. ``model``), placed after ``metric``.

    Returns
    -------
    pandas.DataFrame
        ``metric``, ``keys``, then the rest of :data:`VALIDATION_COLUMNS` (``n`` as a nullable
        integer, empty where absent), then the extra columns in the order they first appear.

    Raises
    ------
    KeyError
        When a row's goal is not in the goals file, or lacks a field.
    ValueError
        When a row's inputs do not fit its goal (``successes`` without ``proportion``, ...).
    """
    out = []
    for row in rows:
        g = goal(table, row.get("goal_key", row["metric"]))
        _check_row(g, row)
        row_fields = {**(fields or {}), **row.get("fields", {})}
        n = row.get("n")
        ci = (binomial_interval(row["successes"], 0 if _missing(n) else int(n)) if g.proportion
              else (float("nan"), float("nan")))
        scale = 100 if g.proportion == "percent" else 1
        judged = {"goal": g.render(row_fields), "n": n, "ci_low": round(ci[0] * scale, 6),
                  "ci_high": round(ci[1] * scale, 6),
                  "status": row_status(g, row.get("value"), n, row.get("successes"), row.get("met"), row_fields)}
        out.append({**{k: v for k, v in row.items() if k not in _ROW_INPUTS}, **judged})
    result = pd.DataFrame(out)
    leading = ["metric", *keys, *VALIDATION_COLUMNS[1:]]
    for column in leading:
        if column not in result:
            result[column] = pd.NA
    result["n"] = pd.array([None if _missing(v) else int(v) for v in result["n"]], dtype="Int64")
    extras = [c for c in result.columns if c not in leading]
    return result[leading + extras]

