"""Progress lines of long steps (deepallele.logutil.Progress) and where they are used."""
import logging

import numpy as np
import pandas as pd

from deepallele.logutil import Progress


def _fake_clock(times):
    it = iter(times)
    return lambda: next(it)


def test_lines_are_rate_limited_and_carry_count_rate_and_eta(caplog):
    log = logging.getLogger("deepallele.test.progress")
    p = Progress(log, "split", total=1000, unit="pairs", every_s=10, clock=_fake_clock([0, 3, 10, 15, 25, 30]))
    with caplog.at_level(logging.INFO, logger="deepallele.test.progress"):
        for done in (100, 250, 300, 800):          # at t = 3, 10, 15, 25
            p.update(done)
        p.finish()                                  # at t = 30
    assert [r.getMessage() for r in caplog.records] == [
        "split: 250 of 1,000 pairs (25.0 %), 25 pairs/s, ETA 30 s",
        "split: 800 of 1,000 pairs (80.0 %), 32 pairs/s, ETA 6 s",
        "split: 800 pairs in 30.0 s (27 pairs/s)",
    ]


def test_unknown_total_has_no_percentage():
    p = Progress(logging.getLogger("x"), "walk", unit="reads", every_s=0, clock=_fake_clock([0.0]))
    assert p.line(500, 2.0) == "walk: 500 reads, 250 reads/s"


def test_fimo_in_motif_chunks_equals_one_call(monkeypatch):
    from deepallele.motifs.meandiff import scan as md

    rng = np.random.default_rng(3)
    motifs = {f"m{i}": rng.dirichlet(np.ones(4), size=6).T for i in range(7)}
    codes = rng.integers(0, 4, (12, 80)).astype(np.uint8)
    whole = md.fimo_hits(motifs, codes, 1e-2)
    monkeypatch.setattr(md, "FIMO_CHUNK", 3)
    chunked = md.fimo_hits(motifs, codes, 1e-2)
    key = ["motif_idx", "sequence", "start", "strand"]
    pd.testing.assert_frame_equal(whole.sort_values(key).reset_index(drop=True),
                                  chunked.sort_values(key).reset_index(drop=True))
    assert whole["motif_idx"].nunique() > 3      # hits from more than one chunk
