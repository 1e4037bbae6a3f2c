"""The runner at scale: data-parallel strategies, W&B tracking with examples and the saved model, the runs table."""

import io
import json
import socket

import pytest

from tests.conftest import run_cli
from tests.experiment_runs import tiny_config
from training import run_table, runs
from training.distribute import is_chief
from training.records import RunRecord

CONFIG = json.dumps(tiny_config())


def metrics_of(isolated_runs, run_id: str) -> dict:
    return json.loads((isolated_runs / "runs" / run_id / "metrics.json").read_text())


@pytest.mark.slow
def test_data_parallel_on_two_logical_cpus(isolated_runs):
    result = run_cli(
        "training/run_experiment.py", CONFIG, "--nowandb", "--run-id=mirrored", env={"TEXT_RECOGNIZER_CPU_DEVICES": "2"}
    )
    assert result.returncode == 0, result.stderr
    assert "(MirroredStrategy)" in result.stderr and "CPU:1" in result.stderr
    assert metrics_of(isolated_runs, "mirrored")["replicas"] == 2


@pytest.mark.slow
def test_multi_worker_strategy_from_tf_config(isolated_runs):
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    tf_config = {"cluster": {"worker": [f"localhost:{port}"]}, "task": {"type": "worker", "index": 0}}
    result = run_cli(
        "training/run_experiment.py", CONFIG, "--nowandb", "--run-id=worker0", env={"TF_CONFIG": json.dumps(tf_config)}
    )
    assert result.returncode == 0, result.stderr
    assert "Data-parallel across workers (TF_CONFIG)" in result.stderr
    assert metrics_of(isolated_runs, "worker0")["replicas"] == 1


@pytest.mark.parametrize(
    ("tf_config", "chief"),
    [
        (None, True),
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}}, True),
        ({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 1}}, False),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}, False),
        ({"cluster": {"chief": ["c:1"], "worker": ["a:1"]}, "task": {"type": "chief", "index": 0}}, True),
    ],
)
def test_only_the_chief_reports(monkeypatch, tf_config, chief):
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", json.dumps(tf_config))
    assert is_chief() is chief


@pytest.mark.slow
def test_wandb_offline_logs_metrics_examples_and_the_saved_model(isolated_runs):
    config = json.dumps(tiny_config(experiment_group="tracked"))
    env = {"WANDB_MODE": "offline", "WANDB_API_KEY": "", "WANDB_SILENT": "true"}
    result = run_cli("training/run_experiment.py", config, "--save", "--run-id=wandb-run", env=env)
    assert result.returncode == 0, result.stderr
    offline = list((isolated_runs / "runs" / "wandb-run" / "wandb").glob("offline-run-*"))
    assert len(offline) == 1
    images = list((offline[0] / "files" / "media" / "images").glob("examples_*.png"))
    assert len(images) == 8 * 2  # eight test images a epoch, two epochs
    log = next(offline[0].glob("run-*.wandb")).read_bytes()
    for expected in (b'"val_accuracy"', b"(true '", b"tracked", b"CharacterModel_EmnistDataset_mlp.json"):
        assert expected in log, expected

    evaluated = run_cli(
        "training/evaluate.py", str(isolated_runs / "weights" / "CharacterModel_EmnistDataset_mlp.json")
    )
    assert evaluated.returncode == 0, evaluated.stderr
    shipped = metrics_of(isolated_runs, "wandb-run")
    assert json.loads(evaluated.stdout)["test_accuracy"] == pytest.approx(shipped["test_accuracy"], abs=1e-6)


def fake_run(run_id: str, state: str, accuracies: list[float], **metrics) -> RunRecord:
    """A recorded run without training: config, status and per-epoch history as the runner writes them."""
    record = RunRecord.create(tiny_config(experiment_group="table"), run_id)
    record.lock().release()  # held and let go, as by a process that has ended
    rows = [f"{epoch},{accuracy}" for epoch, accuracy in enumerate(accuracies)]
    record.history_file.write_text("\n".join(["epoch,val_accuracy", *rows]) + "\n")
    record.set_status(state, epoch=len(accuracies), monitor="val_accuracy", monitor_mode="max")
    if metrics:
        record.metrics_file.write_text(json.dumps({"monitor": "val_accuracy", "monitor_mode": "max", **metrics}))
    return record


def test_runs_table_best_first_with_csv(isolated_runs, capsys):
    fake_run("good", "finished", [0.5, 0.8], best_val_accuracy=0.8, test_accuracy=0.79)
    fake_run("bad", "finished", [0.1, 0.2], best_val_accuracy=0.2, test_accuracy=0.21)
    fake_run("crashed", "running", [0.3])  # no live process holds it: it was killed
    live = fake_run("live", "running", [0.6, 0.9])
    lock = live.lock()
    try:
        rows = run_table.best_first(run_table.load("table"))
        assert [(row["run"], row["state"]) for row in rows] == [
            ("live", "running"),
            ("good", "finished"),
            ("crashed", "killed"),
            ("bad", "finished"),
        ]
        assert [row["best"] for row in rows] == [0.9, 0.8, 0.3, 0.2]
    finally:
        lock.release()
    assert runs.main(["--sort", "test_accuracy"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["run", "state", "group"] and [line.split()[0] for line in table[1:3]] == [
        "good",
        "bad",
    ]
    out = io.StringIO()
    run_table.write_csv(rows, out)
    header = out.getvalue().splitlines()[0].split(",")
    assert {"run", "best", "test_accuracy", "config.network_args.layer_size"} <= set(header)


def test_run_ids_are_never_shared(isolated_runs):
    fake_run("taken", "finished", [0.5])
    result = run_cli("training/run_experiment.py", CONFIG, "--run-id=taken")
    assert result.returncode == 2 and "exists already; resume it with --resume taken" in result.stderr


@pytest.mark.parametrize(
    ("run_id", "message"),
    [("crashed", "Run crashed is running; only a finished run"), ("nowhere", "No run 'nowhere'")],
)
def test_only_a_finished_run_is_shipped_and_nothing_is_written_otherwise(isolated_runs, run_id, message):
    fake_run("crashed", "running", [0.3])
    result = run_cli("training/ship_run.py", run_id)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (isolated_runs / "weights").exists()
