#!/usr/bin/env bash
# The project's test command (called by `make test` and CI): lint, a dry run of the whole
# demo DAG, then pytest (unit tests and an end-to-end run of the workflow on a tiny config).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

echo "== snakemake --lint"
snakemake --lint

echo "== snakemake -n (demo config, whole DAG)"
snakemake -n --quiet rules

echo "== pytest"
python -m pytest "$@"
