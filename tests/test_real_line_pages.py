"""Pages assembled from real handwritten lines for the line detector: masks, splits, seeds and arguments."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from text_recognizer import settings
from text_recognizer.cards import load_card
from text_recognizer.datasets.line_page_drawing import LineInk, clean_line, core_rows, draw_page, split_at_gap
from text_recognizer.datasets.real_line_pages import RealLinePagesDataset
from text_recognizer.errors import DataError
from text_recognizer.line_detection import line_boxes
from text_recognizer.line_predictor import DEFAULT_CARD as LINE_CARD

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
PATHS = {
    "iam_lines": str(RAW / "real_lines" / "iam_lines"),
    "hooker": str(RAW / "real_lines" / "hooker"),
    "copiste_fr": str(RAW / "real_lines" / "copiste_fr"),
    "names": str(RAW / "handwritten_names"),
}
SMALL = {"num_train": 6, "num_val": 3, "num_test": 3, "size": 128, "max_lines": 6, "paths": PATHS}


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    return tmp_path


def labels_top_down(mask: np.ndarray) -> list[int]:
    """The label (1 or 2) of each line found in a mask, top to bottom."""
    counts = [np.bincount(mask[y0:y1, x0:x1].ravel(), minlength=3) for x0, y0, x1, y1 in line_boxes(mask)]
    return [int(count[1:].argmax() + 1) for count in counts]


def test_pages_have_alternating_line_bands_on_the_ink(data_dir):
    dataset = RealLinePagesDataset(**SMALL).prepare()
    assert dataset.train.x.shape == dataset.train.y.shape == (6, 128, 128) and dataset.output_shape == (128, 128, 3)
    for image, mask in zip(dataset.train.x, dataset.train.y, strict=True):
        assert set(np.unique(mask)) <= {0, 1, 2}
        found = labels_top_down(mask)
        assert 1 <= len(found) <= 6 and found == [1 + i % 2 for i in range(len(found))]
        assert image[mask > 0].mean() > 2 * image[mask == 0].mean()
        near_ink = cv2.dilate((image > 2 * np.median(image) + 30).astype(np.uint8), np.ones((3, 3), np.uint8))
        assert near_ink[mask > 0].mean() > 0.6  # a band lies on writing, not beside it


def test_each_line_drawn_is_one_line_in_the_mask():
    lines = [clean_line(path) for path in sorted((RAW / "real_lines" / "iam_lines" / "images").iterdir())[:8]]
    matches = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        count = int(rng.integers(1, 9))
        _, mask = draw_page(lines[:count], 256, rng)
        matches += len(line_boxes(mask)) == count
    assert matches >= 9  # the dataset draws again the rare page that loses a line when shrunk to the canvas


def test_blank_pages_have_no_lines():
    image, mask = draw_page([], 128, np.random.default_rng(0))
    assert image.shape == mask.shape == (128, 128) and not mask.any()


def test_the_band_is_the_row_run_of_small_letters_and_rules_are_taken_away():
    line = np.full((64, 600), 255, np.uint8)  # dark ink on white, as scanned
    for x in range(20, 560, 40):
        line[24:42, x : x + 25] = 0  # small letters
        line[8:24, x + 10 : x + 13] = 0  # an ascender on each
    line[52:54, :] = 0  # a ruled line under the writing
    ink = clean_line(line)
    assert abs(ink.top - 16) <= 2 and abs(ink.bottom - 34) <= 2  # rows 24-42, less the 8 rows above the ink
    assert ink.ink.shape[0] <= 36  # cropped to the letters: the rule is gone
    assert core_rows(np.zeros((64, 600), np.uint8)) is None


def test_lines_are_cut_in_a_word_gap():
    ink = np.zeros((30, 400), np.uint8)
    ink[10:20, 0:150] = 255
    ink[10:20, 170:400] = 255
    head, rest = split_at_gap(LineInk(ink, 10, 20), 0.5)
    assert head.ink.shape[1] == 150 and rest.ink.shape[1] == 230


def test_pages_of_a_split_come_from_its_writers_only(data_dir):
    lines = RealLinePagesDataset(paths=PATHS).split_lines()
    for corpus in ("iam_lines", "hooker", "copiste_fr"):
        groups = {split: {line.group for group in lines[split][corpus] for line in group} for split in lines}
        assert groups["train"] and groups["val"] and groups["test"]
        assert not groups["train"] & groups["val"] and not groups["train"] & groups["test"]
        assert not groups["val"] & groups["test"]
    held_out = load_card(LINE_CARD)["data"]["split_groups"]["iam_lines"]
    training_writers = {line.group for group in lines["train"]["iam_lines"] for line in group}
    assert not training_writers & (set(held_out["val"]) | set(held_out["test"]))  # the line model's held-out writers


def test_pages_are_reproducible_with_a_seed(data_dir, tmp_path, monkeypatch):
    first = RealLinePagesDataset(**SMALL).prepare()
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "elsewhere"))
    again = RealLinePagesDataset(**SMALL).prepare()
    other = RealLinePagesDataset(**SMALL, seed=7).prepare()
    np.testing.assert_array_equal(first.val.x, again.val.x)
    np.testing.assert_array_equal(first.test.y, again.test.y)
    assert not np.array_equal(first.train.y, other.train.y)
    assert json.dumps(first.card())  # the card is plain JSON


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"corpora": {"iam": 1}}, r"Unknown corpus 'iam'; valid: iam_lines, hooker"),
        ({"corpora": {"hooker": 0}}, r"corpora weights must be positive numbers"),
        ({"blank_fraction": 1.0}, r"blank_fraction must be in \[0, 1\)"),
        ({"num_train": 0}, r"num_train, num_val, num_test and max_lines must be at least 1"),
        ({"size": 32}, r"size at least 64"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(args, message):
    with pytest.raises(DataError, match=message):
        RealLinePagesDataset(**args)


def test_the_shipped_detectors_card_is_the_one_its_arguments_derive():
    data = load_card("LineDetectorModel_RealLinePagesDataset_fcn")["data"]
    assert RealLinePagesDataset(**data["args"], paths=PATHS).card() == data  # paths: where, not what, so not recorded
