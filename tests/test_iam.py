"""IAM: the parsers against the real ground-truth files, the writer-independent splits, missing-data messages, and
IamLinesDataset on the three real line images laid out (and archived) as the official distribution has them."""

import json
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest

from text_recognizer.datasets.iam import IamDataset
from text_recognizer.datasets.iam_lines import IamLinesDataset
from text_recognizer.errors import DataError
from training import create_lmdb

IAM_RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "iam"
SAMPLE_IDS = ("a01-000u-00", "a01-007-04", "a01-007-06")


@pytest.fixture(scope="module")
def iam() -> IamDataset:
    """IAM's real ascii/ ground truth; `make data` links it from ../shared/data."""
    if not (IAM_RAW / "ascii" / "lines.txt").exists():
        pytest.fail(f"{IAM_RAW / 'ascii'} is missing: run `make data` (links ../shared/data).")
    return IamDataset(IAM_RAW)


def official_layout(root: Path, rows: str, lists: dict[str, str] | None = None) -> Path:
    """A data/raw/iam-like folder: real forms.txt, the given lines.txt rows, and optional RWTH list files."""
    (root / "ascii").mkdir(parents=True)
    shutil.copy(IAM_RAW / "ascii" / "forms.txt", root / "ascii" / "forms.txt")
    (root / "ascii" / "lines.txt").write_text(rows)
    for name, ids in (lists or {}).items():
        (root / name).write_text(ids)
    return root


def sample_rows() -> str:
    return (IAM_RAW / "lines_sample" / "lines.txt").read_text()


def write_lines_archive(path: Path) -> None:
    """lines.tgz as IAM ships it: a01/a01-000u/a01-000u-00.png, ..."""
    with tarfile.open(path, "w:gz") as tar:
        for line_id in SAMPLE_IDS:
            form = line_id.rsplit("-", 1)[0]
            tar.add(IAM_RAW / "lines_sample" / f"{line_id}.png", f"{form[:3]}/{form}/{line_id}.png")


RWTH_ONE_EACH = {
    "trainset.txt": "a01-000u-00\n",
    "validationset1.txt": "a01-007-04\n",
    "validationset2.txt": "",
    "testset.txt": "a01-007-06\n",
}


def test_lines_and_forms_are_parsed_from_the_real_files(iam):
    lines = iam.lines
    assert len(lines) == 13353
    assert sum(line.ok for line in lines) == 11344
    first = lines[0]
    assert (first.id, first.form, first.ok, first.graylevel, first.box) == (
        "a01-000u-00",
        "a01-000u",
        True,
        154,
        (408, 746, 1661, 89),
    )
    assert first.text == "A MOVE to stop Mr. Gaitskell from"
    assert len(iam.writers) == 1539
    assert len(set(iam.writers.values())) == 657


def test_rebuilt_texts_equal_the_paragraph_ground_truth(iam):
    truth = json.loads((IAM_RAW / "paragraphs_sample" / "data_by_file_id.json").read_text())
    for form, entry in truth.items():
        assert "\n".join(line.text for line in iam.lines if line.form == form) == entry["ground_truth_text"], form


def test_writer_split_is_writer_independent_and_sized_by_the_fractions(iam):
    split = iam.split()
    assert sum(len(lines) for lines in split.values()) == 13353
    writers = {name: {iam.writers[line.form] for line in lines} for name, lines in split.items()}
    assert not (
        writers["train"] & writers["val"] or writers["train"] & writers["test"] or writers["val"] & writers["test"]
    )
    for name in ("val", "test"):
        assert 0.1 <= len(split[name]) / 13353 < 0.13
    assert iam.split_name == "by-writer(val=0.1, test=0.1, seed=42)"
    other_seed = IamDataset(IAM_RAW, seed=7).split()
    assert {line.id for line in other_seed["test"]} != {line.id for line in split["test"]}


def test_rwth_lists_decide_the_split_when_present(tmp_path):
    lists = {**RWTH_ONE_EACH, "validationset2.txt": "a01-003\n"}  # a form id stands for all its lines
    root = official_layout(tmp_path / "iam", (IAM_RAW / "ascii" / "lines.txt").read_text(), lists)
    iam = IamDataset(root)
    split = iam.split()
    assert [line.id for line in split["train"]] == ["a01-000u-00"]
    assert [line.id for line in split["test"]] == ["a01-007-06"]
    assert [line.id for line in split["val"]][:2] == ["a01-003-00", "a01-003-01"]
    assert len(split["val"]) == 1 + sum(line.form == "a01-003" for line in iam.lines)
    assert iam.split_name == "rwth-writer-independent-lines"


def test_an_incomplete_set_of_rwth_lists_is_refused(tmp_path):
    root = official_layout(tmp_path / "iam", sample_rows(), {"trainset.txt": "a01-000u-00\n"})
    with pytest.raises(DataError, match=r"validationset1\.txt, validationset2\.txt, testset\.txt missing"):
        IamDataset(root).split()


def test_missing_archives_are_named_with_where_to_put_them(tmp_path):
    with pytest.raises(DataError) as nothing_there:
        IamLinesDataset(root=str(tmp_path)).prepare()
    message = str(nothing_there.value)
    assert f"ascii.tgz, lines.tgz not found in {tmp_path}." in message and "registration" in message
    assert "fki.tic.heia-fr.ch" in message and "(ascii/, lines/)" in message
    official_layout(tmp_path, sample_rows())
    with pytest.raises(DataError, match=r"IAM data is missing: lines\.tgz not found"):
        IamLinesDataset(root=str(tmp_path)).prepare()


def test_a_partly_extracted_lines_folder_is_reported_with_counts(tmp_path):
    root = official_layout(tmp_path / "iam", (IAM_RAW / "ascii" / "lines.txt").read_text())
    (root / "lines" / "a01" / "a01-000u").mkdir(parents=True)
    shutil.copy(IAM_RAW / "lines_sample" / "a01-000u-00.png", root / "lines" / "a01" / "a01-000u")
    with pytest.raises(DataError, match=r"13,352 of 13,353 images are missing .* extract all of lines.tgz"):
        IamLinesDataset(root=str(root)).prepare()


def test_lines_archive_is_extracted_and_read_in_the_line_models_format(tmp_path):
    root = official_layout(tmp_path / "iam", sample_rows(), RWTH_ONE_EACH)
    write_lines_archive(root / "lines.tgz")
    dataset = IamLinesDataset(root=str(root), max_length=50).prepare()
    assert (root / "lines" / "a01" / "a01-007" / "a01-007-04.png").is_file()
    assert dataset.train.x.shape == (1, 28, 952) and dataset.train.x.dtype == np.uint8
    assert dataset.train.y.shape == (1, 50)
    decoded = "".join(dataset.mapping[i] for i in dataset.test.y[0] if i)
    assert decoded == "Parties of Northern Rhodesia have agreed to"
    assert dataset.train.x[0, :, :20].max() > 128  # ink, left-aligned
    assert dataset.card()["split"] == "rwth-writer-independent-lines"


def test_lines_longer_than_max_length_are_left_out_and_counted(tmp_path):
    root = official_layout(tmp_path / "iam", sample_rows(), RWTH_ONE_EACH)
    write_lines_archive(root / "lines.tgz")
    with pytest.raises(DataError, match=r"split\(s\) val, test .*: 3 rows, 1 usable; 2 labels longer than max_length"):
        IamLinesDataset(root=str(root), max_length=34).prepare()


def test_fast_reading_from_lmdb_gives_the_same_arrays(tmp_path):
    root = official_layout(tmp_path / "iam", sample_rows(), RWTH_ONE_EACH)
    write_lines_archive(root / "lines.tgz")
    from_files = IamLinesDataset(root=str(root)).prepare()
    with pytest.raises(DataError, match=r"create_lmdb\.py --data_dir"):
        IamLinesDataset(root=str(root), fast=True).prepare()
    assert create_lmdb.main(["--data_dir", str(root)]) == 0
    from_store = IamLinesDataset(root=str(root), fast=True).prepare()
    for split in ("train", "val", "test"):
        np.testing.assert_array_equal(getattr(from_store, split).x, getattr(from_files, split).x)
