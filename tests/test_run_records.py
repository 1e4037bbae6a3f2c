"""Damaged run records: the runs table lists such a run as unreadable and goes on, --resume refuses it with a message
and leaves its files as they were, and a refused second --resume names the process that holds the run now."""

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_cli
from tests.experiment_runs import tiny_config
from tests.snapshots import digests
from training import runs
from training.records import RunRecord

CONFIG = {**tiny_config(), "experiment_group": "records"}


def make_run(root, run_id: str, **files: str | bytes) -> RunRecord:
    """A finished run's folder, with any of its files replaced by `files` (name with '.' as '_': config_json=...)."""
    record = RunRecord(root / "runs" / run_id)
    record.path.mkdir(parents=True)
    contents = {
        "config.json": json.dumps(CONFIG),
        "status.json": json.dumps({"state": "finished", "pid": 1, "epoch": 2, "monitor": "val_loss"}),
        "metrics.json": json.dumps({"monitor": "val_loss", "monitor_mode": "min", "best_val_loss": 0.5}),
        "history.csv": "epoch,loss,val_loss\n0,1.0,0.7\n1,0.8,0.5\n",
        **{name.replace("_", "."): content for name, content in files.items()},
    }
    for name, content in contents.items():
        path = record.path / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return record


DAMAGED = {
    "cut-config": {"config_json": '{"dataset": "EmnistDat'},
    "list-config": {"config_json": "[1, 2]"},
    "binary-status": {"status_json": b"\xff\xfe\x00garbage"},
    "deep-metrics": {"metrics_json": "[" * 100_000},
    "huge-history": {"history_csv": 'epoch,loss\n0,"' + "9" * 200_000 + "\n"},
    "nul-history": {"history_csv": "epoch,loss\n0,\x00\x00\n1,"},
}


def test_the_runs_table_lists_damaged_runs_as_unreadable_and_goes_on(isolated_runs, capsys):
    make_run(isolated_runs, "good")
    for run_id, files in DAMAGED.items():
        make_run(isolated_runs, run_id, **files)
    before = digests(isolated_runs / "runs")

    assert runs.main([]) == 0
    out, err = capsys.readouterr()
    table = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:]}
    assert table["good"] == "finished"
    unreadable = {run_id for run_id, state in table.items() if state == "unreadable"}
    assert unreadable == {"cut-config", "list-config", "binary-status", "deep-metrics", "huge-history"}
    assert "Run cut-config is unreadable: " in err and "config.json is damaged: not valid JSON" in err
    assert "list-config/config.json is damaged: it holds list" in err
    assert "binary-status/status.json cannot be read" in err
    assert "huge-history/history.csv is not a history CSV (field larger than field limit" in err
    assert table["nul-history"] == "finished"  # NUL bytes are read as text: the table shows what it can

    assert runs.main(["--csv"]) == 0
    assert "unreadable" in capsys.readouterr().out
    assert runs.main(["--group", "records"]) == 0
    assert "good" in capsys.readouterr().out
    assert digests(isolated_runs / "runs") == before  # listing writes nothing


def resume(run_id: str) -> subprocess.CompletedProcess:
    result = run_cli("training/run_experiment.py", f"--resume={run_id}", "--nowandb")
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"config_json": '{"dataset": '}, "config.json is damaged: not valid JSON"),
        ({"config_json": b"\xe9t\xe9"}, "config.json cannot be read ("),
        ({"status_json": "{}}"}, "status.json is damaged: not valid JSON"),
        ({"status_json": '{"state": "interrupted", "epoch": "two"}'}, "records epoch 'two'"),
    ],
)
def test_resuming_a_damaged_run_is_a_message_and_changes_nothing(isolated_runs, files, expected):
    record = make_run(isolated_runs, "damaged", **files)
    (record.path / "last.weights.h5").write_bytes(b"weights")
    before = digests(record.path)
    result = resume("damaged")
    assert result.returncode == 2 and expected in result.stderr, result.stderr
    assert "Run damaged cannot be resumed" in result.stderr
    if "status" in next(iter(files)):
        assert f"start it anew with: python training/run_experiment.py {record.config_file}" in result.stderr
    after = digests(record.path)
    assert after.pop("run.lock") and after == before  # only the lock file, which names this process, is new


def test_a_refused_second_resume_names_the_live_holder_not_a_stale_pid(isolated_runs):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    record = make_run(isolated_runs, "held", status_json=json.dumps({"state": "interrupted", "pid": dead_pid}))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys, time; from pathlib import Path; from training.locks import try_lock; "
            "lock = try_lock(Path(sys.argv[1]), str(os.getpid())); print('held', flush=True); time.sleep(120)",
            str(record.lock_file),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = resume("held")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert f"Run held is in use by another process (pid {holder.pid})" in result.stderr
    assert str(dead_pid) not in result.stderr
    assert json.loads(record.status_file.read_text())["pid"] == dead_pid  # the refused process wrote nothing
