"""PCR duplicates with swapped mates (R1 reading the other end of the fragment)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.simulate import reads as R
from deepallele.simulate.run import dataset_params


def _frags(n=1000):
    rng = np.random.default_rng(0)
    start = rng.integers(0, 10000, n)
    return R.Fragments(np.zeros(n, np.int8), np.zeros(n, np.int64), start, start + 200,
                       np.full(n, -1, np.int64), rng.random(n) < 0.5)


def test_duplicate_fragments_swap_only_the_mates():
    frags = _frags()
    src = np.arange(0, 1000, 2)
    for fraction, expected in ((0.0, 0), (1.0, 500)):
        dup = R.duplicate_fragments(frags, src, fraction, np.random.default_rng(1))
        assert int((dup.r1_forward != frags.r1_forward[src]).sum()) == expected
        for field in ("allele", "chrom", "start", "end", "source"):
            assert np.array_equal(getattr(dup, field), getattr(frags, field)[src])
    dup = R.duplicate_fragments(frags, src, 0.3, np.random.default_rng(1))
    assert (dup.r1_forward != frags.r1_forward[src]).mean() == pytest.approx(0.3, abs=0.07)


@pytest.mark.parametrize("dataset,assay", [("tiny_chip", "chip"), ("tiny_atac", "atac")])
def test_simulated_duplicates_include_swapped_mates(tiny_sim, tiny_config, dataset, assay):
    p = dataset_params(assay, tiny_config["datasets"][dataset]["simulate"])
    reads = pd.read_csv(tiny_sim / f"datasets/{dataset}/truth/reads.tsv.gz", sep="\t")
    dups = reads[reads["duplicate_of"] >= 0]
    source = reads.iloc[dups["duplicate_of"].to_numpy()]   # duplicate_of is the source row
    assert (dups["allele_start"].to_numpy() == source["allele_start"].to_numpy()).all()
    swapped = dups["r1_forward"].to_numpy() != source["r1_forward"].to_numpy()
    assert swapped.mean() == pytest.approx(p["duplicate_swap_fraction"], abs=4 * np.sqrt(0.21 / len(dups)) + 0.01)
