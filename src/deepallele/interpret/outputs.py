"""Atomic output files: write to ``<path>.tmp`` (same folder), rename when complete.

A job that fails half-way leaves no output (or the previous one), never a partial file.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path next to ``path``; on success rename it to ``path``, on error delete it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.tsv") as tmp:
    ...     _ = tmp.write_text("x\\n")
    >>> (d / "a.tsv").read_text()
    'x\\n'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # keep the suffix so writers that choose a format by extension (.vcf.gz) still do
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{''.join(path.suffixes[-2:])}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def atomic_paths(*paths: str | Path):
    """:func:`atomic_path` for several files that appear together: all renamed only when every one is written."""
    with contextlib.ExitStack() as stack:
        tmps = [stack.enter_context(_deferred(p)) for p in paths]
        yield [t for t, _ in tmps]
        for tmp, final in tmps:
            os.replace(tmp, final)


@contextlib.contextmanager
def _deferred(path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}{''.join(path.suffixes[-2:])}")
    try:
        yield tmp, path
    finally:
        if tmp.exists():
            tmp.unlink()
