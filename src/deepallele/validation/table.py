"""One layout for every ``results/<dataset>/validation/<stage>.tsv`` table.

Columns ``metric, value, goal, n`` (then any extra columns a stage adds, e.g. ``pass``):

``metric``
    What is measured.
``value``
    The measurement (a number, or a name for context rows).
``goal``
    What the value should be, fixed before the run it judges ("context" rows explain, they do
    not judge).
``n``
    How many items the value rests on: the denominator of a proportion, the points of a
    correlation, the sequences behind a share. Empty where the value is itself a count or a
    single name.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

#: Leading columns of every validation table.
VALIDATION_COLUMNS = ["metric", "value", "goal", "n"]


def validation_table(rows: Iterable[Mapping]) -> pd.DataFrame:
    """A validation table from row dicts (``metric``, ``value``, ``goal``, optional ``n``, extras).

    Returns
    -------
    pandas.DataFrame
        :data:`VALIDATION_COLUMNS` first (``n`` as a nullable integer, empty where absent),
        then the extra columns in the order they first appear.
    """
    table = pd.DataFrame(list(rows))
    for column in VALIDATION_COLUMNS:
        if column not in table:
            table[column] = pd.NA
    table["n"] = pd.array([None if pd.isna(v) else int(v) for v in table["n"]], dtype="Int64")
    extras = [c for c in table.columns if c not in VALIDATION_COLUMNS]
    return table[VALIDATION_COLUMNS + extras]
