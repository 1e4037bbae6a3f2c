"""LinePredictor with the shipped EMNIST line models, on lines of held-apart glyphs and real IAM lines (the default,
real-handwriting model: tests/test_handwriting_predictor.py)."""

import csv

import cv2
import numpy as np
import pytest

from tests.conftest import SUPPORT
from text_recognizer.line_predictor import LinePredictor
from text_recognizer.metrics import character_error_rate

LINES = SUPPORT / "lines"
CNN_CARD = "LineModel_EmnistLinesDataset_line_cnn_all_conv"
CTC_CARD = "LineModelCtc_EmnistLinesDataset_line_crnn"
IAM_LINES = sorted((SUPPORT.parents[1] / "data" / "raw" / "iam" / "lines_sample").glob("*.png"))


def support_lines() -> tuple[list, list[str]]:
    with open(LINES / "labels.csv") as file:
        rows = list(csv.DictReader(file))
    return [LINES / row["filename"] for row in rows], [row["text"] for row in rows]


@pytest.fixture(scope="module")
def predictor() -> LinePredictor:
    return LinePredictor(CTC_CARD)


def test_reads_lines_of_held_apart_glyphs(predictor):
    paths, references = support_lines()
    predictions = [text for text, _ in predictor.predict_batch(paths)]
    assert character_error_rate(predictions, references) < 0.2, list(zip(predictions, references, strict=True))


def test_beam_search_reads_them_at_least_as_well():
    paths, references = support_lines()
    greedy = [text for text, _ in LinePredictor(CTC_CARD).predict_batch(paths)]
    beam = [text for text, _ in LinePredictor(CTC_CARD, beam_width=8).predict_batch(paths)]
    assert character_error_rate(beam, references) <= character_error_rate(greedy, references) + 0.02


def test_polarity_colour_and_scale_do_not_change_the_reading(predictor):
    image = cv2.imread(str(LINES / "line_00.png"), cv2.IMREAD_GRAYSCALE)
    text, _ = predictor.predict(image)
    scanned = cv2.cvtColor(255 - cv2.resize(image, None, fx=2.5, fy=2.5), cv2.COLOR_GRAY2BGR)
    padded = np.pad(image, ((30, 30), (50, 400)))
    assert predictor.predict(scanned)[0] == text
    assert predictor.predict(padded)[0] == text


def test_any_width_and_a_blank_image(predictor):
    very_wide = np.tile(cv2.imread(str(LINES / "line_00.png"), cv2.IMREAD_GRAYSCALE), (1, 6))
    results = predictor.predict_batch([very_wide, np.zeros((40, 10), np.uint8), np.full((60, 700), 255, np.uint8)])
    assert isinstance(results[0][0], str) and results[0][0]
    assert [text for text, _ in results[1:]] == ["", ""]


def test_real_iam_lines_are_read_without_crashing(predictor):
    assert len(IAM_LINES) == 3, "run `make data` to link ../shared/data/iam/lines_sample"
    for text, confidence in predictor.predict_batch(IAM_LINES):
        assert isinstance(text, str) and 0.0 <= confidence <= 1.0


def test_the_cnn_line_model_reads_non_overlapping_lines():
    """The fixed-slot CNN reads one glyph per 28-pixel slot, so it is checked on lines drawn that way."""
    from text_recognizer.datasets.emnist_lines import EmnistLinesDataset

    lines = EmnistLinesDataset(max_overlap=0.0, num_train=1, num_val=1, num_test=20, seed=7).prepare()
    references = ["".join(lines.mapping[label] for label in row if label) for row in lines.test.y]
    predictions = [text for text, _ in LinePredictor(CNN_CARD).predict_batch(list(lines.test.x))]
    assert character_error_rate(predictions, references) < 0.3
