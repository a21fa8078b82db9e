"""Software versions of a run: every external tool's ``--version`` and the Python package set.

One table (``kind``, ``name``, ``version``, ``command``): kind ``tool`` for the external
programs the rules call (asked with their own version option, parsed from what they print),
``python`` for the interpreter and every installed distribution (``pip freeze``-style, from
``importlib.metadata``). A tool that is not installed gets the version ``not found``, one whose
output has no version number ``unknown``, so the table is written whatever is installed.
"""
from __future__ import annotations

import importlib.metadata
import platform
import re
import shlex
import subprocess

import pandas as pd

#: ``name: version command`` of the external tools the rules call, in pipeline order.
#: Picard's launcher comes from the config (see :func:`workflow_tools`).
TOOLS = {
    "fasterq-dump (sra-tools)": ["fasterq-dump", "--version"],
    "pigz": ["pigz", "--version"],
    "fastqc": ["fastqc", "--version"],
    "trim_galore": ["trim_galore", "--version"],
    "cutadapt": ["cutadapt", "--version"],
    "bowtie2": ["bowtie2", "--version"],
    "samtools": ["samtools", "--version"],
    "bcftools": ["bcftools", "--version"],
    "tabix (htslib)": ["tabix", "--version"],
    "java": ["java", "-version"],
    "bedtools": ["bedtools", "--version"],
    "macs3": ["macs3", "--version"],
    "bamCoverage (deeptools)": ["bamCoverage", "--version"],
    "featureCounts (subread)": ["featureCounts", "-v"],
    "multiqc": ["multiqc", "--version"],
    "snakemake": ["snakemake", "--version"],
}

NOT_FOUND = "not found"
UNKNOWN = "unknown"
_VERSION = re.compile(r"(?<![\w.])v?(\d+\.\d+(?:\.\d+)*(?:[-.]?(?:post|dev|rc|a|b)\d*)?)")


def parse_version(text: str) -> str | None:
    """The first version number (``1.16.1``, ``v2.30.0`` -> ``2.30.0``) in a tool's output, or None.

    Lines are read in order and the first dotted number wins: ``/usr/bin/bowtie2-align-s version
    2.5.0`` -> ``2.5.0``, ``Version:2.27.5`` -> ``2.27.5``, ``multiqc, version 1.35`` -> ``1.35``.
    """
    for line in text.splitlines():
        m = _VERSION.search(line.replace("Version:", "Version: "))
        if m:
            return m.group(1)
    return None


def workflow_tools(picard_cmd: str = "PicardCommandLine") -> dict[str, list[str]]:
    """:data:`TOOLS` plus Picard through the configured launcher (``picard_cmd``)."""
    tools = dict(TOOLS)
    tools["picard"] = [*shlex.split(picard_cmd), "MarkDuplicates", "--version"]
    return tools


def tool_version(argv: list[str], timeout: float = 120) -> str:
    """A tool's version from its output (stdout and stderr; some tools print it on stderr and
    exit non-zero, as Picard does); :data:`NOT_FOUND` when it is not installed."""
    try:
        res = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=timeout,
                             stdin=subprocess.DEVNULL)
    except (FileNotFoundError, PermissionError):
        return NOT_FOUND
    except subprocess.TimeoutExpired:
        return UNKNOWN
    return parse_version(res.stdout + "\n" + res.stderr) or UNKNOWN


def python_packages() -> list[tuple[str, str]]:
    """(name, version) of every installed distribution, sorted by lower-case name, one per name."""
    seen = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in seen:
            seen[name.lower()] = (name, dist.version)
    return [seen[k] for k in sorted(seen)]


def software_versions(tools: dict[str, list[str]], packages: list[tuple[str, str]] | None = None,
                      version_of=tool_version) -> pd.DataFrame:
    """The versions table: one row per tool (``kind`` tool), then Python and its packages
    (``kind`` python; ``packages`` defaults to :func:`python_packages`)."""
    rows = [("tool", name, version_of(argv), shlex.join(argv)) for name, argv in tools.items()]
    rows.append(("python", "python", platform.python_version(), "python --version"))
    for name, version in python_packages() if packages is None else packages:
        rows.append(("python", name, version, "importlib.metadata"))
    return pd.DataFrame(rows, columns=["kind", "name", "version", "command"])
