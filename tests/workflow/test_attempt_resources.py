"""Heavy rules ask for more memory and time on a retry (``attempt``-scaled resources)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from deepallele.workflow import attempt_scaled

REPO = Path(__file__).resolve().parents[2]
# rule -> its file: alignment, allele split, duplicates, training, interpretation, clustering
HEAVY = {"bowtie2": "align.smk", "split_alleles": "alleles.smk", "mark_duplicates": "dedup.smk",
         "train": "train.smk", "interpret_model": "interpret.smk", "interpret_model_ism": "interpret.smk",
         "motifs_cluster": "motifs.smk"}


def _resources_block(text: str, rule: str) -> str:
    body = re.split(r"\n(?:rule|checkpoint) ", text.split(f"\nrule {rule}:", 1)[1])[0]
    return body.split("resources:", 1)[1].split("\n    shell:")[0].split("\n    script:")[0]


def test_heavy_rules_scale_memory_and_runtime_with_the_attempt():
    for rule, path in HEAVY.items():
        block = _resources_block((REPO / "rules" / path).read_text(), rule)
        for resource in ("mem_mb", "runtime"):
            assert re.search(rf"\b{resource}=attempt_scaled\(", block), f"rules/{path}: rule {rule} {resource}"


def test_attempt_scaled_values():
    assert [attempt_scaled(6000)(None, a) for a in (1, 2, 3)] == [6000, 12000, 18000]
    assert attempt_scaled(lambda wc: wc["n"] + 1)({"n": 99}, 2) == 200


def test_snakemake_gives_the_retry_the_scaled_resources(tmp_path):
    """A job that fails on its first attempt is retried with twice the memory and time."""
    (tmp_path / "Snakefile").write_text(
        "from deepallele.workflow import attempt_scaled\n\n"
        "rule heavy:\n"
        "    output: 'out.txt'\n"
        "    resources:\n"
        "        mem_mb=attempt_scaled(1500),\n"
        "        runtime=attempt_scaled(lambda wc: 30),\n"
        "    shell:\n"
        "        \"test -e tried || {{ touch tried; exit 1; }}; "
        "echo {resources.mem_mb} {resources.runtime} > {output}\"\n")
    res = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--retries", "1",
                          "--resources", "mem_mb=100000"], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert (tmp_path / "out.txt").read_text().split() == ["3000", "60"]
