"""LinesFolderDataset: labels files (CSV, IAM lines.txt), the validation report, splits, the shared line mapping, and
the augmentation settings and ops."""

import csv
import json
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from tests.conftest import copied_into, run_cli
from text_recognizer.datasets.emnist_lines import line_mapping
from text_recognizer.datasets.line_augmentation import augment_lines, augmentation_settings
from text_recognizer.datasets.lines_folder import LinesFolderDataset
from text_recognizer.datasets.real_lines import LINE_MAPPING
from text_recognizer.errors import DataError

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
NAMES = RAW / "handwritten_names" / "validation_v2"


@pytest.fixture
def names_folder(tmp_path) -> Path:
    """Twelve real handwritten-name images, copied into a folder of one's own."""
    if not NAMES.is_dir():
        pytest.fail(f"{NAMES} is missing: run `make data` (links ../shared/data).")
    return copied_into(tmp_path / "my_lines", [NAMES / f"VALIDATION_{number:04d}.jpg" for number in range(1, 13)])


def write_csv(folder: Path, rows: list[str], header: str = "filename,text") -> Path:
    path = folder / "labels.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def good_rows(count: int) -> list[str]:
    return [f"VALIDATION_{number:04d}.jpg,NAME {number}" for number in range(1, count + 1)]


def test_problems_are_reported_with_counts_and_skipped(names_folder):
    bad = [
        "missing_1.png,HELLO",
        "missing_2.png,WORLD",
        "VALIDATION_0009.jpg,",
        "VALIDATION_0010.jpg,ÉLODIE_B",
        "VALIDATION_0011.jpg,ZOË",
        f"VALIDATION_0012.jpg,{'X' * 35}",
    ]
    write_csv(names_folder, good_rows(8) + bad)
    dataset = LinesFolderDataset(path=str(names_folder), validation_fraction=0.25, test_fraction=0.25).prepare()
    report = dataset.report
    assert (report.rows, report.kept) == (14, 8)
    assert report.problems == {
        "missing image files": 2,
        "empty labels": 1,
        "labels with characters outside the mapping": 2,
        "labels longer than max_length=34": 1,
    }
    assert report.unknown_characters == {"É": 1, "_": 1, "Ë": 1}
    assert "14 rows, 8 usable; 2 missing image files (e.g. missing_1.png)" in str(report)
    assert len(dataset.train) + len(dataset.val) + len(dataset.test) == 8
    assert (len(dataset.val), len(dataset.test)) == (2, 2)


def test_reject_refuses_a_labels_file_with_problems(names_folder):
    write_csv(names_folder, [*good_rows(6), "missing.png,HELLO"])
    with pytest.raises(DataError, match=r"7 rows, 6 usable; 1 missing image files .* pass on_error: skip"):
        LinesFolderDataset(path=str(names_folder), on_error="reject").prepare()
    with pytest.raises(DataError, match="on_error must be one of skip, reject"):
        LinesFolderDataset(path=str(names_folder), on_error="ignore")


def test_a_split_column_decides_the_split_and_labels_are_encoded(names_folder):
    rows = [f"{row},{split}" for row, split in zip(good_rows(6), ["train"] * 4 + ["val", "test"], strict=True)]
    write_csv(names_folder, rows, header="FILENAME,TEXT,split")
    dataset = LinesFolderDataset(path=str(names_folder)).prepare()
    assert (len(dataset.train), len(dataset.val), len(dataset.test)) == (4, 1, 1)
    assert dataset.train.x.shape == (4, 28, 952) and dataset.train.y.shape == (4, 34)
    assert "".join(dataset.mapping[i] for i in dataset.test.y[0] if i) == "NAME 6"
    assert dataset.test.x[0].max() > 128 and dataset.test.x[0, :, 600:].max() == 0  # ink, left-aligned


def test_iam_lines_txt_labels_are_read(tmp_path):
    folder = tmp_path / "iam_lines"
    shutil.copytree(RAW / "iam" / "lines_sample", folder)
    dataset = LinesFolderDataset(path=str(folder), max_length=50, validation_fraction=0.34, test_fraction=0.33)
    dataset.prepare()
    texts = [
        "".join(dataset.mapping[i] for i in split.y[0] if i) for split in (dataset.train, dataset.val, dataset.test)
    ]
    assert sorted(texts)[0] == "A MOVE to stop Mr. Gaitskell from"
    assert dataset.report.kept == 3


def test_missing_folder_or_labels_file_is_a_clear_message(tmp_path):
    with pytest.raises(DataError, match="is not a folder of line images"):
        LinesFolderDataset(path=str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match=r"No labels file: looked for .*labels\.csv, .*lines\.txt"):
        LinesFolderDataset(path=str(tmp_path))


def test_line_mapping_is_the_line_models_mapping(emnist_cache):
    with h5py.File(emnist_cache, "r") as file:
        assert line_mapping(list(str(file.attrs["mapping"]))) == LINE_MAPPING


def test_augmentation_settings_are_checked():
    assert augmentation_settings(None) is None
    assert augmentation_settings({"blur": 0})["blur"] == 0 and augmentation_settings({})["shear"] == 0.3
    with pytest.raises(DataError, match="Unknown augmentation setting 'elastic'"):
        augmentation_settings({"elastic": 1})
    with pytest.raises(DataError, match="'morphology' must be a number from 0 to 1"):
        augmentation_settings({"morphology": 2})


def test_augmentation_distorts_a_batch_and_switches_off_with_zeros():
    images = np.zeros((8, 28, 200), np.uint8)
    images[:, 8:20, 10:150] = 200
    augmented = augment_lines(images, augmentation_settings({})).numpy()
    assert augmented.shape == images.shape and augmented.dtype == np.float32
    assert augmented.min() >= 0 and augmented.max() <= 255
    assert np.abs(augmented - images).mean() > 1  # something changed
    assert (augmented[:, :, 170:] == 0).all()  # small distortions: the line stays where it was
    off = augmentation_settings(dict.fromkeys(augmentation_settings({}), 0))
    np.testing.assert_allclose(augment_lines(images, off).numpy(), images, atol=1e-3)


@pytest.mark.slow
def test_fine_tuning_starts_from_a_cards_weights_and_refuses_another_network(names_folder, isolated_runs):
    splits = ["train"] * 6 + ["val", "test"]
    write_csv(names_folder, [f"{row},{split}" for row, split in zip(good_rows(8), splits, strict=True)], "f,t,split")
    config = {
        "dataset": "LinesFolderDataset",
        "dataset_args": {"path": str(names_folder)},
        "model": "LineModelCtc",
        "network": "line_crnn",
        "network_args": {"width": 8, "lstm_dim": 16},
        "train_args": {"batch_size": 4, "epochs": 2, "learning_rate": 0.01, "lr_schedule": "constant"},
    }
    first = run_cli("training/run_experiment.py", json.dumps(config), "--save", "--nowandb")
    assert first.returncode == 0, first.stderr
    card = next((isolated_runs / "weights").glob("*.json"))
    first_run_id = json.loads(card.read_text())["run_id"]
    tuned = run_cli("training/run_experiment.py", json.dumps({**config, "init_from": str(card)}), "--save", "--nowandb")
    assert tuned.returncode == 0, tuned.stderr
    assert f"Initialised the network from {card}" in tuned.stdout + tuned.stderr
    assert "Skipping variable loading" not in tuned.stderr  # loaded before compiling: no optimizer to mismatch
    tuned_card = json.loads(card.read_text())  # --save replaced the card it started from ...
    assert tuned_card["run_id"] != first_run_id
    assert tuned_card["parent"]["run_id"] == first_run_id  # ... and keeps the lineage
    first_loss, tuned_loss = (float(history(run)[0]["loss"]) for run in sorted((isolated_runs / "runs").iterdir()))
    assert tuned_loss < first_loss  # it went on from where the first run stopped
    other = {**config, "network": "line_lstm_ctc", "network_args": {}, "init_from": str(card)}
    refused = run_cli("training/run_experiment.py", json.dumps(other), "--nowandb")
    assert refused.returncode == 2
    assert "was trained with network 'line_crnn'; this run has 'line_lstm_ctc'" in refused.stderr


def history(run: Path) -> list[dict]:
    with open(run / "history.csv") as file:
        return list(csv.DictReader(file))
