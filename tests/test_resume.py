"""Nothing lost: SIGTERM marks a run interrupted, SIGKILL leaves its last checkpoint whole, --resume continues it."""

import json
import signal

import h5py
import pytest

from tests.conftest import run_cli
from tests.experiment_runs import history_epochs, start, status, tiny_config, wait_for
from training import run_table

EPOCHS = 8


def run_until_epoch(args: list[str], run_dir, epoch: int, sig: signal.Signals) -> tuple[int, str]:
    """Start a run, signal it once `epoch` epochs are checkpointed, and return its exit status and output."""
    process = start("training/run_experiment.py", *args)
    wait_for(lambda: status(run_dir).get("epoch", 0) >= epoch or process.poll() is not None, f"epoch {epoch}")
    process.send_signal(sig)
    output = process.communicate(timeout=300)[0]
    return process.returncode, output


@pytest.mark.slow
def test_interrupted_and_killed_runs_resume_where_they_stopped(isolated_runs):
    run_dir = isolated_runs / "runs" / "resumable"
    config = json.dumps(
        tiny_config(
            epochs=EPOCHS,
            train_args={"epochs": EPOCHS, "batch_size": 64, "lr_schedule": "cosine", "early_stopping_patience": 0},
        )
    )

    code, output = run_until_epoch([config, "--run-id=resumable", "--nowandb"], run_dir, 1, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM, output
    assert status(run_dir)["state"] == "interrupted"
    assert "--resume resumable" in output and "Traceback" not in output
    stopped_at = status(run_dir)["epoch"]
    assert 1 <= stopped_at < EPOCHS

    code, output = run_until_epoch(["--resume=resumable", "--nowandb"], run_dir, stopped_at + 1, signal.SIGKILL)
    assert code == -signal.SIGKILL
    killed_at = status(run_dir)["epoch"]
    assert status(run_dir)["state"] == "running" and killed_at > stopped_at
    with h5py.File(run_dir / "last.weights.h5") as weights:  # whole, readable: replaced atomically
        assert len(weights.keys()) > 0
    assert [row["state"] for row in run_table.load()] == ["killed"]

    result = run_cli("training/run_experiment.py", "--resume=resumable", "--nowandb", env={"WANDB_MODE": "disabled"})
    assert result.returncode == 0, result.stderr
    assert f"Resuming resumable after epoch {killed_at}" in result.stderr
    assert "Skipping variable loading for optimizer" not in result.stderr  # Adam's moments are resumed too
    assert status(run_dir)["state"] == "finished"
    assert history_epochs(run_dir) == list(range(EPOCHS))  # each epoch once, in order, across three processes
    assert json.loads((run_dir / "metrics.json").read_text())["epochs"] == EPOCHS

    again = run_cli("training/run_experiment.py", "--resume=resumable")
    assert again.returncode == 2 and "finished already" in again.stderr


@pytest.mark.slow
def test_a_run_stopped_before_its_first_checkpoint_starts_again_without_a_repeated_epoch(isolated_runs):
    run_dir = isolated_runs / "runs" / "early"
    config = json.dumps(tiny_config(train_args={"epochs": EPOCHS, "batch_size": 64, "early_stopping_patience": 0}))
    code, output = run_until_epoch([config, "--run-id=early", "--nowandb"], run_dir, 1, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM, output
    assert history_epochs(run_dir)[0] == 0
    (run_dir / "last.weights.h5").unlink()  # as if stopped after epoch 0 was logged but before it was checkpointed

    result = run_cli("training/run_experiment.py", "--resume=early", "--nowandb", env={"WANDB_MODE": "disabled"})
    assert result.returncode == 0, result.stderr
    assert history_epochs(run_dir) == list(range(EPOCHS))


def test_resume_mistakes_are_messages(isolated_runs):
    result = run_cli("training/run_experiment.py", "--resume=no-such-run")
    assert result.returncode == 2 and "No run 'no-such-run'" in result.stderr and "Traceback" not in result.stderr
    both = run_cli("training/run_experiment.py", json.dumps(tiny_config()), "--resume=x")
    assert both.returncode == 2 and "or --resume RUN_ID" in both.stderr
