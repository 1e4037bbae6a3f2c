"""Line detection: mask -> boxes -> crops (TF-free) on hand-made masks, and the shipped detector on the four real IAM
paragraphs, which it must split into exactly their 10, 9, 5 and 8 lines."""

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import run_cli
from text_recognizer.line_detection import crop_boxes, crop_lines, fit_to_canvas, line_boxes

PARAGRAPHS = Path(__file__).resolve().parents[1] / "data" / "raw" / "iam" / "paragraphs_sample"


def bands(*rows: tuple[int, int, int, int, int]) -> np.ndarray:
    """A 100 x 200 label map with filled rectangles (x0, y0, x1, y1, label)."""
    mask = np.zeros((100, 200), np.uint8)
    for x0, y0, x1, y1, label in rows:
        mask[y0:y1, x0:x1] = label
    return mask


def test_alternating_bands_are_lines_top_to_bottom():
    mask = bands((10, 60, 150, 70, 1), (10, 10, 190, 20, 1), (10, 35, 180, 45, 2))
    assert line_boxes(mask) == [(10, 10, 190, 20), (10, 35, 180, 45), (10, 60, 150, 70)]


def test_touching_lines_stay_apart_by_their_labels():
    assert len(line_boxes(bands((0, 10, 200, 20, 1), (0, 20, 200, 30, 2), (0, 30, 200, 40, 1)))) == 3


def test_pieces_on_the_same_rows_are_one_line():
    broken = bands((10, 10, 60, 20, 1), (80, 11, 190, 21, 1))  # a gap between words
    flipped = bands((10, 40, 100, 50, 1), (100, 41, 190, 51, 2))  # the label changes halfway
    assert line_boxes(broken) == [(10, 10, 190, 21)]
    assert line_boxes(flipped) == [(10, 40, 190, 51)]


def test_specks_and_empty_maps_give_no_lines():
    assert line_boxes(np.zeros((50, 50), np.uint8)) == []
    assert line_boxes(bands((10, 10, 190, 20, 1), (100, 50, 102, 52, 2), (5, 80, 8, 82, 1))) == [(10, 10, 190, 20)]


def test_crops_reach_halfway_to_the_neighbours_and_scale_back_to_the_page():
    boxes = [(10, 10, 190, 20), (10, 40, 190, 50)]
    crops = crop_boxes(boxes, scale=0.5, page_shape=(120, 400))
    assert crops[0] == (10, 0, 390, 60)  # above the first line: one band height; half a band to each side
    assert crops[1] == (10, 60, 390, 120)  # from halfway between the lines; below: one band height


def test_crops_keep_the_lines_strokes_and_drop_the_neighbours():
    page = np.zeros((120, 400), np.uint8)
    page[40:52, 20:300] = 200  # the line's writing, on its band (rows 40-50)
    page[30:34, 100:104] = 200  # an i-dot just above it
    page[10:14, 200:204] = 200  # a speck well above it
    page[62:70, 50:60] = 200  # a stroke reaching up from the line below
    crop = crop_lines(page, [(0, 0, 400, 80)], [(20, 40, 300, 50)])[0]
    assert crop.shape == (80, 400)
    assert crop[45, 150] == 255 and crop[32, 102] == 255  # contrast-stretched ink stays
    assert crop[12, 202] == 0 and crop[66, 55] == 0


def test_pages_are_fitted_light_on_dark_to_the_canvas():
    page = np.full((100, 400), 255, np.uint8)
    page[40:60, 50:350] = 0  # dark ink on white paper
    canvas, scale = fit_to_canvas(page, (64, 64))
    assert scale == 64 / 400 and canvas.shape == (64, 64)
    assert canvas[:16].max() > 200 and canvas[16:].max() == 0  # inverted, top-left, the rest black


@pytest.fixture(scope="module")
def detector():
    from text_recognizer.line_detector import LineDetector

    return LineDetector()


def test_the_default_detector_learned_from_pages_of_real_lines(detector):
    assert detector.card["dataset"] == "RealLinePagesDataset"
    assert detector.card["data"]["args"]["corpora"] == {"iam_lines": 2, "hooker": 1, "copiste_fr": 1}


@pytest.mark.parametrize("page", ["a01-077", "a01-087", "a01-107", "a02-046"])
def test_shipped_detector_finds_every_line_of_real_paragraphs(detector, page):
    truth = json.loads((PARAGRAPHS / "data_by_file_id.json").read_text())[page]["ground_truth_text"]
    image = cv2.imread(str(PARAGRAPHS / f"{page}.png"), cv2.IMREAD_GRAYSCALE)
    boxes = detector.detect(image)
    assert len(boxes) == len(truth.split("\n"))
    centres = [(y0 + y1) / 2 for _, y0, _, y1 in boxes]
    assert centres == sorted(centres) and all(0 <= y0 < y1 <= image.shape[0] for _, y0, _, y1 in boxes)


def test_paragraph_recognition_needs_neither_models_nor_training_nor_tensorflow_to_import():
    code = (
        "import sys; import text_recognizer.paragraph_text_recognizer; "
        "heavy = ('text_recognizer.models', 'training', 'tensorflow', 'keras'); "
        "bad = [m for m in sys.modules if m.startswith(heavy)]; "
        "assert not bad, bad"
    )
    done = run_cli("-c", code)
    assert done.returncode == 0, done.stderr
