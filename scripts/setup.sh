#!/usr/bin/env bash
# One idempotent setup step: external tools from Debian (when missing) and a pinned .venv.
# Safe to rerun: each part checks what is already there and does only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# slurm-wlm + munge: the single-node test cluster (scripts/slurm/); chromium: the headless
# screenshot of the HTML report in the tests
APT_PACKAGES=(bowtie2 samtools bcftools tabix picard-tools trim-galore sra-toolkit bedtools pigz
              slurm-wlm munge chromium subread fastqc)
# command that proves each package is installed (same order as APT_PACKAGES)
APT_PROBES=(bowtie2 samtools bcftools tabix PicardCommandLine trim_galore fasterq-dump bedtools pigz
            slurmctld munged chromium featureCounts fastqc)

log() { printf '[setup] %s\n' "$*"; }
# pip, without the warnings some machines print for every package about unusable local indexes
pip_install() { .venv/bin/pip install "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }

missing=()
for i in "${!APT_PACKAGES[@]}"; do
  probe=${APT_PROBES[$i]}
  command -v "$probe" >/dev/null 2>&1 || [ -x "/usr/sbin/$probe" ] || missing+=("${APT_PACKAGES[$i]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    SUDO="sudo"
  else
    cat >&2 <<MSG
[setup] These external tools are missing: ${missing[*]}
[setup] apt-get is not usable here (no root, no passwordless sudo, or not Debian).
[setup] Install them with conda/mamba instead, from the pinned environment files:
[setup]     mamba env create -f envs/reads.yaml   # bowtie2, samtools, bcftools, picard, trim-galore, sra-tools, bedtools
[setup]     conda activate deepallele-reads
[setup] or run the workflow with per-rule environments:  snakemake --sdm conda --profile profiles/local
[setup] and set 'picard_cmd: picard' in config/config.yaml (bioconda's Picard command).
MSG
    exit 1
  fi
  log "installing with apt: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "external tools present"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.deepallele-requirements.sha256
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log ".venv up to date"
else
  # torch first: the local CPU wheel; later packages then never pull another torch build.
  pip_install -q --upgrade pip
  pip_install -q torch==2.13.0
  log "installing pinned Python dependencies (first run ~5 min: macs3 builds from source)"
  pip_install -q -r requirements.txt
  pip_install -q --no-deps -e .
  echo "$want" > "$stamp"
fi
# memelite compiles its numba kernels on first use (~1 min); do it once here, not inside a job.
if [ ! -f .venv/.deepallele-numba-warm ]; then
  log "warming numba caches (memelite fimo/tomtom)"
  .venv/bin/python - <<'PY'
import numpy as np
from memelite import fimo, tomtom
rng = np.random.default_rng(0)
pwms = {f"m{i}": rng.dirichlet(np.ones(4), size=8).T for i in range(30)}
seqs = np.eye(4)[rng.integers(0, 4, size=(2, 200))].transpose(0, 2, 1)
fimo(pwms, seqs, threshold=1e-2)
tomtom(list(pwms.values())[:2], list(pwms.values()))
PY
  touch .venv/.deepallele-numba-warm
fi
log "done"
