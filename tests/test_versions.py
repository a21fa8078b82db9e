"""Software versions: version parsing of the tools' outputs, the table, the Python package set."""
import stat
import sys

import pytest

from deepallele import versions as v


@pytest.mark.parametrize("text, expected", [
    ("/usr/bin/bowtie2-align-s version 2.5.0\n64-bit\nBuilt on ...", "2.5.0"),
    ("samtools 1.16.1\nUsing htslib 1.16\n", "1.16.1"),
    ("\n                  Quality-/Adapter-/RRBS-/Speciality-Trimming\n        version 0.6.10\n", "0.6.10"),
    ("bedtools v2.30.0", "2.30.0"),
    ("FastQC v0.11.9", "0.11.9"),
    ("JavOpt:\nPicardProg: MarkDuplicates\nVersion:2.27.5\n", "2.27.5"),
    ("multiqc, version 1.35", "1.35"),
    ('openjdk version "17.0.15" 2025-04-15', "17.0.15"),
    ("\nfasterq-dump : 3.0.3 ( 3.0.2 )\n", "3.0.3"),
    ("snakemake 9.27.1.post2", "9.27.1.post2"),
    ("no number here, bowtie2 64-bit", None),
])
def test_parse_version(text, expected):
    assert v.parse_version(text) == expected


def test_tool_version_reads_stderr_and_missing_tools(tmp_path):
    tool = tmp_path / "faketool"
    tool.write_text("#!/bin/sh\necho 'Version:2.27.5' >&2\nexit 1\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    assert v.tool_version([str(tool), "--version"]) == "2.27.5"  # stderr and a non-zero exit, as Picard
    assert v.tool_version([str(tmp_path / "absent"), "--version"]) == v.NOT_FOUND
    assert v.tool_version([sys.executable, "-c", "print('no version')"]) == v.UNKNOWN


def test_workflow_tools_use_the_configured_picard_launcher():
    tools = v.workflow_tools("java -jar /opt/picard.jar")
    assert tools["picard"] == ["java", "-jar", "/opt/picard.jar", "MarkDuplicates", "--version"]
    assert {"bowtie2", "samtools", "bcftools", "trim_galore", "cutadapt", "macs3", "bedtools", "fastqc",
            "multiqc"} <= set(tools)


def test_software_versions_table():
    t = v.software_versions({"a": ["a", "--version"], "b": ["b", "-v"]}, packages=[("numpy", "2.4.6")],
                            version_of=lambda argv: {"a": "1.0", "b": v.NOT_FOUND}[argv[0]])
    assert list(t.columns) == ["kind", "name", "version", "command"]
    assert t.values.tolist()[:2] == [["tool", "a", "1.0", "a --version"], ["tool", "b", "not found", "b -v"]]
    assert t.iloc[2]["name"] == "python" and t.iloc[3].tolist() == ["python", "numpy", "2.4.6", "importlib.metadata"]


def test_python_packages_lists_the_environment_once_sorted():
    pkgs = v.python_packages()
    names = [n.lower() for n, _ in pkgs]
    assert names == sorted(set(names))
    assert {"pandas", "pyyaml"} <= set(names)
