"""Error rates against worked examples."""

import pytest

from text_recognizer.metrics import character_error_rate, word_error_rate


def test_character_error_rate_sums_edits_over_reference_length():
    # "kitten" -> "sitting": 3 edits over 6 characters; "abc" exact: 0 over 3.
    assert character_error_rate(["sitting", "abc"], ["kitten", "abc"]) == pytest.approx(3 / 9)


def test_word_error_rate_counts_word_edits():
    # one substitution and one deletion over 6 reference words
    assert word_error_rate(["the cat sat", "on mat"], ["the cat sat", "on the hat"]) == pytest.approx(2 / 6)


def test_empty_prediction_is_all_deletions():
    assert character_error_rate([""], ["hello"]) == 1.0
    assert character_error_rate([""], [""]) == 0.0
