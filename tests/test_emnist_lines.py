"""EmnistLinesDataset: deterministic, cached per arguments, and no glyph of validation/test lines in training."""

import numpy as np
import pytest

from text_recognizer import settings
from text_recognizer.datasets import emnist_lines
from text_recognizer.datasets.base import Split
from text_recognizer.datasets.emnist_lines import EmnistLinesDataset
from text_recognizer.datasets.sentences import SentenceSampler, detokenize

LETTERS = "abcdefghij"
SPLIT_INTENSITY = {"train": 100, "val": 150, "test": 200}


class FakeEmnist:
    """Ten letters; every glyph of a split is a solid block of that split's own intensity."""

    def __init__(self):
        self.mapping = list(LETTERS)
        for split, value in SPLIT_INTENSITY.items():
            x = np.full((50, 28, 28), value, np.uint8)
            setattr(self, split, Split(x, np.arange(50) % len(LETTERS)))


@pytest.fixture
def fake_lines(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(EmnistLinesDataset, "emnist", lambda self: FakeEmnist())
    text = "abc def ghij aa bb cc dd ee ff gg hh ii jj abcdefghij " * 20
    monkeypatch.setattr(emnist_lines, "SentenceSampler", lambda characters: SentenceSampler(characters, text))


def make(**args) -> EmnistLinesDataset:
    return EmnistLinesDataset(max_length=12, num_train=30, num_val=10, num_test=10, **args).prepare()


@pytest.mark.usefixtures("fake_lines")
def test_glyphs_never_cross_splits():
    dataset = make()
    for split, value in SPLIT_INTENSITY.items():
        pixels = set(np.unique(getattr(dataset, split).x).tolist())
        assert pixels <= {0, value}, f"{split} lines hold glyphs of another split: {pixels}"
        assert value in pixels


@pytest.mark.usefixtures("fake_lines")
def test_generation_is_deterministic_and_cached_per_arguments():
    first = make(seed=3)
    emnist_lines.EmnistLinesDataset.cache_path.fget(first).unlink()
    again = make(seed=3)
    other = make(seed=4)
    np.testing.assert_array_equal(first.train.x, again.train.x)
    np.testing.assert_array_equal(first.test.y, again.test.y)
    assert not np.array_equal(first.train.x, other.train.x)
    assert first.cache_path != other.cache_path


@pytest.mark.usefixtures("fake_lines")
def test_labels_match_the_drawn_text():
    dataset = make(min_overlap=0.0, max_overlap=0.0)
    assert dataset.mapping[:2] == ["<B>", " "]
    assert dataset.train.x.shape == (30, 28, 28 * 12) and dataset.train.y.shape == (30, 12)
    for image, labels in zip(dataset.train.x, dataset.train.y, strict=True):
        text = "".join(dataset.mapping[label] for label in labels if label)
        inked_slots = [bool(image[:, 28 * i : 28 * (i + 1)].any()) for i in range(12)]
        assert inked_slots == [i < len(text) and text[i] != " " for i in range(12)]


def test_sentences_are_normalised_to_the_character_set():
    sampler = SentenceSampler("abc ,", "abc, $abc zzz ab")
    assert "$" not in sampler.text and "z" not in sampler.text
    rng = np.random.default_rng(0)
    assert all(len(sampler.sample(6, rng)) <= 6 for _ in range(50))
    assert detokenize(["Hi", ",", "``", "yes", "''", "(", "ok", ")", "."]) == 'Hi, " yes " (ok).'


def test_real_brown_corpus_is_read():
    from text_recognizer.datasets.sentences import brown_text

    assert "The Fulton County Grand Jury said Friday" in brown_text()[:200]
