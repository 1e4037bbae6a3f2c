"""The language model's training text: no line of an RWTH test or validation form, and no validation or test line of
the line model's writers, is in it (Copiste's writers copied the same texts: overlap is dropped, not assumed away)."""

import json

import pytest

from tests.conftest import REPO
from text_recognizer.datasets.lm_text import (
    SOURCES,
    HeldOut,
    brown_pieces,
    capitals,
    iam_lines_by_split,
    paragraph_texts,
    real_line_splits,
    training_units,
    words,
)
from text_recognizer.errors import DataError, UserError

RWTH_LISTS = REPO.parent / "shared" / "data" / "iam" / "splits_rwth"
EXPERIMENT = REPO / "training" / "experiments" / "handwriting_line_predictor.json"
needs_rwth = pytest.mark.skipif(not RWTH_LISTS.is_dir(), reason="the RWTH split lists are not in ../shared/data")


def test_a_unit_sharing_five_words_in_a_row_or_a_whole_line_with_held_out_text_is_held_out():
    held_out = HeldOut(["The quick brown fox jumps over the lazy dog.", "Bonjour, Paris!"])
    assert held_out.overlaps("and the QUICK brown fox, jumps high")
    assert held_out.overlaps("bonjour paris")
    assert not held_out.overlaps("the quick brown cat jumps over")
    assert not held_out.overlaps("bonjour Lyon")
    assert words("L'été, 1987!") == ["l", "été", "1987"]


def test_brown_is_cut_into_line_length_pieces_the_same_way_every_time():
    pieces = brown_pieces()
    assert pieces[:50] == brown_pieces()[:50]
    lengths = [len(piece) for piece in pieces[:-1]]
    assert 25 <= sum(lengths) / len(lengths) <= 65 and max(lengths) < 100


def test_unknown_sources_and_configs_are_refused():
    with pytest.raises(DataError, match="Unknown language model corpus"):
        training_units({"wikipedia": 1}, {"train": [], "val": [], "test": []}, {})
    with pytest.raises(DataError, match="HandwritingLinesDataset"):
        real_line_splits({"dataset": "EmnistLinesDataset", "dataset_args": {}})


def test_a_users_text_file_is_a_source_with_held_out_lines_still_dropped(tmp_path):
    held_out = "the quick brown fox jumps over the lazy dog"
    iam = {"train": [], "val": [held_out], "test": []}
    text = tmp_path / "domain.txt"
    text.write_text("Lettre du 3 mai 1881\n\n  les jardins de Kew  \nsaid the quick brown fox jumps over it\n", "utf-8")
    units, report = training_units({str(text): 2}, iam, {})
    assert units == ["Lettre du 3 mai 1881", "les jardins de Kew"] * 2
    assert report[str(text)] == {"units": 3, "dropped_overlapping_held_out": 1, "weight": 2}
    text.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(DataError, match=r"not UTF-8 text.*save it as UTF-8"):
        training_units({str(text): 1}, iam, {})


def test_the_build_reads_sources_with_their_weights_and_refuses_unknown_ones(tmp_path):
    from training.build_language_model import parse_sources

    text = tmp_path / "domain.txt"
    text.write_text("les jardins de Kew\n", "utf-8")
    assert parse_sources(["brown", f"{text}:3", "names-train:2"]) == {"brown": 1, str(text): 3, "names-train": 2}
    assert parse_sources(None, ["iam-train"]) == {"iam-train": 1} and parse_sources(["none"]) == {}
    assert capitals("l'été n° 3, straße") == "L'ÉTÉ N° 3, STRAßE"  # ß has no one-character capital: kept
    with pytest.raises(UserError, match=r"Unknown corpus 'wikipedia'.*path of a text file"):
        parse_sources(["wikipedia"])
    with pytest.raises(UserError, match="whole number of repeats"):
        parse_sources([f"{text}:0.5"])


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"12 34 --\n", "holds no words"), ("caf\xe9".encode("latin-1"), "can't decode")],
    ids=["no words", "not UTF-8"],
)
def test_a_word_list_without_words_or_not_utf8_ends_the_build_before_it_starts(tmp_path, capsys, content, message):
    from training.build_language_model import main, word_list

    words = tmp_path / "words.txt"
    words.write_text("Été, l'été\nKew-Gardens 1881\n", "utf-8")
    assert word_list(words) == {"été", "l", "kew", "gardens"}  # runs of letters, lower-cased
    words.write_bytes(content)
    with pytest.raises(SystemExit) as ended:
        main(["--words", str(words), "--out", str(tmp_path / "lm.npz")])
    assert ended.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "lm.npz").exists()


def assert_not_in(lines: list[str], units: list[str]) -> None:
    """No line of five words or more is anywhere in the units' text; no shorter line is a whole unit."""
    text, whole = "\n".join(units), {" ".join(words(unit)) for unit in units}
    for line in lines:
        assert (line not in text) if len(words(line)) >= 5 else (" ".join(words(line)) not in whole), line


@pytest.fixture(scope="module")
def built() -> tuple[list[str], dict, dict, dict]:
    iam = iam_lines_by_split(RWTH_LISTS)
    real = real_line_splits(json.loads(EXPERIMENT.read_text()))
    sources = {"brown": 1, "iam-train": 1, "copiste-train": 1, "hooker-train": 1, "names-train": 1}
    units, report = training_units(sources, iam, real)
    return units, report, iam, real


@needs_rwth
@pytest.mark.slow
def test_no_line_of_an_rwth_test_form_is_in_the_training_text(built):
    units, report, iam, _ = built
    assert len(iam["train"]) == 6161 and len(iam["test"]) == 1861
    assert not set(iam["test"]) & set(iam["train"])
    assert_not_in(iam["test"] + iam["val"], units)
    assert report["iam-train"]["units"] == 6161


@needs_rwth
@pytest.mark.slow
def test_no_validation_or_test_line_of_the_line_models_writers_is_in_the_training_text(built):
    units, report, _, real = built
    for corpus in ("iam_lines", "copiste_fr", "hooker", "names"):
        assert_not_in([line.text for line in real[corpus]["val"] + real[corpus]["test"]], units)
    # Writers copied the same Wikipedia texts: training lines repeating a held-out one were dropped, not kept.
    assert report["copiste-train"]["dropped_overlapping_held_out"] > 100


@needs_rwth
@pytest.mark.slow
def test_the_paragraphs_pages_are_measured_on_are_not_in_the_training_text(built):
    units, report, _, _ = built
    lines = paragraph_texts()
    assert len(lines) == 10 + 9 + 5 + 8  # RWTH training forms: their text would otherwise be in iam-train
    assert_not_in(lines, units)
    assert report["iam-train"]["dropped_overlapping_held_out"] >= len(lines)


SHIPPED_LM = REPO / "text_recognizer" / "weights" / "lm" / "english_french_chars.npz"


@needs_rwth
@pytest.mark.slow
def test_the_shipped_language_model_was_kept_apart_from_the_writers_the_line_model_is_measured_on(built):
    from text_recognizer.char_lm import load_language_model
    from text_recognizer.datasets.lm_text import held_out_groups

    model = load_language_model(SHIPPED_LM)
    _, _, _, real = built
    assert model.meta["held_out_groups"] == held_out_groups(real)
    assert model.meta["sources"]["iam-train"]["units"] == 6161  # the RWTH training list's lines, and no others
    sources = {source.removesuffix(" in capitals") for source in model.meta["sources"]}
    assert sources <= set(SOURCES) and "french-prose" in sources  # the held-out rule applies to every one of them
    assert "copiste-train in capitals" in model.meta["sources"]


def test_the_shipped_line_model_names_a_language_model_kept_apart_from_its_validation_and_test_writers():
    from text_recognizer.cards import load_card
    from text_recognizer.char_lm import load_language_model
    from text_recognizer.line_predictor import DEFAULT_CARD

    card = load_card(DEFAULT_CARD)
    entry = card["language_model"]
    model = load_language_model(REPO / "text_recognizer" / "weights" / entry["file"])
    recorded = card["data"]["split_groups"]
    held_out = {corpus: sorted({*groups["val"], *groups["test"]}) for corpus, groups in recorded.items()}
    held_out = {corpus: groups for corpus, groups in held_out.items() if groups}  # not the train-only capitals
    assert model.meta["held_out_groups"] == held_out
    assert entry["lm_weight"] > 0 and entry["beam_width"] > 1
    # word confidences know French words beyond the training text's, from the committed word list
    assert model.meta["words"]["french_wordfreq_50k.txt"] > 40000 and {"aujourd", "également"} <= model.words
