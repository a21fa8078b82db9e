"""The validation wing: every comparison of a stage's output with the simulator's truth.

One module per table of ``results/<dataset>/validation/``: :mod:`.simulation` (the simulated data
themselves), :mod:`.reads`, :mod:`.datasets` (``dataset.tsv``), :mod:`.models` (``model.tsv``),
:mod:`.interpret` (``interpretation.tsv``), :mod:`.motifs` (``meandiff.tsv``),
:mod:`.score_variants` and :mod:`.scatac`. Their goals are in one versioned file, ``goals.yaml``
(read by :mod:`.goals`); :mod:`.table` lays the tables out and judges every row against its goal.

The wing may import the simulator and the stages; no stage imports it, and only the CLI and
``scripts/`` do (``[tool.importlinter]`` in pyproject.toml).
"""
