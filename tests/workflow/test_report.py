"""The Snakemake HTML report of the tiny run: one self-contained HTML with every figure (each
with its caption), the QC tables and the validation tables; it renders in headless Chromium."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "tests/data/tiny_config.yaml"

pytestmark = pytest.mark.slow


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.fail("no Chromium for the report screenshot: scripts/setup.sh installs Debian's 'chromium'")


@pytest.fixture(scope="module")
def report(tiny_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    res = subprocess.run([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                          "--configfile", str(TINY), "--directory", str(tiny_run), "--report", str(out)],
                         capture_output=True, text=True, cwd=out.parent)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    assert out.stat().st_size > 0
    return out


def embedded(html: str, name: str) -> dict:
    """A JSON object the report embeds as ``var <name> = {...};`` (results, categories)."""
    m = re.search(rf"var {name} = (\{{.*?\}});\s*</script>", html, re.S)
    assert m, f"no '{name}' in the report (Snakemake's report layout changed?)"
    return json.loads(m.group(1))


def figures_of(run: Path) -> list[str]:
    """Every figure the run drew (PNG): the paper figures and the read-QC plots."""
    return sorted(str(f.relative_to(run)) for pattern in ("results/*/figures/*.png", "results/*/qc/*.png")
                  for f in run.glob(pattern))


def test_report_lists_every_figure_and_table(report, tiny_run):
    html = report.read_text()
    results = embedded(html, "results")
    categories = embedded(html, "categories")
    figures = figures_of(tiny_run)
    assert figures, "the tiny run drew no figures"
    missing = [f for f in figures if f not in results]
    assert not missing, f"figures not in the report (add report(...) to their rules, see report/workflow.rst): {missing}"
    for f in figures:
        assert results[f]["mime_type"] == "image/png", results[f]["mime_type"]
        assert results[f]["caption"].strip(), f"{f} has no caption"
        assert (REPO / "report/figures" / f"{Path(f).stem}.rst").exists(), f"no caption file for {f}"
    tables = sorted(str(f.relative_to(tiny_run)) for pattern in ("results/*/validation/*.tsv", "results/*/qc/*.tsv")
                    for f in tiny_run.glob(pattern))
    missing = [f for f in tables if f not in results]
    assert not missing, f"QC/validation tables not in the report: {missing}"
    assert set(categories) <= {"Figures", "QC", "Validation"}, list(categories)
    assert {"QC", "Validation"} <= set(categories), list(categories)
    datasets = {p.split("/")[1] for p in figures}
    for category, subcategories in categories.items():
        # one subcategory per dataset; the run-wide software versions under "all datasets"
        assert set(subcategories) <= datasets | {"all datasets"}, (category, list(subcategories))
    assert results["results/software_versions.tsv"]["caption"].strip()
    for ds in datasets:  # the MultiQC report of each dataset, embedded
        assert results[f"results/{ds}/qc/multiqc/multiqc_report.html"]["mime_type"] == "text/html"
    qc_plot = next(f for f in figures if f.endswith("/qc/reads_qc.png"))
    assert "read pairs left after each stage" in results[qc_plot]["caption"]


def test_report_renders_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "report.png"
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'chromium'}", "--hide-scrollbars", "--virtual-time-budget=15000",
           f"--screenshot={shot}", "--window-size=1400,1000", report.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0 and shot.exists(), res.stderr[-3000:]
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)[..., :3]
    assert img.shape[:2] == (1000, 1400)
    # not blank: many distinct colours and a good share of non-background pixels
    flat = (img.reshape(-1, 3) * 255).astype(np.uint8)
    colours = np.unique(flat, axis=0)
    background = np.bincount(np.ravel_multi_index(flat.T, (256, 256, 256))).max() / len(flat)
    assert len(colours) > 50 and background < 0.97, (len(colours), background)
    # keep it for a look: tests/.tmp/report.png (ignored by git)
    keep = REPO / "tests/.tmp"
    keep.mkdir(exist_ok=True)
    shutil.copy(shot, keep / "report.png")
