"""Fig S7 panels on toy MeanDiff tables: plotted numbers, files, labels."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from deepallele.plots import meandiff as pm


def _tests(n_sig: int = 3, n: int = 8) -> pd.DataFrame:
    q = np.r_[np.logspace(-12, -3, n_sig), np.linspace(0.2, 1.0, n - n_sig)]
    return pd.DataFrame({"rank": np.arange(1, n + 1), "motif": [f"M{i}" for i in range(n)],
                         "meandiff_q": q, "meandiff_t": np.r_[[9.0, -4.0, 3.0][:n_sig], np.zeros(n - n_sig)],
                         "pearson_q": q, "pearson_r": 0.1, "maggie_q": q, "maggie_effect": 0.5,
                         "significant_meandiff": q < 0.05, "significant_correlation": q < 0.05,
                         "significant_maggie": q < 0.05})


def _effects() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    pe = np.r_[rng.normal(0, 5, 40), [np.nan] * 5]
    ratio = np.r_[0.1 * np.nan_to_num(pe[:40]) + rng.normal(0, 0.5, 40), [1.5, -2.0, 0.2, 0.1, 0.0]]
    affected = np.abs(ratio) >= 1
    direction = np.where(np.isnan(pe), "No motif hit", np.where(np.sign(pe) == np.sign(ratio), "Same direction",
                                                                 "Opposite direction"))
    return pd.DataFrame({"peak": [f"p{i}" for i in range(45)], "ratio": ratio, "affected": affected,
                         "top_motif": np.where(np.isnan(pe), "", "M0"), "predicted_effect": pe,
                         "direction": np.where(affected, direction, "")})


def test_motif_panel_data_significant_first():
    d = pm.motif_panel_data(_tests())
    assert d["motif"].tolist() == ["M0", "M1", "M2"] and d["significant"].all()
    assert d["neg_log10_q"].iloc[0] == pytest.approx(12.0)
    assert d["effect"].tolist() == [9.0, -4.0, 3.0]


def test_motif_panel_without_significant_shows_best_ten():
    d = pm.motif_panel_data(_tests(n_sig=0, n=15))
    assert len(d) == 10 and not d["significant"].any()


@pytest.mark.parametrize("n_sig", [3, 0])
def test_figures_written(tmp_path, n_sig):
    tests, eff = _tests(n_sig), _effects()
    out = []
    out += pm.plot_motifs(tests, tmp_path / "figS7_motifs", title="toy")
    out += pm.plot_effects(eff, tmp_path / "figS7_effects.png", title="toy")
    out += pm.plot_pie(eff, tmp_path / "figS7_pie", title="toy")
    assert [p.name for p in out] == [f"figS7_{f}.{e}" for f in ("motifs", "effects", "pie") for e in ("pdf", "png", "tsv")]
    assert all(p.stat().st_size > 0 for p in out)
    pie = pd.read_csv(tmp_path / "figS7_pie.tsv", sep="\t")
    assert pie["direction"].tolist() == list(pm.DIRECTIONS) and pie["n"].sum() == int(eff["affected"].sum())
    scatter = pd.read_csv(tmp_path / "figS7_effects.tsv", sep="\t")
    assert len(scatter) == 40 and scatter["predicted_effect"].notna().all()


def test_effects_labels_use_ln(tmp_path, monkeypatch):
    captured = {}
    real = pm.save_figure

    def keep(fig, prefix, data=None):
        captured["labels"] = [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]
        return real(fig, prefix, data)

    monkeypatch.setattr(pm, "save_figure", keep)
    pm.plot_effects(_effects(), tmp_path / "e")
    xlabel, ylabel = captured["labels"][0]
    assert "ln ratio" in ylabel and "log2" not in ylabel and "predicted motif effect" in xlabel


def test_motif_tree_orders_families_together(tmp_path):
    from deepallele.motifs.jaspar import jaspar_motifs

    motifs = jaspar_motifs()
    names = ["SPI1", "CTCF", "FOS::JUN", "SPIB", "JUNB", "CTCFL"]
    tests = pd.DataFrame({"rank": np.arange(1, 7), "motif": names, "meandiff_q": np.logspace(-9, -4, 6),
                          "meandiff_t": [8.0, 3.0, 5.0, 7.0, 4.0, 2.5], "significant_meandiff": True})
    pm.plot_motifs(tests, tmp_path / "tree", title="toy", motifs=motifs)
    order = pd.read_csv(tmp_path / "tree.tsv", sep="\t")["motif"].tolist()
    # each family (ETS, AP-1, CTCF) occupies adjacent rows of the tree
    for a, b in (("SPI1", "SPIB"), ("FOS::JUN", "JUNB"), ("CTCF", "CTCFL")):
        assert abs(order.index(a) - order.index(b)) == 1, order
