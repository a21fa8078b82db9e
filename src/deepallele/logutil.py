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


class Progress:
    """Progress lines for a long loop: count, rate and ETA, at most every ``every_s`` seconds.

    Parameters
    ----------
    log : logging.Logger
        Where the lines go (the job's log).
    label : str
        What is being done, e.g. ``"allele split F1_1"``.
    total : int, optional
        Items expected; without it the line has no percentage or ETA.
    unit : str
        Name of the items (``"reads"``, ``"pairs"``, ``"motifs"``).
    every_s : float
        Minimum seconds between two lines.
    clock : callable
        Seconds (monotonic); a test passes a fake one.

    Examples
    --------
    >>> import logging
    >>> t = iter([0.0, 5.0, 12.0, 13.0])
    >>> p = Progress(logging.getLogger("x"), "scan", total=100, unit="motifs", every_s=10, clock=lambda: next(t))
    >>> p.line(40, 5.0) is None      # not yet due
    True
    >>> p.line(60, 12.0)
    'scan: 60 of 100 motifs (60.0 %), 5 motifs/s, ETA 8 s'
    """

    def __init__(self, log: logging.Logger, label: str, total: int | None = None, unit: str = "items",
                 every_s: float = 10.0, clock=None):
        import time

        self.log, self.label, self.total, self.unit, self.every_s = log, label, total, unit, every_s
        self.clock = clock or time.monotonic
        self.start = self.last = self.clock()
        self.done = 0

    def line(self, done: int, now: float) -> str | None:
        """The progress line for ``done`` items at time ``now``, or None when not yet due."""
        if now - self.last < self.every_s:
            return None
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        text = f"{self.label}: {done:,} "
        if self.total:
            text += f"of {self.total:,} {self.unit} ({100 * done / self.total:.1f} %), {rate:,.0f} {self.unit}/s"
            if rate > 0:
                text += f", ETA {max(self.total - done, 0) / rate:,.0f} s"
        else:
            text += f"{self.unit}, {rate:,.0f} {self.unit}/s"
        return text

    def update(self, done: int) -> None:
        """Record ``done`` items so far; log a line when one is due."""
        self.done = done
        text = self.line(done, self.clock())
        if text:
            self.log.info(text)

    def advance(self, n: int = 1) -> None:
        """Record ``n`` more items."""
        self.update(self.done + n)

    def finish(self) -> None:
        """Log the final count, rate and elapsed time."""
        elapsed = max(self.clock() - self.start, 1e-9)
        self.log.info("%s: %s %s in %.1f s (%s %s/s)", self.label, f"{self.done:,}", self.unit, elapsed,
                      f"{self.done / elapsed:,.0f}", self.unit)
