"""Beam search with a language model on hand-worked posteriors: the language model flips a close greedy choice, a
lexicon and hot words steer words, and confidences point at the characters the network was unsure of."""

import pickle
import sys

import numpy as np
import pytest

from text_recognizer.char_lm import EOS, train_language_model
from text_recognizer.confidences import (
    Reading,
    align,
    character_confidences,
    greedy_confidences,
    reading,
    word_confidences,
)
from text_recognizer.ctc import beam_decode, greedy_decode
from text_recognizer.errors import DataError
from text_recognizer.lm_decoding import LanguageModelScorer, WordRules, lm_beam_decode
from text_recognizer.lm_search import _row_of, language_model_row, next_state

MAPPING = ["<B>", " ", "a", "b", "e", "h", "n", "t"]
TEXTS = ["the hat", "then the ant", "the tent", "a bat", "the hen ate", "tab the bet"] * 5


@pytest.fixture(scope="module")
def scorer() -> LanguageModelScorer:
    return LanguageModelScorer(train_language_model(TEXTS, 4), MAPPING)


def posteriors(frames: list[dict[str, float]]) -> np.ndarray:
    """(T, C) posteriors from per-frame {character: probability}; the rest of each frame goes to the blank."""
    matrix = np.zeros((len(frames), len(MAPPING)))
    for t, frame in enumerate(frames):
        for char, p in frame.items():
            matrix[t, MAPPING.index(char)] = p
        matrix[t, 0] = 1 - sum(frame.values())
    return matrix


def text(labels: list[int]) -> str:
    return "".join(MAPPING[label] for label in labels)


# "t", blank, then "b" (0.55) narrowly over "h" (0.40), blank, "e": the network reads "tbe".
TBE = posteriors([{"t": 0.95}, {}, {"b": 0.55, "h": 0.40}, {}, {"e": 0.9}, {}])


def test_the_language_model_flips_a_close_greedy_choice(scorer):
    assert text(greedy_decode(TBE)[0]) == "tbe"
    assert text(beam_decode(TBE, 8)[0]) == "tbe"
    labels, confidence, per_label, frames = lm_beam_decode(TBE, scorer, MAPPING, beam_width=8, lm_weight=1.0)
    assert text(labels) == "the" and frames == [0, 2, 4]
    assert 0 < confidence < 1 and len(per_label) == 3
    # The network gave "h" 0.40 on its frame; weighed by the language model, as the search weighed it, far more.
    assert per_label[1] > 0.6 and per_label[0] > 0.9
    _, _, acoustic_only, _ = lm_beam_decode(TBE, scorer, MAPPING, beam_width=8, lm_weight=0.0)
    assert acoustic_only == pytest.approx([0.95, 0.55, 0.9])  # without it: the posteriors of "tbe"


def test_a_blank_line_reads_as_nothing_though_the_language_model_never_saw_an_empty_line(scorer):
    faint = posteriors([{}, {}, {"t": 0.03}, {}, {}])  # a blank image: the network is all but sure there is no ink
    assert lm_beam_decode(faint, scorer, MAPPING, beam_width=8, lm_weight=1.0, bonus=2.0)[0] == []
    sure = posteriors([{}, {}, {"t": 0.97}, {}, {}])
    assert text(lm_beam_decode(sure, scorer, MAPPING, beam_width=8, lm_weight=1.0, bonus=2.0)[0]) == "t"


def test_without_the_language_model_it_is_prefix_beam_search(scorer):
    rng = np.random.default_rng(0)
    for _ in range(20):
        logits = rng.normal(0, 3, (12, len(MAPPING)))
        probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        labels, *_ = lm_beam_decode(probabilities, scorer, MAPPING, beam_width=16, lm_weight=0.0, prune=0.0)
        expected, _ = beam_decode(probabilities, beam_width=16, prune=0.0)
        assert labels == expected


def test_a_strong_network_is_not_overruled(scorer):
    sure = posteriors([{"t": 0.99}, {}, {"b": 0.98, "h": 0.01}, {}, {"e": 0.99}])
    assert text(lm_beam_decode(sure, scorer, MAPPING, lm_weight=0.5)[0]) == "tbe"


def test_the_insertion_bonus_keeps_or_drops_a_doubtful_character(scorer):
    doubtful = posteriors([{"t": 0.9}, {}, {"h": 0.9}, {"a": 0.3}, {"e": 0.9}])
    kept = text(lm_beam_decode(doubtful, scorer, MAPPING, lm_weight=0.0, bonus=1.5)[0])
    dropped = text(lm_beam_decode(doubtful, scorer, MAPPING, lm_weight=0.0, bonus=-1.5)[0])
    assert kept == "thae" and dropped == "the"


def test_a_lexicon_allows_only_its_words(scorer):
    hat_or_bat = posteriors([{"b": 0.6, "h": 0.35}, {}, {"a": 0.9}, {}, {"t": 0.9}])
    free = lm_beam_decode(hat_or_bat, scorer, MAPPING, lm_weight=0.0)[0]
    limited = lm_beam_decode(hat_or_bat, scorer, MAPPING, lm_weight=0.0, rules=WordRules(lexicon=["hat", "the"]))[0]
    assert text(free) == "bat" and text(limited) == "hat"


def test_hot_words_win_close_calls_and_their_bonus_is_taken_back_from_other_words(scorer):
    ant_or_ent = posteriors([{"e": 0.55, "a": 0.4}, {}, {"n": 0.9}, {}, {"t": 0.9}])
    assert text(lm_beam_decode(ant_or_ent, scorer, MAPPING, lm_weight=0.0)[0]) == "ent"
    rules = WordRules(hot_words=["ANT"], bonus=1.0)
    assert text(lm_beam_decode(ant_or_ent, scorer, MAPPING, lm_weight=0.0, rules=rules)[0]) == "ant"
    # "ant" only begins the hot word "anthem": its bonus is taken back where the word ends, at the line's end or
    # at a space, so it does not win.
    longer = WordRules(hot_words=["anthem"], bonus=1.0)
    assert text(lm_beam_decode(ant_or_ent, scorer, MAPPING, lm_weight=0.0, rules=longer)[0]) == "ent"
    then_a_word = np.concatenate([ant_or_ent, posteriors([{" ": 0.9}, {}, {"a": 0.9}])])
    assert text(lm_beam_decode(then_a_word, scorer, MAPPING, lm_weight=0.0, rules=longer)[0]) == "ent a"
    assert text(lm_beam_decode(then_a_word, scorer, MAPPING, lm_weight=0.0, rules=rules)[0]) == "ant a"


def test_the_compiled_search_scores_with_the_language_model_itself(scorer):
    model = train_language_model(TEXTS, 4)
    to_model = [model.index[char] for char in MAPPING[1:]]
    state, context = scorer.start, list(model.start)
    for char in "the h":
        row = np.empty(len(MAPPING) + 1)
        language_model_row(state, scorer.tables, row)
        with np.errstate(divide="ignore"):  # symbols the model never predicts (the start symbol)
            expected = np.log(model.distribution(tuple(context)))
        assert row[1:-1] == pytest.approx(expected[to_model]) and row[-1] == pytest.approx(expected[model.index[EOS]])
        state = next_state(state, model.index[char], model.size ** (model.order - 2), model.size)
        context = [*context[1:], model.index[char]]


def test_the_row_cache_empties_when_full_and_still_answers_right(scorer):
    cache = (np.full(8, -1, np.int64), np.zeros(8, np.int64), np.zeros(1, np.int64), np.empty((4, len(MAPPING) + 1)))
    model = train_language_model(TEXTS, 4)
    states = [scorer.start]
    for label in (2, 3, 4, 5, 6, 7):
        states.append(next_state(states[-1], scorer.tables[8][label], model.size**2, model.size))
    for state in states + states[:2]:
        index = _row_of(state, cache, scorer.tables)
        expected = np.empty(len(MAPPING) + 1)
        language_model_row(state, scorer.tables, expected)
        assert np.array_equal(cache[3][index], expected)
        assert cache[2][0] <= 4  # emptied rather than written past its rows


def test_a_language_model_too_long_for_the_states_is_refused():
    model = train_language_model(TEXTS, 4)
    model.order = 40  # 40-grams over these symbols do not fit a 64-bit state
    with pytest.raises(DataError, match="lower order"):
        LanguageModelScorer(model, MAPPING)


def test_alignment_follows_the_best_path():
    frames = align(TBE, [MAPPING.index(c) for c in "the"])
    assert frames.tolist() == [0, -1, 1, -1, 2, -1]
    assert align(TBE[:2], [MAPPING.index(c) for c in "the"]) is None  # three labels cannot fit in two frames
    doubled = posteriors([{"t": 0.9}, {}, {"t": 0.9}])
    assert align(doubled, [MAPPING.index("t")] * 2).tolist() == [0, -1, 1]


def test_character_confidences_are_the_posteriors_of_the_aligned_frames():
    labels = [MAPPING.index(c) for c in "the"]
    assert character_confidences(TBE, labels) == pytest.approx([0.95, 0.40, 0.9])
    greedy_labels, greedy_peaks = greedy_confidences(TBE)
    assert text(greedy_labels) == "tbe" and greedy_peaks == pytest.approx([0.95, 0.55, 0.9])
    assert character_confidences(TBE, greedy_labels) == pytest.approx(greedy_peaks)
    assert character_confidences(TBE[:2], labels) == [0.0, 0.0, 0.0]


def test_word_confidences_are_the_chance_that_all_their_characters_are_right():
    words = word_confidences("a bc  d", [0.9, 1.0, 0.8, 0.5, 1.0, 1.0, 0.7])
    assert words == [("a", 0.9), ("bc", pytest.approx(0.4)), ("d", 0.7)]
    assert word_confidences("", []) == []


def test_a_reading_is_still_a_text_and_confidence_pair():
    result = reading(TBE, [MAPPING.index(c) for c in "th e"[:2]], MAPPING, 0.8)
    text_read, confidence = result
    assert (text_read, confidence) == ("th", 0.8) == result
    assert result.text == "th" and result.words == [("th", pytest.approx(0.95 * 0.40))]
    again = pickle.loads(pickle.dumps(result))
    assert again == result and again.characters == result.characters
    assert Reading("ab", 0.5, [("a", 0.5), ("b", 0.25)], [("ab", 0.25)]).details() == {
        "characters": [{"text": "a", "confidence": 0.5}, {"text": "b", "confidence": 0.25}],
        "words": [{"text": "ab", "confidence": 0.25}],
    }


def test_alignment_of_long_lines_does_not_wrap_around():
    """Over 63 labels make more than 127 alignment states: the back-pointers must not overflow."""
    from text_recognizer.confidences import align

    labels = [1, 2] * 40
    probabilities = np.full((300, 5), 0.01)
    for t in range(0, 240, 3):
        probabilities[t, labels[t // 3]] = 0.9
    probabilities[np.arange(300) % 3 != 0, 0] = 0.9
    frames = align(probabilities / probabilities.sum(axis=1, keepdims=True), labels)
    assert frames is not None and list(frames[:7]) == [0, -1, -1, 1, -1, -1, 2]
    assert frames.max() == len(labels) - 1


def test_the_compiled_modules_still_load_where_numba_has_nowhere_to_write_its_cache(monkeypatch):
    # As on a read-only install with a read-only home: numba's only place left is $NUMBA_CACHE_DIR, and it is unset.
    import numba
    from numba.core.caching import CacheImpl, UserProvidedCacheLocator

    import text_recognizer
    from text_recognizer import compiled

    monkeypatch.setattr(CacheImpl, "_locator_classes", [UserProvidedCacheLocator])
    for name in ("lm_search", "ctc_viterbi"):  # both put back after the test
        monkeypatch.setattr(numba.config, "CACHE_DIR", "")
        monkeypatch.delitem(sys.modules, f"text_recognizer.{name}")
        monkeypatch.delattr(text_recognizer, name)
        module = compiled.load(name)
        assert numba.config.CACHE_DIR.endswith("text_recognizer_numba") and module.__name__.endswith(name)
    assert compiled.load("lm_search").next_state(5, 3, 7, 10) == 53
