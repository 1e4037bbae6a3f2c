"""Data the runner cannot train on is a message, not a traceback or a silent success: caches whose labels fall outside
the mapping or whose inputs and targets differ in length, data links that point nowhere, and a loss that turns NaN."""

import json
import os

import h5py
import numpy as np
import pytest

from tests.conftest import run_cli
from tests.experiment_runs import tiny_config
from tests.snapshots import digests
from text_recognizer import settings
from text_recognizer.datasets import sources
from text_recognizer.datasets.emnist import EmnistDataset, load_cache
from text_recognizer.datasets.emnist_lines import EmnistLinesDataset
from text_recognizer.errors import DataError

MAPPING = ["_", " ", *"abc"]
LINES_ARGS = {"max_length": 4, "num_train": 3, "num_val": 2, "num_test": 2}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty data folder of one's own (raw/ and processed/ below it)."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(folder))
    return folder


def write_lines_cache(dataset: EmnistLinesDataset, labels: dict[str, np.ndarray]) -> None:
    dataset.cache_path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(dataset.cache_path, "w") as file:
        for split, count in (("train", 3), ("val", 2), ("test", 2)):
            file[f"x_{split}"] = np.zeros((count, 28, 28 * 4), np.uint8)
            file[f"y_{split}"] = labels.get(split, np.ones((count, 4), np.uint8))
        file.attrs["mapping"] = MAPPING


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (
            {"val": np.full((2, 4), 200, np.uint8)},
            "its val labels run from 200 to 200, outside the mapping's classes 0 to 4",
        ),
        ({"train": np.ones((5, 4), np.uint8)}, "its train split has 3 inputs but 5 targets"),
        ({"test": np.full((2, 4), -1, np.int16)}, "its test labels run from -1 to -1"),
    ],
)
def test_a_cache_with_bad_labels_is_a_data_error(data_dir, labels, expected):
    dataset = EmnistLinesDataset(**LINES_ARGS)
    write_lines_cache(dataset, labels)
    with pytest.raises(DataError, match="is not a usable cache: " + expected + r".*Delete it to rebuild it"):
        dataset.prepare()
    assert dataset.cache_path.exists()  # reported, not deleted: the user decides


def test_a_cache_that_is_not_hdf5_or_lacks_a_split_is_a_data_error(data_dir):
    dataset = EmnistLinesDataset(**LINES_ARGS)
    write_lines_cache(dataset, {})
    with h5py.File(dataset.cache_path, "a") as file:
        del file["y_test"]
    with pytest.raises(DataError, match="is not a complete cache: it lacks y_test"):
        dataset.prepare()
    dataset.cache_path.write_bytes(b"not hdf5")
    with pytest.raises(DataError, match="is corrupt or truncated"):
        dataset.prepare()


def test_an_emnist_cache_with_labels_outside_its_mapping_is_a_data_error(tmp_path):
    path = tmp_path / "byclass.h5"
    with h5py.File(path, "w") as file:
        file["x_train"], file["y_train"] = np.zeros((4, 28, 28), np.uint8), np.array([0, 1, 2, 62], np.uint8)
        file["x_test"], file["y_test"] = np.zeros((2, 28, 28), np.uint8), np.array([0, 1], np.uint8)
        file.attrs["mapping"] = "0123456789" + "A" * 52
    with pytest.raises(DataError, match="not a usable EMNIST cache: its train labels run from 0 to 62"):
        load_cache(path)


@pytest.mark.slow
def test_the_runner_reports_a_bad_cache_with_exit_1(data_dir, isolated_runs):
    dataset = EmnistLinesDataset(**LINES_ARGS)
    write_lines_cache(dataset, {"val": np.full((2, 4), 99, np.uint8)})
    config = {
        "dataset": "EmnistLinesDataset",
        "dataset_args": LINES_ARGS,
        "model": "LineModel",
        "network": "line_cnn_all_conv",
        "train_args": {"epochs": 1, "batch_size": 2},
    }
    result = run_cli("training/run_experiment.py", json.dumps(config), "--nowandb", "--run-id=badcache")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "its val labels run from 99 to 99" in result.stderr
    status = json.loads((isolated_runs / "runs" / "badcache" / "status.json").read_text())
    assert status["state"] == "failed" and "99" in status["error"]


@pytest.mark.parametrize("link", ["processed", "processed/emnist", "processed/emnist/byclass.h5", "raw"])
def test_a_broken_data_link_is_named_with_where_it_points(data_dir, link):
    target = data_dir.parent / "moved_away"
    (data_dir / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, data_dir / link)
    before = digests(data_dir)
    with pytest.raises(DataError) as caught:
        EmnistDataset().prepare()
    message = str(caught.value)
    assert f"{data_dir / link} is a broken link: it points to {target}, which does not exist" in message
    assert "download" not in message
    assert digests(data_dir) == before


def test_a_relative_broken_link_says_where_it_resolves(data_dir):
    os.symlink("../elsewhere/processed", data_dir / "processed")
    with pytest.raises(
        DataError, match=r"points to \.\./elsewhere/processed \(that is, .*data/\.\./elsewhere/processed\)"
    ):
        sources.existing(data_dir / "processed" / "emnist" / "byclass.h5")
    assert sources.existing(data_dir) and not sources.existing(data_dir / "nothing_here")


@pytest.mark.slow
def test_a_run_whose_loss_becomes_nan_fails_with_exit_1(isolated_runs):
    train_args = {
        "epochs": 2,
        "batch_size": 64,
        "early_stopping_patience": 0,
        "optimizer": "sgd",
        "learning_rate": 1e30,
    }
    config = json.dumps(tiny_config(train_args=train_args))
    result = run_cli(
        "training/run_experiment.py", config, "--nowandb", "--run-id=diverged", env={"WANDB_MODE": "disabled"}
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "error: The training loss became nan at epoch 1" in result.stderr
    run = isolated_runs / "runs" / "diverged"
    status = json.loads((run / "status.json").read_text())
    assert status["state"] == "failed" and "training diverged" in status["error"]
    assert not (run / "metrics.json").exists() and not (run / "best.weights.h5").exists()
    assert json.loads((run / "config.json").read_text())["train_args"]["learning_rate"] == 1e30
