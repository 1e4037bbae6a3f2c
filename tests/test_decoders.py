"""Choosing the decoder (greedy, beam, lm) in LinePredictor, ParagraphTextRecognizer, the CLI and the API, and the
per-character and per-word confidences in their results; served from ONNX with a small language model in the card."""

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, SUPPORT, run_cli
from tests.serving import SHIPPED
from tests.test_api_limits import AppClient
from text_recognizer import settings
from text_recognizer.cards import load_card
from text_recognizer.char_lm import load_language_model, train_language_model
from text_recognizer.datasets.lm_text import brown_pieces
from text_recognizer.errors import DataError
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from text_recognizer.metrics import character_error_rate
from text_recognizer.runtime import onnx_file
from text_recognizer.settings import data_dir
from text_recognizer.word_calibration import FEATURES, WordCalibration

CTC_CARD = "LineModelCtc_EmnistLinesDataset_line_crnn"
LINES = SUPPORT / "lines"
LETTERS = re.compile(r"[^\W\d_]+")  # the words a lexicon names: runs of letters
LANGUAGE_MODEL = {"file": "lm/brown.npz", "lm_weight": 0.5, "bonus": 1.0, "beam_width": 8}


def support_lines() -> tuple[list[Path], list[str]]:
    with open(LINES / "labels.csv") as file:
        rows = list(csv.DictReader(file))
    return [LINES / row["filename"] for row in rows], [row["text"] for row in rows]


def serving_folder(folder: Path, language_model: dict | None) -> Path:
    """The EMNIST CTC line model served as the default line card (ONNX only), its card naming `language_model`."""
    folder.mkdir(parents=True, exist_ok=True)
    card = json.loads((SHIPPED / f"{CTC_CARD}.json").read_text())
    if language_model:
        card["language_model"] = language_model
    shutil.copy(onnx_file(load_card(CTC_CARD)), folder)
    for name in {CTC_CARD, DEFAULT_CARD}:
        (folder / f"{name}.json").write_text(json.dumps(card))
    return folder


def own_processed_data(tmp_path: Path) -> dict[str, str]:
    """An environment whose data folder reads the real corpora but caches network outputs in `tmp_path`, so that tuning
    on a few lines leaves the developer's caches of whole validation sets alone."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw").symlink_to(data_dir().resolve() / "raw")
    return {settings.DATA_DIR_ENV: str(tmp_path / "data")}


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> Path:
    folder = serving_folder(tmp_path_factory.mktemp("weights"), LANGUAGE_MODEL)
    train_language_model(brown_pieces()[:40000], 5, {4: 2}).save(folder / LANGUAGE_MODEL["file"])
    return folder


@pytest.fixture(scope="module")
def bare_weights(tmp_path_factory) -> Path:
    return serving_folder(tmp_path_factory.mktemp("bare"), None)


def test_each_decoder_reads_the_lines_with_character_and_word_confidences(weights):
    paths, references = support_lines()
    card = weights / f"{CTC_CARD}.json"
    results = {name: LinePredictor(card, decoder=name).predict_batch(paths) for name in ("greedy", "beam", "lm")}
    cer = {name: character_error_rate([text for text, _ in read], references) for name, read in results.items()}
    assert cer["lm"] <= cer["greedy"] + 0.02 and cer["greedy"] < 0.2
    for read in results.values():
        for result in read:
            assert 0 < result.confidence <= 1
            assert "".join(char for char, _ in result.characters) == result.text
            assert [word for word, _ in result.words] == result.text.split()
            assert all(0 <= value <= 1 for _, value in result.characters + result.words)
    assert LinePredictor(card).predict_batch(paths) == results["greedy"]
    assert LinePredictor(card, beam_width=8).decode.name == "beam"
    per_call = LinePredictor(card).predict_batch(paths, decoder="lm")
    assert [r.text for r in per_call] == [r.text for r in results["lm"]]


def test_a_card_with_a_word_calibration_gives_each_word_its_calibrated_chance(weights):
    paths, _ = support_lines()
    card = json.loads((weights / f"{CTC_CARD}.json").read_text())
    entry = {"features": list(FEATURES), "weights": [4.2, 0.35, 0.38, 0.17, 1.07, 1.65, 0.58, 0.9]}
    calibration = WordCalibration(entry)
    card["language_model"] = {**LANGUAGE_MODEL, "word_calibration": entry}
    (weights / "calibrated.json").write_text(json.dumps(card))
    plain = LinePredictor(weights / f"{CTC_CARD}.json", decoder="lm").predict_batch(paths)
    calibrated = LinePredictor(weights / "calibrated.json", decoder="lm").predict_batch(paths)
    model = load_language_model(weights / LANGUAGE_MODEL["file"])
    outputs = LinePredictor(weights / f"{CTC_CARD}.json").outputs(paths)
    for before, after, probabilities in zip(plain, calibrated, outputs, strict=True):
        assert after.text == before.text and after.characters == before.characters
        expected = calibration(before, model.line_log_probabilities(before.text), probabilities, model.words)
        assert after.words == expected.words
    assert [value for r in calibrated for _, value in r.words] != [value for r in plain for _, value in r.words]


def test_a_lexicon_and_hot_words_reach_the_language_model_decoder(weights):
    paths, references = support_lines()
    card = weights / f"{CTC_CARD}.json"
    lexicon = {word.lower() for text in references for word in LETTERS.findall(text)}
    read = LinePredictor(card, decoder="lm", lexicon=lexicon, hot_words=["plates"]).predict_batch(paths)
    for text, _ in read:
        assert {word.lower() for word in LETTERS.findall(text)} <= lexicon, text


def test_a_card_whose_language_model_is_its_default_decodes_with_it_unless_told_otherwise(weights):
    paths, _ = support_lines()
    card = json.loads((weights / f"{CTC_CARD}.json").read_text())
    card["language_model"] = {**LANGUAGE_MODEL, "default": True}
    (weights / "lm_default.json").write_text(json.dumps(card))
    lm_default = weights / "lm_default.json"
    by_default, told = LinePredictor(lm_default), LinePredictor(lm_default, decoder="lm")
    assert by_default.decode.name == "lm" and LinePredictor(weights / f"{CTC_CARD}.json").decode.name == "greedy"
    assert by_default.predict_batch(paths) == told.predict_batch(paths)
    assert LinePredictor(weights / "lm_default.json", decoder="greedy").decode.name == "greedy"
    assert LinePredictor(weights / "lm_default.json", beam_width=4).decode.name == "beam"
    assert LinePredictor(weights / "lm_default.json", lexicon=["plates"]).decode.rules is not None
    with pytest.raises(DataError, match="need the language model decoder"):
        LinePredictor(weights / f"{CTC_CARD}.json", lexicon=["plates"])


def test_wrong_decoder_choices_are_messages(weights, bare_weights):
    with pytest.raises(DataError, match="Unknown decoder 'viterbi'"):
        LinePredictor(weights / f"{CTC_CARD}.json", decoder="viterbi")
    with pytest.raises(DataError, match="need the language model decoder"):
        LinePredictor(weights / f"{CTC_CARD}.json", lexicon=["word"])
    with pytest.raises(DataError, match=r"names no language model.*build_language_model"):
        LinePredictor(bare_weights / f"{CTC_CARD}.json", decoder="lm")
    with pytest.raises(DataError, match="only the greedy decoder"):
        LinePredictor("LineModel_EmnistLinesDataset_line_cnn_all_conv", decoder="beam")


def test_a_card_naming_a_broken_language_model_says_so(tmp_path):
    folder = serving_folder(tmp_path / "weights", {"file": "lm/broken.npz"})
    (folder / "lm").mkdir()
    (folder / "lm" / "broken.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DataError, match=r"broken\.npz is not a character language model"):
        LinePredictor(folder / f"{CTC_CARD}.json", decoder="lm")


def test_the_paragraph_recognizer_passes_its_decoder_on(weights):
    from text_recognizer.paragraph_text_recognizer import ParagraphTextRecognizer

    recognizer = ParagraphTextRecognizer(line_card=weights / f"{CTC_CARD}.json", decoder="lm")
    assert recognizer.line_predictor.decode.name == "lm"


def inference(*args: str, weights: Path):
    return run_cli("-m", "text_recognizer.inference", *args, env={"TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights)})


@pytest.mark.slow
def test_the_cli_chooses_the_decoder_and_adds_confidences_to_json_only(weights, bare_weights, tmp_path):
    images = tmp_path / "lines"
    images.mkdir()
    for path in support_lines()[0][:3]:
        shutil.copy(path, images)
    plain = inference("--input", str(images), "--lines", "--card", CTC_CARD, weights=weights)
    assert plain.returncode == 0, plain.stderr
    assert all(line.count("\t") == 1 for line in plain.stdout.splitlines())
    result = inference(
        "--input", str(images), "--lines", "--json", "--decoder", "lm", "--card", CTC_CARD, weights=weights
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(records[0]) == {"path", "text", "confidence", "time_ms", "characters", "words"}
    assert [w["text"] for w in records[0]["words"]] == records[0]["text"].split()
    assert "".join(c["text"] for c in records[0]["characters"]) == records[0]["text"]
    missing = inference("--input", str(images), "--lines", "--decoder", "lm", "--card", CTC_CARD, weights=bare_weights)
    assert missing.returncode == 2 and missing.stderr.startswith("error: ") and "language model" in missing.stderr
    assert inference("--input", str(images), "--decoder", "beam", weights=weights).returncode == 2


@pytest.fixture
def client(weights, monkeypatch):
    monkeypatch.setenv("TEXT_RECOGNIZER_WEIGHTS_DIR", str(weights))
    with AppClient() as client:
        yield client


def test_the_api_line_endpoint_takes_a_decoder_and_answers_confidences(client):
    upload = {"image": ("line.png", support_lines()[0][0].read_bytes())}
    greedy = client.post("/v1/predict/line", files=upload)
    assert greedy.status_code == 200, greedy.text
    answer = greedy.json()
    assert set(answer) == {"text", "confidence", "characters", "words"}
    assert [w["text"] for w in answer["words"]] == answer["text"].split()
    with_lm = client.post("/v1/predict/line?decoder=lm", files=upload)
    assert with_lm.status_code == 200 and set(with_lm.json()) == set(answer)
    wrong = client.post("/v1/predict/line?decoder=viterbi", files=upload)
    assert wrong.status_code == 400 and "valid: greedy, beam, lm" in wrong.json()["error"]
    schema = client.get("/openapi.json").json()["paths"]["/v1/predict/line"]["post"]
    assert [p["name"] for p in schema["parameters"]] == ["decoder"]


def test_the_api_says_when_the_language_model_is_missing(bare_weights, monkeypatch):
    monkeypatch.setenv("TEXT_RECOGNIZER_WEIGHTS_DIR", str(bare_weights))
    with AppClient() as client:
        upload = {"image": ("line.png", support_lines()[0][0].read_bytes())}
        assert client.post("/v1/predict/line", files=upload).status_code == 200
        missing = client.post("/v1/predict/line?decoder=lm", files=upload)
        assert missing.status_code == 503 and "names no language model" in missing.json()["error"]


@pytest.mark.slow
def test_tuning_writes_the_best_settings_into_the_card_and_refuses_a_model_not_kept_apart(weights, tmp_path):
    card = json.loads((weights / f"{CTC_CARD}.json").read_text())
    experiment = json.loads((REPO / "training" / "experiments" / "handwriting_line_predictor.json").read_text())
    card.update(dataset="HandwritingLinesDataset", data={"args": experiment["dataset_args"]})
    card.pop("language_model")
    folder = serving_folder(tmp_path / "weights", None)
    (folder / "lm").mkdir()
    shutil.copy(SHIPPED / "lm" / "english_french_chars.npz", folder / "lm")
    (folder / "real.json").write_text(json.dumps(card))
    tune = ("training/tune_language_model.py", "--card", str(folder / "real.json"), "--lines", "3")
    result = run_cli(
        *tune, "--lm-weights", "0.5", "--bonuses", "0,1", "--beam-width", "4", env=own_processed_data(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads((folder / "real.json").read_text())["language_model"]
    assert entry["file"] == "lm/english_french_chars.npz" and entry["lm_weight"] == 0.5 and entry["bonus"] in (0, 1)
    assert set(entry["validation"]) == {"iam_lines", "copiste_fr", "hooker", "names"}
    assert entry["default"] is False  # EMNIST letters read handwriting too badly for the LM to help everywhere
    assert "word_calibration" not in entry and "left as the products" in result.stdout  # it reads no word right
    train_language_model(["no record of what was held out"], 3).save(folder / "lm" / "other.npz")
    refused = run_cli(*tune, "--language-model", "lm/other.npz")
    assert refused.returncode == 2 and "not built apart" in refused.stderr


@pytest.mark.slow
def test_tuning_the_shipped_line_model_calibrates_its_word_confidences(tmp_path):
    card = json.loads((SHIPPED / f"{DEFAULT_CARD}.json").read_text())
    card.pop("language_model")
    shutil.copy(onnx_file(load_card(DEFAULT_CARD)), tmp_path)
    (tmp_path / f"{DEFAULT_CARD}.json").write_text(json.dumps(card))
    (tmp_path / "lm").mkdir()
    shutil.copy(SHIPPED / "lm" / "english_french_chars.npz", tmp_path / "lm")
    tune = ("training/tune_language_model.py", "--card", str(tmp_path / f"{DEFAULT_CARD}.json"), "--lines", "8")
    result = run_cli(*tune, "--lm-weights", "0.6", "--bonuses", "2", env=own_processed_data(tmp_path))
    assert result.returncode == 0, result.stderr
    calibration = json.loads((tmp_path / f"{DEFAULT_CARD}.json").read_text())["language_model"]["word_calibration"]
    assert len(WordCalibration(calibration).weights) == len(FEATURES) + 1
    assert 0 < calibration["validation_errors_in_lowest_20pct"]["calibrated"] <= 1
