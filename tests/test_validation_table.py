"""The one layout of the validation tables: metric, value, goal, n (+ extras)."""
import pandas as pd

from deepallele.validation.table import VALIDATION_COLUMNS, validation_table


def test_columns_order_n_nullable_and_extras_kept(tmp_path):
    table = validation_table([
        {"metric": "share", "value": 0.5, "goal": ">= 0.8", "n": 2, "pass": False},
        {"metric": "top", "value": "ERG", "goal": "context", "pass": True},
    ])
    assert list(table.columns) == [*VALIDATION_COLUMNS, "pass"]
    assert table["n"].tolist()[0] == 2 and pd.isna(table["n"].tolist()[1])
    path = tmp_path / "v.tsv"
    table.to_csv(path, sep="\t", index=False)
    assert path.read_text().splitlines()[1:] == ["share\t0.5\t>= 0.8\t2\tFalse", "top\tERG\tcontext\t\tTrue"]


def test_rows_without_n_get_an_empty_column():
    table = validation_table([{"metric": "m", "value": 1, "goal": "1"}])
    assert list(table.columns) == VALIDATION_COLUMNS and table["n"].isna().all()
