"""Training step time of the shipped line network with the project's CTC loss (TensorFlow's kernel on sparse labels)
against keras.ops.ctc_loss (dense labels, a graph over every padded label position): real IAM test lines, batches
of 16 of similar width as training assembles them, forward, backward and an Adam update.

    python bench/ctc_loss.py [--card CARD] [--batches 12]
"""

import argparse
import statistics
import time

import keras
import tensorflow as tf

from text_recognizer.cards import load_card
from text_recognizer.datasets.formats import encode_texts, real_line_image
from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset
from text_recognizer.line_batches import pad_batch
from text_recognizer.line_predictor import DEFAULT_CARD
from text_recognizer.models.line_model_ctc import CtcLoss
from text_recognizer.runtime import build_network

BATCH = 16


def dense_label_loss(y_true, y_pred):
    lengths = tf.reduce_sum(tf.cast(y_true != 0, tf.int32), axis=1)
    steps = tf.fill([tf.shape(y_pred)[0]], tf.shape(y_pred)[1])
    return keras.ops.ctc_loss(y_true, tf.math.log(y_pred + 1e-8), lengths, steps, mask_index=0)


def step_seconds(network, loss, batches) -> float:
    """Median seconds of one training step over the batches, after one untimed step per batch shape."""
    optimizer = keras.optimizers.Adam(1e-6)

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            value = tf.reduce_mean(loss(y, network(x, training=True)))
        gradients = tape.gradient(value, network.trainable_variables)
        optimizer.apply_gradients(zip(gradients, network.trainable_variables, strict=True))

    times = []
    for x, y in batches:
        step(x, y)
        started = time.perf_counter()
        step(x, y)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD)
    parser.add_argument("--batches", type=int, default=12)
    args = parser.parse_args()
    card = load_card(args.card)
    height, max_width = card["data"]["format"]["height"], card["data"]["format"]["max_width"]
    dataset = HandwritingLinesDataset(**{**card["data"]["args"], "corpora": {"iam_lines": 1}})
    lines = dataset.corpus_splits()["iam_lines"]["test"][: BATCH * args.batches]
    lines = sorted(lines, key=lambda line: len(line.text))
    images = [real_line_image(line.image, len(line.text), height, max_width) for line in lines]
    labels = encode_texts([line.text for line in lines], card["mapping"], card["output_shape"][0])
    batches = [
        (tf.constant(pad_batch(images[start : start + BATCH])), tf.constant(labels[start : start + BATCH]))
        for start in range(0, len(lines), BATCH)
    ]
    widths = statistics.mean(int(x.shape[2]) for x, _ in batches)
    network = build_network(card)
    print(f"{len(batches)} batches of {BATCH} IAM lines, {height} px high, {widths:.0f} px wide on average")
    for name, loss in (("CtcLoss (sparse labels)", CtcLoss(reduction=None)), ("keras.ops.ctc_loss", dense_label_loss)):
        seconds = step_seconds(network, loss, batches)
        print(f"{name:24s} {seconds * 1000:6.0f} ms per step, {BATCH / seconds:5.1f} lines/s")


if __name__ == "__main__":
    main()
