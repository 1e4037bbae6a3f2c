"""Paragraph datasets for the line detector: synthetic paragraphs and IAM paragraphs cut from (stand-in) forms."""

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.test_iam import IAM_RAW
from text_recognizer import settings
from text_recognizer.datasets.iam_paragraphs import IamParagraphsDataset
from text_recognizer.datasets.iam_text import parse_lines
from text_recognizer.datasets.synthetic_paragraphs import SyntheticParagraphsDataset
from text_recognizer.errors import DataError
from text_recognizer.line_detection import line_boxes

REPO = Path(__file__).resolve().parents[1]
FORMS = {"a01-000u": "trainset.txt", "a01-000x": "validationset1.txt", "a01-003": "testset.txt"}


@pytest.fixture
def data_dir(tmp_path, monkeypatch, emnist_cache) -> Path:
    """An empty data folder that sees the real EMNIST cache and Brown corpus (linked, with its sentences if cached)."""
    for part in ("processed/emnist/byclass.h5", "raw/brown/brown.zip", "processed/brown/sentences.txt"):
        if not (REPO / "data" / part).exists():
            continue
        (tmp_path / part).parent.mkdir(parents=True)
        (tmp_path / part).symlink_to((REPO / "data" / part).resolve())
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    return tmp_path


def test_synthetic_paragraphs_have_masks_of_alternating_lines(data_dir):
    dataset = SyntheticParagraphsDataset(num_train=6, num_val=2, num_test=2, size=128, max_lines=6).prepare()
    assert dataset.train.x.shape == (6, 128, 128) and dataset.train.y.shape == (6, 128, 128)
    assert dataset.output_shape == (128, 128, 3) and dataset.mapping == ["background", "odd line", "even line"]
    for image, mask in zip(dataset.train.x, dataset.train.y, strict=True):
        assert set(np.unique(mask)) <= {0, 1, 2} and image[mask > 0].mean() > image[mask == 0].mean()
        boxes = line_boxes(mask)
        assert 1 <= len(boxes) <= 6
        labels = [np.bincount(mask[y0:y1, x0:x1].ravel(), minlength=3)[1:].argmax() + 1 for x0, y0, x1, y1 in boxes]
        assert labels == [1 + i % 2 for i in range(len(boxes))]  # odd, even, odd, ... from the top
    modified = dataset.cache_path.stat().st_mtime_ns
    again = SyntheticParagraphsDataset(num_train=6, num_val=2, num_test=2, size=128, max_lines=6).prepare()
    assert dataset.cache_path.stat().st_mtime_ns == modified  # read from the cache, not drawn again
    np.testing.assert_array_equal(again.test.y, dataset.test.y)


def stand_in_forms(root: Path) -> dict[str, int]:
    """Dark-on-light 'forms' with a bar of ink in each line box of three real forms; RWTH lists by form id."""
    (root / "ascii").mkdir(parents=True)
    shutil.copy(IAM_RAW / "ascii" / "forms.txt", root / "ascii")
    lines = [line for line in parse_lines(IAM_RAW / "ascii" / "lines.txt") if line.form in FORMS]
    rows = [r for r in (IAM_RAW / "ascii" / "lines.txt").read_text().splitlines() if r[:8].rstrip("-") in FORMS]
    (root / "ascii" / "lines.txt").write_text("\n".join(rows) + "\n")
    (root / "forms").mkdir()
    for form, list_name in FORMS.items():
        page = np.full((3542, 2479), 255, np.uint8)
        for line in (line for line in lines if line.form == form):
            x, y, w, h = line.box
            page[y + h // 4 : y + 3 * h // 4, x : x + w] = 30
        cv2.imwrite(str(root / "forms" / f"{form}.png"), page)
        (root / list_name).write_text(form + "\n")
    (root / "validationset2.txt").write_text("")
    return {form: sum(line.form == form for line in lines) for form in FORMS}


def test_iam_paragraphs_are_cut_from_forms_with_one_mask_band_per_line(data_dir, tmp_path):
    counts = stand_in_forms(tmp_path / "iam")
    dataset = IamParagraphsDataset(root=str(tmp_path / "iam"), size=256).prepare()
    for split, form in zip(("train", "val", "test"), FORMS, strict=True):
        image, mask = getattr(dataset, split).x[0], getattr(dataset, split).y[0]
        assert len(line_boxes(mask)) == counts[form], form
        assert image[mask > 0].mean() > 150 > image[mask == 0].mean()  # inverted: light ink where the lines are
    assert dataset.card()["split"] == "rwth-writer-independent-lines"


def test_iam_paragraphs_name_the_missing_forms_archives(data_dir, tmp_path):
    root = tmp_path / "iam"
    (root / "ascii").mkdir(parents=True)
    shutil.copy(IAM_RAW / "ascii" / "forms.txt", root / "ascii")
    shutil.copy(IAM_RAW / "ascii" / "lines.txt", root / "ascii")
    with pytest.raises(DataError, match=r"formsA-D\.tgz, formsE-H\.tgz, formsI-Z\.tgz not found"):
        IamParagraphsDataset(root=str(root)).prepare()


def test_a_missing_form_image_names_its_archive(data_dir, tmp_path):
    stand_in_forms(tmp_path / "iam")
    (tmp_path / "iam" / "forms" / "a01-003.png").unlink()
    with pytest.raises(DataError, match=r"1 of 3 images are missing .*a01-003\.png\): extract all of formsA-D\.tgz"):
        IamParagraphsDataset(root=str(tmp_path / "iam")).prepare()
