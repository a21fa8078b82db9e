"""Snakemake wrapper: every external tool's version and the Python package set, as one table."""
import os
import sys
from pathlib import Path

from deepallele.logutil import job_logging
from deepallele.versions import software_versions, workflow_tools

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_logging(sm.log[0]) as log:
    # tools installed with the workflow's Python (macs3, multiqc, deeptools, snakemake) are found
    # even when snakemake was called as .venv/bin/snakemake without activation
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    table = software_versions(workflow_tools(sm.params.picard_cmd))
    table.to_csv(sm.output.table, sep="\t", index=False)
    log.info("\n%s", table[table["kind"] == "tool"].to_string(index=False))
    log.info("%d Python packages", int((table["kind"] == "python").sum()) - 1)
