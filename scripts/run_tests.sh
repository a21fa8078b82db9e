#!/usr/bin/env bash
# The project's test command (called by `make test` and CI): the format check and lint of the
# workflow, a dry run of the whole demo DAG, then pytest (unit tests, the import contracts, and an
# end-to-end run of the workflow on a tiny config).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

echo "== snakefmt --check (Snakefile, rules/; settings in pyproject.toml [tool.snakefmt])"
snakefmt --check Snakefile rules/

echo "== snakemake --lint"
snakemake --lint

echo "== snakemake -n (demo config, whole DAG)"
snakemake -n --quiet rules

echo "== pytest"
python -m pytest "$@"
