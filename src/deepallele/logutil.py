"""Logging for jobs: messages go to the rule's log file and to stderr, with timestamps."""
from __future__ import annotations

import contextlib
import logging
import sys


def setup_logging(log_file: str | None = None, level: int = logging.INFO) -> logging.Logger:
    """Send ``deepallele`` log records to ``log_file`` (if given) and to stderr."""
    logger = logging.getLogger("deepallele")
    logger.setLevel(level)
    logger.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s", "%H:%M:%S")
    handlers = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, mode="w"))
    for h in handlers:
        h.setFormatter(fmt)
        logger.addHandler(h)
    return logger


@contextlib.contextmanager
def job_logging(log_file: str | None):
    """Context for a Snakemake job: log to the rule's log file, and record any failure there.

    Snakemake shows the log file of a failed job, so the traceback must be in it; the
    exception is re-raised so the job still fails.
    """
    logger = setup_logging(log_file)
    try:
        yield logger
    except BaseException:
        logger.exception("job failed")
        raise
