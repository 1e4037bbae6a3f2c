"""Sweeps: W&B's flat arguments become nested configs; offline sweeps propose, stop, run in parallel and resume."""

import json
import os
import signal
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SUPPORT, run_cli
from tests.experiment_runs import history_epochs, start, status, wait_for
from text_recognizer import settings
from text_recognizer.errors import ConfigError, UserError
from training.config import validate
from training.records import RunRecord
from training.sweep_args import coerce, split_args, to_config
from training.sweep_driver import OfflineSweep, as_flags, load_config, proposed_params, sweeps
from training.sweep_state import SweepState

SHIPPED_SWEEPS = sorted(REPO.glob("training/sweep_*.yaml"))


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("--network_args.layer_size=128", {"network_args": {"layer_size": 128}}),
        ("--network_args.layer_size=128.0", {"network_args": {"layer_size": 128}}),  # q_uniform gives floats
        ("--network_args.dropout_amount=0", {"network_args": {"dropout_amount": 0}}),
        ("--train_args.learning_rate=1e-3", {"train_args": {"learning_rate": 0.001}}),
        ("--train_args.optimizer=adam", {"train_args": {"optimizer": "adam"}}),
        ("--train_args.validation_batch_size=None", {"train_args": {"validation_batch_size": None}}),
        ("--dataset_args.subsample_fraction=0.5", {"dataset_args": {"subsample_fraction": 0.5}}),
        ("--experiment_group=2024", {"experiment_group": "2024"}),  # a str field stays a string
        ("--seed=7", {"seed": 7}),
    ],
)
def test_flat_flags_become_the_nested_config(flag, expected):
    settings, rest = split_args(["--network=mlp", "--dataset=EmnistDataset", flag, "--gpu=-1", "--nowandb"])
    assert rest == ["--gpu=-1", "--nowandb"]
    config = to_config(settings)
    assert config == {"network": "mlp", "dataset": "EmnistDataset", **expected}


def test_values_are_coerced_by_annotation():
    assert coerce("True", "bool") is True
    assert coerce("[3, 3]", "tuple[int, ...]") == [3, 3]
    assert coerce("(3, 3)", None) == [3, 3]
    assert coerce("None", "float | None") is None
    assert coerce("0.5", "float | None") == 0.5
    assert coerce("12", "str") == "12"


def test_flag_mistakes_are_named():
    with pytest.raises(ConfigError, match=r"--network_args\.layer_size=VALUE"):
        split_args(["--network_args.layer_size", "128"])
    with pytest.raises(ConfigError, match="did you mean 'network_args'"):
        validate(
            to_config({"dataset": "EmnistDataset", "model": "CharacterModel", "network": "mlp", "network_argz.x": "1"})
        )
    flags = ("--dataset=EmnistDataset", "--model=CharacterModel", "--network=mlp", "--network_args.num_layers=two")
    for program in ("training/sweep_trial.py", "training/run_sweep.py"):  # the second: its first name, still working
        result = run_cli(program, *flags)
        assert result.returncode == 2 and '"num_layers" must be int' in result.stderr, program
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", SHIPPED_SWEEPS, ids=lambda path: path.name)
def test_shipped_sweeps_propose_valid_experiments(path):
    config = load_config(path)
    assert config["program"] == "training/sweep_trial.py" and config["early_terminate"]["type"] == "hyperband"
    for _ in range(5):
        proposal = sweeps.next_run(config, [], validate=True)
        validate(to_config(split_args(as_flags(proposed_params(proposal)))[0]))


def test_bad_sweep_files_are_messages(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("method: gird\nparameters: {a: {values: [1]}}\n")
    with pytest.raises(UserError, match="'gird' is not one of"):
        load_config(bad)
    result = run_cli("training/sweep.py", str(bad))  # the offline driver's first name, still working
    assert result.returncode == 2 and "not a valid sweep" in result.stderr and "Traceback" not in result.stderr
    random = tmp_path / "random.yaml"
    random.write_text("method: random\nparameters: {seed: {values: [1, 2]}}\n")
    result = run_cli("training/offline_sweep.py", str(random))
    assert result.returncode == 2 and "give --count" in result.stderr


def sweep_file(folder: Path, method: str, parameters: dict) -> Path:
    """A sweep of tiny runs: fixed parts from tiny_config, `parameters` swept."""
    fixed = {
        "dataset": "EmnistDataset",
        "dataset_args.subsample_fraction": 0.01,
        "model": "CharacterModel",
        "network": "mlp",
        "network_args.num_layers": 1,
        "train_args.batch_size": 64,
        "train_args.early_stopping_patience": 0,
    }
    config = {
        "program": "training/sweep_trial.py",
        "method": method,
        "metric": {"name": "val_accuracy", "goal": "maximize"},
        "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
        "parameters": {**{name: {"value": value} for name, value in fixed.items()}, **parameters},
    }
    path = folder / f"tiny_{method}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def sweep_records(runs_dir: Path, name: str) -> tuple[list[dict], list[Path]]:
    entries = json.loads((runs_dir / "sweeps" / name / "sweep.json").read_text())["entries"]
    return entries, [runs_dir / entry["run_id"] for entry in entries]


def open_gate(gate: Path, run_prefix: str, epochs: int) -> None:
    """Let runs whose id starts with `run_prefix` begin `epochs` epochs (tests/support/epoch_gate)."""
    gate.mkdir(exist_ok=True)
    partial = gate / f".{run_prefix}.part"
    partial.write_text(str(epochs))
    partial.replace(gate / run_prefix)


def gated(gate: Path) -> dict[str, str]:
    """The environment of a sweep whose runs wait at each epoch's start until the test opens their gate."""
    path = os.pathsep.join(filter(None, [str(SUPPORT / "epoch_gate"), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "TEXT_RECOGNIZER_TEST_EPOCH_GATE": str(gate)}


@pytest.mark.slow
def test_grid_sweep_stops_a_weak_run_and_resumes_after_an_interruption(isolated_runs):
    """Two good learning rates and a hopeless one: the sweep is interrupted mid-run, resumed, and hyperband stops
    the hopeless run, while the interrupted runs continue from their checkpoints. Epoch gates decide how far each
    run may go, so a fast machine cannot finish a run before the test acts."""
    runs_dir, gate = isolated_runs / "runs", isolated_runs / "gate"
    epochs = 6
    path = sweep_file(
        isolated_runs,
        "grid",
        {
            "train_args.learning_rate": {"values": [0.003, 0.002, 1e-7]},
            "train_args.epochs": {"value": epochs},
            "network_args.layer_size": {"value": 32},
        },
    )
    open_gate(gate, "tiny_grid", 1)  # every run trains one epoch, then waits
    first = start("training/offline_sweep.py", str(path), "--parallel=2", "--nowandb", env=gated(gate))
    wait_for(lambda: len(list(runs_dir.glob("tiny_grid-*"))) == 2, "two runs")
    records = sorted(runs_dir.glob("tiny_grid-*"))
    wait_for(lambda: all(status(run).get("epoch") == 1 for run in records), "both runs' first checkpoints")
    first.send_signal(signal.SIGTERM)
    output = first.communicate(timeout=300)[0]
    assert first.returncode == 130 and "run the same command again to resume" in output, output
    entries, records = sweep_records(runs_dir, "tiny_grid")
    assert len(entries) == 2 and [status(run)["state"] for run in records] == ["interrupted"] * 2

    open_gate(gate, "tiny_grid", epochs)
    open_gate(gate, "tiny_grid-003", 2)  # the hopeless run: two epochs, enough for hyperband's first band
    command = ("training/offline_sweep.py", str(path), "--parallel=2", "--nowandb")
    again = start(*command, env={**gated(gate), "WANDB_MODE": "disabled"})
    hopeless = wait_for(lambda: next(runs_dir.glob("tiny_grid-003-*"), None), "the third run")
    wait_for(lambda: RunRecord(hopeless).stop_reason(), "hyperband to stop the hopeless run")
    open_gate(gate, "tiny_grid-003", epochs)
    stdout = again.communicate(timeout=300)[0]
    assert again.returncode == 0, stdout
    assert stdout.count("resumes from its last checkpoint") == 2
    entries, records = sweep_records(runs_dir, "tiny_grid")
    assert [entry["params"]["train_args.learning_rate"] for entry in entries] == [0.003, 0.002, 1e-7]
    assert [status(run)["state"] for run in records] == ["finished"] * 3
    for run in records[:2]:
        assert history_epochs(run) == list(range(epochs))  # resumed, not restarted, and no epoch twice
    metrics = [json.loads((run / "metrics.json").read_text()) for run in records]
    assert [m["stopped_early"] for m in metrics[:2]] == [None, None]  # hyperband leaves the good runs alone
    # told at the end of its second epoch, or while it waited after it: it stops after that epoch or the next
    assert "hyperband" in metrics[2]["stopped_early"] and metrics[2]["epochs"] in (2, 3)
    table = stdout[stdout.index("results, best first") :].splitlines()[2:]
    assert table[-1].startswith(records[2].name)  # the hopeless run is listed last


@pytest.mark.slow
def test_random_sweep_runs_in_parallel_on_free_gpus_and_never_repeats(isolated_runs):
    runs_dir = isolated_runs / "runs"
    path = sweep_file(
        isolated_runs,
        "random",
        {
            "train_args.learning_rate": {"distribution": "log_uniform_values", "min": 1e-3, "max": 1e-2},
            "network_args.layer_size": {"values": [16, 32]},
            "train_args.epochs": {"value": 2},
        },
    )
    env = {
        settings.SIMULATED_GPUS_ENV: "2",
        settings.GPU_LOCK_DIR_ENV: str(isolated_runs / "locks"),
        "CUDA_VISIBLE_DEVICES": "0,1",  # whatever the outer environment hides
    }
    command = ("training/offline_sweep.py", str(path), "--count=2", "--parallel=2", "--nowandb")
    result = run_cli(*command, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    entries, records = sweep_records(runs_dir, "tiny_random")
    assert len(entries) == 2 and [status(run)["state"] for run in records] == ["finished"] * 2
    logs = [(runs_dir / "sweeps" / "tiny_random" / "logs" / f"{run.name}.log").read_text() for run in records]
    gpus = {
        line.split("Training on GPU ")[1][0] for log in logs for line in log.splitlines() if "Training on GPU" in line
    }
    assert gpus == {"0", "1"}  # started together, each on its own GPU
    assert all(1e-3 <= entry["params"]["train_args.learning_rate"] <= 1e-2 for entry in entries)

    again = run_cli(*command, env=env)
    assert again.returncode == 0 and "starts" not in again.stdout
    assert sweep_records(runs_dir, "tiny_random")[0] == entries
    assert len(list(runs_dir.glob("tiny_random-*"))) == 2


def test_recorded_history_reaches_the_sweeps_package(isolated_runs, tmp_path):
    """Runs' per-epoch history and summaries get through to sweeps 0.2.0 (only by their aliases), so bayes can fit."""
    path = sweep_file(
        tmp_path, "bayes", {"train_args.learning_rate": {"distribution": "uniform", "min": 0.001, "max": 0.01}}
    )
    config = load_config(path)
    sweep = OfflineSweep(SweepState.open("bayes", config), count=3, parallel=1, run_flags=[])
    for rate, accuracies in ((0.002, "0.1\n1,0.3"), (0.008, "0.2\n1,0.6")):
        entry = sweep.state.add({"train_args.learning_rate": rate})
        record = RunRecord.create({"network": "mlp"}, entry["run_id"])
        record.history_file.write_text(f"epoch,val_accuracy\n0,{accuracies}\n")
        record.set_status("finished")
    runs = sweep.sweep_runs()
    assert [run.metric_history("val_accuracy") for run in runs] == [[0.1, 0.3], [0.2, 0.6]]
    assert [run.summary_metrics["val_accuracy"] for run in runs] == [0.3, 0.6]
    assert [run.state for run in runs] == ["finished", "finished"]
    proposal = sweeps.next_run(config, runs, validate=True)
    assert 0.001 <= proposed_params(proposal)["train_args.learning_rate"] <= 0.01
