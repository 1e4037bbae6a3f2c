"""CharacterPredictor: TensorFlow-free on ONNX Runtime, choosing and checking its backend."""

import json

import pytest

from tests.conftest import run_cli
from tests.serving import CHARACTER_CARD, CHARACTERS, inference_weights
from text_recognizer.character_predictor import CharacterPredictor
from text_recognizer.errors import DataError


@pytest.fixture
def card(tmp_path):
    """The shipped character card with its ONNX export only (no .h5)."""
    return inference_weights(tmp_path, [CHARACTER_CARD]) / f"{CHARACTER_CARD}.json"


@pytest.mark.slow
def test_importing_and_predicting_does_not_import_tensorflow(card):
    code = (
        "import sys; from text_recognizer.character_predictor import CharacterPredictor; "
        f"print(CharacterPredictor({str(card)!r}).predict({str(CHARACTERS[0])!r})); "
        "heavy = sorted({'tensorflow', 'keras', 'tf2onnx'} & set(sys.modules)); assert not heavy, heavy"
    )
    result = run_cli("-c", code)
    assert result.returncode == 0, result.stderr


def test_predicts_real_characters(card):
    predictor = CharacterPredictor(card)
    predictions = predictor.predict_batch(CHARACTERS)
    truth = [chr(int(path.name.split("_")[0])) for path in CHARACTERS]
    assert sum(text == expected for (text, _), expected in zip(predictions, truth, strict=True)) >= 0.8 * len(truth)
    assert predictor.predict(CHARACTERS[0]) == pytest.approx(predictions[0])


def test_an_unknown_backend_is_named(card):
    with pytest.raises(DataError, match="Unknown inference backend 'torch'; valid: auto, onnx, tensorflow"):
        CharacterPredictor(card, backend="torch")


def test_the_onnx_backend_without_an_export_says_how_to_make_one(card):
    next(card.parent.glob("*.onnx")).unlink()
    with pytest.raises(DataError, match=r"training/export\.py"):
        CharacterPredictor(card, backend="onnx")


def test_an_export_from_other_weights_is_refused(card):
    stale = json.loads(card.read_text())
    card.write_text(json.dumps({**stale, "run_id": "a-later-run"}))
    with pytest.raises(DataError, match=r"was exported from run .* but the card is from run a-later-run"):
        CharacterPredictor(card)


def test_onnx_runtime_threads_are_set_by_the_environment(card, monkeypatch):
    pooled = CharacterPredictor(card).predict_batch(CHARACTERS)
    monkeypatch.setenv("TEXT_RECOGNIZER_ONNX_THREADS", "1")
    single = CharacterPredictor(card).predict_batch(CHARACTERS)
    assert [text for text, _ in single] == [text for text, _ in pooled]
    assert [confidence for _, confidence in single] == pytest.approx([confidence for _, confidence in pooled])
    monkeypatch.setenv("TEXT_RECOGNIZER_ONNX_THREADS", "two")
    with pytest.raises(DataError, match=r"TEXT_RECOGNIZER_ONNX_THREADS='two': expected a whole number of threads"):
        CharacterPredictor(card)
