"""The model input window: the peak width for given peaks (right-padded to L), else L."""
from __future__ import annotations

from deepallele.workflow import window_length


def _config(**dataset):
    return {"datasets": {"d": {"genome": "g", **dataset}}}


def test_window_defaults_to_the_peak_width_for_given_peaks():
    assert window_length(_config(assay="atac", peaks="p.bed"), "d") == 250
    assert window_length(_config(assay="atac", peaks="p.saf", peak_width=251), "d") == 251   # the paper's OCRs
    assert window_length(_config(assay="chip", peaks="p.bed"), "d") == 300
    assert window_length(_config(assay="chip", peaks="p.bed", sequence_length=200), "d") == 200  # at most L


def test_window_is_the_sequence_length_without_given_peaks_or_as_set():
    assert window_length(_config(assay="atac"), "d") == 330
    assert window_length(_config(assay="chip", sequence_length=330), "d") == 330
    assert window_length(_config(assay="atac", peaks="p.bed", window_length=330), "d") == 330
