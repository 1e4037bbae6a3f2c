"""Error rates against worked examples."""

import pytest

from text_recognizer.metrics import character_error_rate, errors_held_by_least_confident, word_error_rate, wrong_words


def test_character_error_rate_sums_edits_over_reference_length():
    # "kitten" -> "sitting": 3 edits over 6 characters; "abc" exact: 0 over 3.
    assert character_error_rate(["sitting", "abc"], ["kitten", "abc"]) == pytest.approx(3 / 9)


def test_word_error_rate_counts_word_edits():
    # one substitution and one deletion over 6 reference words
    assert word_error_rate(["the cat sat", "on mat"], ["the cat sat", "on the hat"]) == pytest.approx(2 / 6)


def test_empty_prediction_is_all_deletions():
    assert character_error_rate([""], ["hello"]) == 1.0
    assert character_error_rate([""], [""]) == 0.0


def test_wrong_words_are_the_substituted_and_inserted_ones():
    # "the" kept, "cat" -> "cot" substituted, "big" inserted, "sat" kept; a deleted reference word marks nothing
    assert wrong_words(["the", "cot", "big", "sat"], ["the", "cat", "sat"]) == [False, True, True, False]
    assert wrong_words(["the", "sat"], ["the", "cat", "sat"]) == [False, False]
    assert wrong_words([], ["all", "missed"]) == []


def test_the_least_confident_share_of_words_and_the_most_it_could_hold():
    confidences = [0.9, 0.1, 0.8, 0.2, 0.7, 0.95, 0.85, 0.6, 0.5, 0.99]
    wrong = [False, True, False, False, True, False, False, False, False, True]
    # the lowest 20% (2 words: 0.1 and 0.2) hold 1 of the 3 errors; 2 of 3 at most
    assert errors_held_by_least_confident(confidences, wrong) == (pytest.approx(1 / 3), pytest.approx(2 / 3))
    assert errors_held_by_least_confident(confidences, [False] * 10) == (1.0, 1.0)
