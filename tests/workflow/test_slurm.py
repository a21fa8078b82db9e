"""The workflow on a real single-node SLURM cluster (munge + slurmctld + slurmd from Debian).

One session-scoped cluster (scripts/slurm/start-slurm.sh, stopped by PID at teardown) and one
run of a reduced tiny config through ``snakemake --profile tests/data/slurm_profile``: one ATAC
dataset (every read-stage rule kind incl. the Tn5 shift), QC, validation tables and two model
types x two seeds of training on the placeholder GPU (``--set-resources train:gpu=1``). While it
runs, the first training job is cancelled with ``scancel`` once it is RUNNING; the workflow must
retry it and still finish, and the retried job's predictions must equal an uninterrupted run's.

Needs root and slurm-wlm/munge (scripts/setup.sh installs them); skipped otherwise.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
START = REPO / "scripts/slurm/start-slurm.sh"
STOP = REPO / "scripts/slurm/stop-slurm.sh"
PROFILE = REPO / "tests/data/slurm_profile"
MARK = "written by deepallele scripts/slurm/start-slurm.sh"
DATASET = "tiny_atac"
TINY_ARCH = {"conv_layers": 1, "kernel_number": 8, "kernel_length": 7, "filter_number": 8, "kernel_size": 3,
             "pooling_size": 4, "h_layers": 1, "hidden_size": 16, "dropout": 0.1}
RUN_TIMEOUT = 900  # s; the run takes ~5 min on 2 CPUs

pytestmark = pytest.mark.slow


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "the SLURM test cluster needs root (it starts munged, slurmctld and slurmd)"
    for tool in ("slurmctld", "slurmd", "munged", "sbatch"):
        if not (shutil.which(tool) or Path("/usr/sbin", tool).exists()):
            return f"'{tool}' is not installed (scripts/setup.sh installs slurm-wlm and munge)"
    conf = Path("/etc/slurm/slurm.conf")
    if conf.exists() and MARK not in conf.read_text():
        return "/etc/slurm/slurm.conf belongs to a real cluster; the test cluster would replace it"
    return None


def _sh(*cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A running single-node cluster; every daemon it started is stopped by PID afterwards."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("slurm_cluster")
    env = {**os.environ, "SLURM_TEST_DIR": str(base)}
    try:
        res = _sh("bash", str(START), env=env, timeout=120)
        assert res.returncode == 0, f"start-slurm.sh failed:\n{res.stdout}\n{res.stderr}"
        assert " idle " in res.stdout, res.stdout
        yield base
    finally:
        res = _sh("bash", str(STOP), env=env, timeout=120)
        for pid_file in ("slurmctld.pid", "slurmd.pid", "munged.pid"):
            assert not (base / pid_file).exists(), f"{pid_file} left behind: {res.stdout}{res.stderr}"


def slurm_config() -> dict:
    """The tiny config reduced to one ATAC dataset and a small, fast model stage."""
    config = yaml.safe_load((REPO / "tests/data/tiny_config.yaml").read_text())
    genome = config["datasets"][DATASET]["genome"]
    config["datasets"] = {DATASET: config["datasets"][DATASET]}
    config["genomes"] = {genome: config["genomes"][genome]}
    config["models"] = {"types": ["deepallele", "ref_only"], "seeds": [0, 1], "preset": "demo",
                        "architecture": TINY_ARCH, "training": {"max_epochs": 2}}
    return config


TARGETS = ["counts", "qc", "models"] + [
    f"results/{DATASET}/validation/{name}.tsv" for name in ("simulation", "reads", "dataset", "model")
]


def _snakemake_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args]


def _squeue() -> dict[str, tuple[str, str]]:
    """{job id: (state, comment)} of every job slurmctld still lists (MinJobAge=300)."""
    res = _sh("squeue", "--states=all", "-h", "-o", "%i|%T|%k")
    jobs = {}
    for line in res.stdout.splitlines():
        jid, state, comment = line.split("|", 2)
        jobs[jid] = (state, comment)
    return jobs


def _train_wildcards(comment: str) -> tuple[str, int]:
    """(model, seed) from a training job's SLURM comment, rule_train_wildcards_<ds>_<model>_<seed>."""
    rest, seed = comment.removeprefix(f"rule_train_wildcards_{DATASET}_").rsplit("_", 1)
    return rest, int(seed)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def slurm_run(slurm_cluster, tmp_path_factory):
    """The reduced workflow through the SLURM profile, with one training job scancel'ed mid-run."""
    work = tmp_path_factory.mktemp("slurm_run")
    (work / "config.yaml").write_text(yaml.safe_dump(slurm_config()))
    args = [*TARGETS, "--configfile", "config.yaml", "--set-resources", "train:gpu=1"]

    log = work / "snakemake.log"
    start = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(_snakemake_cmd(*args, "--profile", str(PROFILE)), cwd=work,
                                stdout=out, stderr=subprocess.STDOUT, text=True)
    cancelled = None
    try:
        # Cancel a training job mid-run: once it is RUNNING and has written the checkpoint of its
        # first epoch (so the retry resumes from it). A job that ends before that is let be.
        while proc.poll() is None and cancelled is None and time.monotonic() - start < RUN_TIMEOUT:
            for jid, (state, comment) in _squeue().items():
                if state != "RUNNING" or not comment.startswith("rule_train_"):
                    continue
                model, seed = _train_wildcards(comment)
                last = work / f"results/{DATASET}/models/{model}/seed{seed}/checkpoints/last.ckpt"
                while _squeue().get(jid, ("",))[0] == "RUNNING" and not last.exists():
                    time.sleep(0.2)
                if last.exists() and _squeue().get(jid, ("",))[0] == "RUNNING":
                    res = _sh("scancel", jid)
                    assert res.returncode == 0, res.stderr
                    cancelled = (jid, comment)
                break
            time.sleep(0.5)
        proc.wait(timeout=max(1, RUN_TIMEOUT - (time.monotonic() - start)))
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
    wall = time.monotonic() - start
    text = log.read_text()
    planned = {}  # {rule: jobs} from the job-stats table the run prints first
    stats = text[text.index("Job stats:"):] if "Job stats:" in text else ""
    for line in stats.splitlines()[3:]:
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit() or parts[0] == "total":
            break
        planned[parts[0]] = int(parts[1])
    return {"work": work, "rc": proc.returncode, "log": text, "planned": planned,
            "cancelled": cancelled, "wall": wall}


def _submissions(text: str) -> list[tuple[str, str, Path]]:
    """(snakemake job id, SLURM job id, sbatch log) of every submission in a run's log."""
    pat = re.compile(r"Job (\S+) has been submitted with SLURM jobid (\d+) \(log: (\S+)\)\.")
    return [(m.group(1), m.group(2), Path(m.group(3))) for m in pat.finditer(text)]


def test_slurm_run_completes(slurm_run):
    assert slurm_run["rc"] == 0, slurm_run["log"][-6000:]
    work = slurm_run["work"]
    for target in TARGETS:
        if "/" in target:
            assert (work / target).stat().st_size > 0, target
    # the training jobs' GPU request reached sbatch (placeholder GPU on the test node)
    assert (work / f"results/{DATASET}/metrics/performance.tsv").exists()
    print(f"SLURM run: {slurm_run['wall']:.0f} s, {len(_submissions(slurm_run['log']))} sbatch jobs")


def test_every_job_ran_under_slurm(slurm_run):
    assert slurm_run["rc"] == 0, slurm_run["log"][-3000:]
    subs = _submissions(slurm_run["log"])
    assert subs, slurm_run["log"][-3000:]
    jobs = _squeue()
    ran = {}  # rule -> SLURM job ids whose sbatch log shows the rule's job running
    kinds = set()
    for _, slurm_id, sbatch_log in subs:
        # sbatch's --output is .../slurm_logs/<rule_X | group_G_...>/[wildcards/]<SLURM job id>.log
        assert sbatch_log.name == f"{slurm_id}.log", sbatch_log
        assert sbatch_log.exists(), f"SLURM log of job {slurm_id} missing: {sbatch_log}"
        assert slurm_id in jobs, f"job {slurm_id} unknown to slurmctld"
        state = jobs[slurm_id][0]
        assert state in ("COMPLETED", "CANCELLED"), (slurm_id, state)
        kinds.add(sbatch_log.relative_to(slurm_run["work"] / ".snakemake/slurm_logs").parts[0])
        for rule in re.findall(r"^\s*rule (\w+):$", sbatch_log.read_text(), flags=re.M):
            ran.setdefault(rule, set()).add(slurm_id)
    target_rules = {"counts", "qc", "models"}  # no shell/script: run by the main process
    missing = set(slurm_run["planned"]) - target_rules - set(ran)
    assert not missing, f"rules with no job in any SLURM job's log: {sorted(missing)}"
    # one sbatch job per training job (plus the retry of the cancelled one)
    assert len(ran["train"]) >= slurm_run["planned"]["train"], ran["train"]
    # grouping: fewer sbatch jobs than rule jobs, and the small QC / simulation jobs share one
    n_jobs = sum(n for r, n in slurm_run["planned"].items() if r not in target_rules)
    assert len(subs) < n_jobs, (len(subs), n_jobs)
    assert any(k.startswith("group_qc") for k in kinds), sorted(kinds)
    # training asked SLURM for a GPU and 2 CPUs per GPU (no forced --ntasks-per-gpu)
    shown = [_sh("scontrol", "show", "job", sid).stdout for _, sid, log in subs if "rule_train" in str(log)]
    assert shown, "no training job was submitted"
    for text in shown:
        assert "TresPerJob=gres:gpu:1" in text and "CpusPerTres=gres:gpu:2" in text, text
        assert "NtasksPerTRES:1" not in text, text


def test_cancelled_job_is_retried(slurm_run):
    assert slurm_run["cancelled"], "no training job was seen RUNNING to cancel"
    jid, comment = slurm_run["cancelled"]
    jobs = _squeue()
    assert jobs[jid][0] == "CANCELLED", jobs.get(jid)
    retries = [j for j, (state, c) in jobs.items() if c == comment and int(j) > int(jid)]
    assert retries and jobs[retries[-1]][0] == "COMPLETED", (comment, {j: jobs[j] for j in retries})
    assert slurm_run["rc"] == 0, slurm_run["log"][-3000:]


def test_retried_job_matches_an_uninterrupted_run(slurm_run):
    """The retried training job wrote the same predictions as the same job run without a cancel."""
    assert slurm_run["rc"] == 0 and slurm_run["cancelled"]
    work = slurm_run["work"]
    model, seed = _train_wildcards(slurm_run["cancelled"][1])
    outdir = work / f"results/{DATASET}/models/{model}/seed{seed}"
    summary = json.loads((outdir / "train_summary.json").read_text())
    assert summary["resumed"], summary  # the retry went on from the cancelled attempt's checkpoint
    retried = {f: _sha256(outdir / f) for f in ("predictions.tsv",)}
    aside = outdir.with_name(outdir.name + ".retried")
    outdir.rename(aside)  # checkpoints too: the local run must train from scratch
    target = f"results/{DATASET}/models/{model}/seed{seed}/predictions.tsv"
    res = _sh(*_snakemake_cmd(target, "--configfile", "config.yaml", "--cores", "2", "--max-threads", "2"),
              cwd=work, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    assert "train" in res.stdout + res.stderr
    fresh = {f: _sha256(outdir / f) for f in retried}
    assert fresh == retried


def test_cluster_profile_requests(tmp_path):
    """profiles/slurm as a user runs it (no cluster needed for a dry run): a GPU per training job
    when training is on GPUs, the profile's per-rule overrides, the env-var partition/account."""
    config = slurm_config()
    config["models"]["training"]["accelerator"] = "gpu"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "DEEPALLELE_SLURM_PARTITION": "gpu_part", "DEEPALLELE_SLURM_ACCOUNT": "lab_x"}
    res = subprocess.run(_snakemake_cmd("models", "--configfile", "config.yaml", "--profile",
                                        str(REPO / "profiles/slurm"), "-n"),
                         capture_output=True, text=True, cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    out = res.stdout + res.stderr
    train = [block for block in out.split("\n\n") if re.search(r"^\s*rule train:", block, re.M)]
    assert len(train) == 4, out[-3000:]
    for block in train:
        resources = re.search(r"resources: (.*)", block).group(1)
        for expected in ("gpu=1", "cpus_per_gpu=2", "runtime=240", "slurm_partition=gpu_part",
                         "slurm_account=lab_x"):
            assert expected in resources, (expected, resources)
        assert "tasks_per_gpu" not in resources
    bowtie2 = [block for block in out.split("\n\n") if re.search(r"^\s*rule bowtie2:", block, re.M)]
    assert bowtie2 and all("mem_mb=16000" in b and "threads: 8" in b for b in bowtie2), bowtie2[:1]
