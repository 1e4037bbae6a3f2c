"""The character n-gram language model: a proper distribution at every order, Kneser-Ney values worked by hand,
pruning, saving and loading, and bad model files refused with a message."""

import zipfile

import numpy as np
import pytest

from text_recognizer.char_lm import BOS, EOS, UNK, load_language_model, train_language_model
from text_recognizer.errors import DataError

TEXTS = ["the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "then the hen"] * 3


@pytest.mark.parametrize("order", [1, 2, 3, 5])
@pytest.mark.parametrize("min_counts", [None, {3: 2, 4: 2, 5: 3}])
def test_every_context_gives_a_distribution_that_sums_to_one(order, min_counts):
    model = train_language_model(TEXTS, order, min_counts)
    for text in ["", "the c", "zzzz", "a ca", "dog sat on the"]:
        context = (*model.start, *model.encode(text))
        probabilities = model.distribution(context)
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
        assert probabilities[model.index[BOS]] == 0 and (probabilities > 0).sum() == model.size - 1


@pytest.mark.parametrize("order", [1, 2, 4])
def test_scoring_many_positions_at_once_matches_one_at_a_time(order):
    model = train_language_model(TEXTS, order, {3: 2})
    ids = [*model.start, *model.encode("the cat ate the hen x"), model.index[EOS]]
    targets = ids[order - 1 :]
    contexts = np.array([ids[i - order + 1 : i] for i in range(order - 1, len(ids))]).reshape(len(targets), order - 1)
    one_by_one = [np.log(model.distribution(tuple(c))[t]) for c, t in zip(contexts, targets, strict=True)]
    assert np.allclose(model.log_probabilities(np.array(targets), contexts), one_by_one)


def test_bigram_probabilities_worked_by_hand():
    model = train_language_model(["ab", "ab", "ac"], order=2)
    a, b, c = model.index["a"], model.index["b"], model.index["c"]
    # Bigrams: <s>a 3, ab 2, ac 1, b</s> 2, c</s> 1: no count of 4, so the default discounts D1 0.5, D2 1.0 apply.
    # After "a" (3 times): b twice, c once; what D1 + D2 take off goes to the unigram distribution.
    d1, d2 = 0.5, 1.0
    gamma = (d1 + d2) / 3
    unigram = model.unigram
    after_a = model.distribution((a,))
    assert after_a[b] == pytest.approx((2 - d2) / 3 + gamma * unigram[b], rel=1e-6)
    assert after_a[c] == pytest.approx((1 - d1) / 3 + gamma * unigram[c], rel=1e-6)
    assert after_a[a] == pytest.approx(gamma * unigram[a], rel=1e-6)


def test_more_context_fits_text_like_the_training_text_better():
    perplexities = [train_language_model(TEXTS, order).perplexity(["the dog sat on the mat"]) for order in (1, 3, 5)]
    assert perplexities[0] > perplexities[1] > perplexities[2]
    model = train_language_model(TEXTS, 4)
    assert model.perplexity(["the cat sat"]) < model.perplexity(["tbe cat sat"])


def test_characters_never_seen_are_unknown_but_possible():
    model = train_language_model(TEXTS, 3)
    assert model.encode("q") == [model.index[UNK]]
    assert np.isfinite(model.perplexity(["quiz"]))


def test_pruning_keeps_the_model_smaller_and_still_normalised():
    full = train_language_model(TEXTS, 5)
    pruned = train_language_model(TEXTS, 5, {3: 2, 4: 2, 5: 2})
    assert sum(len(level["symbols"]) for level in pruned.levels) < sum(len(level["symbols"]) for level in full.levels)
    assert pruned.distribution((*pruned.start, *pruned.encode("the "))).sum() == pytest.approx(1.0)


def test_saved_and_loaded_models_agree(tmp_path):
    model = train_language_model(TEXTS, 4, {4: 2}, meta={"sources": {"test": 1}})
    path = tmp_path / "lm" / "model.npz"
    model.save(path)
    loaded = load_language_model(path)
    assert loaded.order == 4 and loaded.vocab == model.vocab and loaded.meta["sources"] == {"test": 1}
    assert loaded.words == model.words and {"the", "hen"} <= model.words  # its training text's words, kept
    assert loaded.perplexity(["the hen sat"]) == pytest.approx(model.perplexity(["the hen sat"]), rel=1e-4)
    for ours, theirs in zip(model.levels, loaded.levels, strict=True):  # stored as differences, read back exactly
        assert all(np.array_equal(ours[key], theirs[key]) for key in ("contexts", "starts", "symbols"))
        for key in ("gammas", "discounted"):  # in half precision, read back in the types training makes
            assert theirs[key].dtype == ours[key].dtype and np.allclose(theirs[key], ours[key], rtol=1e-3, atol=0)
    assert not list(tmp_path.glob("lm/*.part*"))
    with zipfile.ZipFile(path) as archive:  # small on disk: LZMA, integers in their narrowest type, floats in half
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_LZMA}
        assert np.load(archive.open("symbols_3.npy")).dtype == np.uint8
        assert np.load(archive.open("discounted_3.npy")).dtype == np.float16


def test_a_missing_model_says_how_to_build_one(tmp_path):
    with pytest.raises(DataError, match="build_language_model"):
        load_language_model(tmp_path / "nothing.npz")


@pytest.mark.parametrize(
    "content",
    [b"", b"not a model at all", b"PK\x03\x04 truncated zip"],
    ids=["empty", "text", "truncated zip"],
)
def test_files_that_are_not_models_are_refused_with_a_message(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(DataError, match="not a character language model"):
        load_language_model(path)


def test_other_arrays_and_pickles_are_refused_unread(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, weights=np.zeros(3))
    with pytest.raises(DataError, match="not a character language model"):
        load_language_model(other)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, header=np.array([{"format": "text_recognizer.char_ngram"}], dtype=object))
    with pytest.raises(DataError, match="not a character language model"):
        load_language_model(pickled)


def test_a_damaged_table_is_named(tmp_path):
    path = tmp_path / "model.npz"
    train_language_model(TEXTS, 3).save(path)
    with zipfile.ZipFile(path) as archive:
        arrays = {name.removesuffix(".npy"): np.load(archive.open(name)) for name in archive.namelist()}
    arrays["starts_2"] = arrays["starts_2"][:-3]
    np.savez(path, **arrays)
    with pytest.raises(DataError, match="damaged"):
        load_language_model(path)
