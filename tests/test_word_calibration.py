"""Word confidences calibrated on validation words: the logistic fit, the card entry's checks, and calibrated readings
that doubt what the language model finds unlikely."""

import numpy as np
import pytest

from tests.serving import SHIPPED
from text_recognizer.char_lm import load_language_model
from text_recognizer.confidences import Reading, word_confidences
from text_recognizer.errors import DataError
from text_recognizer.word_calibration import FEATURES, WordCalibration, fit_calibration, word_features


def test_the_fit_recovers_the_weights_words_were_drawn_with():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(20000, len(FEATURES)))
    true = np.array([0.5, 2.0, -1.0, 0.0, 0.5, 1.0, -0.5, 0.8])
    correct = (rng.random(len(features)) < 1 / (1 + np.exp(-(true[0] + features @ true[1:])))).astype(float)
    assert np.allclose(fit_calibration(features, correct), true, atol=0.1)


def test_the_fit_needs_words_both_right_and_wrong():
    with pytest.raises(DataError, match="both read right and read wrong"):
        fit_calibration(np.zeros((5, len(FEATURES))), np.ones(5))


@pytest.mark.parametrize(
    "entry",
    [{}, {"features": ["log_confidence"], "weights": [1.0, 2.0]}, {"features": list(FEATURES), "weights": [1.0]}],
)
def test_a_card_entry_that_does_not_fit_the_features_is_refused_with_the_fix(entry):
    with pytest.raises(DataError, match="tune_language_model"):
        WordCalibration(entry)


WEIGHTS = [4.2, 0.35, 0.38, 0.17, 1.07, 1.65, 0.58, 0.9]  # of the order the tuning fits on real validation words


def read_surely(text: str, doubtful_frame: int | None = None) -> tuple[Reading, np.ndarray]:
    """`text` read with every character at 0.9, on frames 1, 3, 5...; the network sure of every frame (0.99) but
    `doubtful_frame` (0.5)."""
    characters = [0.9] * len(text)
    frames = [2 * index + 1 for index in range(len(text))]
    reading = Reading(text, 0.9, list(zip(text, characters, strict=True)), word_confidences(text, characters), frames)
    surest = np.full(2 * len(text) + 1, 0.99)
    if doubtful_frame is not None:
        surest[doubtful_frame] = 0.5
    return reading, np.column_stack([surest, 1 - surest])


@pytest.fixture(scope="module")
def model():
    return load_language_model(SHIPPED / "lm" / "english_french_chars.npz")


def test_a_word_the_language_model_finds_unlikely_is_doubted_more_at_equal_posteriors(model):
    text = "and tbe house"
    reading, probabilities = read_surely(text)
    log_probabilities = model.line_log_probabilities(text)
    assert len(log_probabilities) == len(text) + 1
    assert word_features(reading, log_probabilities, probabilities, model.words).shape == (3, len(FEATURES))
    calibrated = WordCalibration({"features": list(FEATURES), "weights": WEIGHTS})(
        reading, log_probabilities, probabilities, model.words
    )
    chances = dict(calibrated.words)
    assert calibrated.text == text and calibrated.characters == reading.characters
    assert 0 < chances["tbe"] < chances["and"] < 1 and chances["tbe"] < chances["house"]


def test_a_frame_the_network_was_unsure_of_between_a_words_letters_doubts_that_word_alone(model):
    text = "and the house"
    calibration = WordCalibration({"features": list(FEATURES), "weights": WEIGHTS})
    log_probabilities = model.line_log_probabilities(text)
    reading, probabilities = read_surely(text)
    sure = dict(calibration(reading, log_probabilities, probabilities, model.words).words)
    # frame 10 lies between "t" (frame 9) and "h" (frame 11): a letter the network half saw there was dropped
    reading, probabilities = read_surely(text, doubtful_frame=10)
    doubted = dict(calibration(reading, log_probabilities, probabilities, model.words).words)
    assert 1 - doubted["the"] > 2 * (1 - sure["the"])  # at least twice as likely wrong
    assert doubted["and"] == pytest.approx(sure["and"]) and doubted["house"] == pytest.approx(sure["house"])


def test_calibrating_a_reading_without_its_frames_says_which_decoder_records_them(model):
    reading, probabilities = read_surely("and the")
    bare = Reading(reading.text, reading.confidence, reading.characters, reading.words)
    with pytest.raises(DataError, match="decoder 'lm'"):
        word_features(bare, model.line_log_probabilities(bare.text), probabilities, model.words)


def test_a_word_the_language_models_text_never_held_is_marked_unknown(model):
    text = "The house, 1979 hcuse"
    reading, probabilities = read_surely(text)
    features = word_features(reading, model.line_log_probabilities(text), probabilities, model.words)
    assert features[:, FEATURES.index("known_word")].tolist() == [1.0, 1.0, 0.0, 0.0]  # case and commas ignored


def test_a_language_model_without_its_words_cannot_calibrate_and_says_how_to_rebuild_it(model):
    reading, probabilities = read_surely("and the")
    with pytest.raises(DataError, match="build_language_model"):
        word_features(reading, model.line_log_probabilities(reading.text), probabilities, None)
