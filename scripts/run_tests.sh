#!/usr/bin/env bash
# The project's test command (called by `make test` and CI): the format check and lint of the
# workflow, a dry run of the whole demo DAG, then pytest (unit tests, the import contracts, and an
# end-to-end run of the workflow on a tiny config).
#
# pytest runs on 2 workers (pytest-xdist) that take whole test files (--dist loadfile, so a file's
# module-scoped end-to-end run is made once), the long end-to-end files first (tests/conftest.py
# orders them; --no-loadscope-reorder keeps that order). TEST_WORKERS=1 runs pytest in one process;
# -n/--numprocesses, -p no:xdist, --pdb or --trace among the arguments also leave xdist to them.
# tests/bin/scontrol comes first on PATH (why: see that file).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tests/bin:$PWD/.venv/bin:$PATH"

echo "== snakefmt --check (Snakefile, rules/; settings in pyproject.toml [tool.snakefmt])"
snakefmt --check Snakefile rules/

echo "== snakemake --lint"
snakemake --lint

echo "== snakemake -n (demo config, whole DAG)"
snakemake -n --quiet rules

echo "== pytest"
workers=${TEST_WORKERS:-2}
xdist=()
if [[ "$workers" -gt 1 ]] && ! printf '%s\n' "$@" | grep -qE '^(-n|--numprocesses|--pdb|--trace)|no:xdist'; then
    if python -c "import xdist" 2>/dev/null; then
        xdist=(-n "$workers" --dist loadfile --no-loadscope-reorder)
    else
        echo "(pytest-xdist missing from .venv: one process; scripts/setup.sh installs it)"
    fi
fi
python -m pytest "${xdist[@]}" "$@"
