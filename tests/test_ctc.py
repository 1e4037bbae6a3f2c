"""CTC: the loss and both decoders on hand-made cases whose answers are worked out by hand."""

import math

import numpy as np
import pytest

from text_recognizer.ctc import beam_decode, decode, greedy_decode, slot_decode

# Two steps, classes (blank, a). P("a") sums the paths "aa", "a_", "_a"; P("") is the path "__".
TWO_STEPS = np.array([[0.6, 0.4], [0.6, 0.4]])


def test_greedy_takes_the_single_best_path():
    labels, confidence = greedy_decode(TWO_STEPS)
    assert labels == [] and confidence == pytest.approx(0.6)


def test_beam_sums_paths_and_beats_greedy():
    labels, confidence = beam_decode(TWO_STEPS)
    assert labels == [1]  # P("a") = .16 + .24 + .24 = .64 > P("") = .36
    assert confidence == pytest.approx(math.sqrt(0.64))


def test_repeats_merge_unless_a_blank_separates_them():
    one_hot = np.eye(3)[[1, 1, 0, 1, 2, 2]] * 0.97 + 0.01
    assert greedy_decode(one_hot)[0] == [1, 1, 2]
    assert beam_decode(one_hot)[0] == [1, 1, 2]


def test_beam_is_never_less_likely_than_greedy_on_random_outputs():
    rng = np.random.default_rng(0)
    for _ in range(20):
        probabilities = rng.dirichlet(np.ones(4) * 0.3, size=8)
        assert beam_decode(probabilities, beam_width=16)[1] >= greedy_decode(probabilities)[1] - 1e-9


def test_slots_drop_padding_and_map_to_text():
    probabilities = np.eye(4)[[2, 1, 3, 0, 0]]
    assert slot_decode(probabilities)[0] == [2, 1, 3]
    assert decode(probabilities, ["<B>", " ", "h", "i"], ctc=False)[0] == "h i"


def test_ctc_loss_matches_the_hand_computed_value():
    from text_recognizer.models.line_model_ctc import CtcLoss

    y_pred = np.array([[[0.4, 0.6], [0.4, 0.6]]], np.float32)
    y_true = np.array([[1, 0, 0]])  # "a", padded with blanks
    assert float(CtcLoss()(y_true, y_pred)) == pytest.approx(-math.log(0.84), rel=1e-4)


def test_ctc_loss_and_gradients_match_the_dense_label_loss():
    import keras
    import tensorflow as tf

    from text_recognizer.models.line_model_ctc import CtcLoss

    rng = np.random.default_rng(0)
    logits = tf.Variable(rng.normal(size=(3, 12, 6)).astype(np.float32))
    y_true = tf.constant([[1, 2, 2, 5, 0, 0], [3, 0, 0, 0, 0, 0], [4, 1, 4, 1, 4, 1]])
    lengths = tf.reduce_sum(tf.cast(y_true != 0, tf.int32), axis=1)
    losses, gradients = [], []
    for loss in (
        lambda p: CtcLoss(reduction=None)(y_true, p),
        lambda p: keras.ops.ctc_loss(y_true, tf.math.log(p + 1e-8), lengths, tf.fill([3], 12), mask_index=0),
    ):
        with tf.GradientTape() as tape:
            value = loss(tf.nn.softmax(logits))
        losses.append(value.numpy())
        gradients.append(tape.gradient(value, logits).numpy())
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
    np.testing.assert_allclose(gradients[0], gradients[1], atol=1e-4)


def test_ctc_loss_of_a_line_too_long_for_its_steps_is_zero_not_an_error():
    from text_recognizer.models.line_model_ctc import CtcLoss

    y_pred = np.full((2, 3, 4), 0.25, np.float32)
    y_true = np.array([[1, 2, 3, 1, 2], [1, 0, 0, 0, 0]])  # the first needs 5 steps, the output has 3
    losses = CtcLoss(reduction=None)(y_true, y_pred).numpy()
    assert losses[0] == 0 and losses[1] > 0


def test_steps_needed_counts_a_blank_between_repeats():
    from text_recognizer.models.line_model_ctc import steps_needed

    labels = np.array([[5, 5, 6, 0], [5, 6, 7, 8], [0, 0, 0, 0]])
    assert steps_needed(labels).tolist() == [4, 4, 0]
