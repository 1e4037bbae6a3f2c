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
    true = np.array([0.5, 2.0, -1.0, 0.0, 0.5])
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


def test_a_word_the_language_model_finds_unlikely_is_doubted_more_at_equal_posteriors():
    model = load_language_model(SHIPPED / "lm" / "english_french_chars.npz")
    text = "and tbe house"
    characters = [0.9] * len(text)
    reading = Reading(text, 0.9, list(zip(text, characters, strict=True)), word_confidences(text, characters))
    log_probabilities = model.line_log_probabilities(text)
    assert len(log_probabilities) == len(text) + 1
    assert word_features(reading, log_probabilities).shape == (3, len(FEATURES))
    calibration = WordCalibration({"features": list(FEATURES), "weights": [2.8, 0.7, 0.35, 0.13, 0.8]})
    calibrated = calibration(reading, log_probabilities)
    chances = dict(calibrated.words)
    assert calibrated.text == text and calibrated.characters == reading.characters
    assert 0 < chances["tbe"] < chances["and"] < 1 and chances["tbe"] < chances["house"]
