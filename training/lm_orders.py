"""Choosing the language model's order: one model per order, scored on the line model's validation writers; the one
with the lowest mean validation perplexity wins and records in its meta what it was chosen from."""

import time
from collections.abc import Callable
from typing import Any

from text_recognizer.char_lm import train_language_model


def best_order(
    units: list[str],
    orders: list[int],
    min_counts: dict[int, int],
    meta: dict[str, Any],
    validation: dict[str, list[str]],
    say: Callable[[str], None] = print,
):
    """The model of the order with the lowest mean validation perplexity; says each order's figures."""
    best = None
    for order in orders:
        started = time.perf_counter()
        model = train_language_model(units, order, min_counts, dict(meta))
        perplexities = {corpus: round(model.perplexity(texts), 4) for corpus, texts in validation.items()}
        mean = sum(perplexities.values()) / len(perplexities)
        grams = sum(len(level["symbols"]) for level in model.levels)
        seconds = time.perf_counter() - started
        say(
            f"order {order}: validation perplexity {perplexities} (mean {mean:.3f}), {grams:,} n-grams, {seconds:.0f} s"
        )
        if best is None or mean < best[0]:
            best = (mean, model, perplexities)
    _, model, perplexities = best
    model.meta["validation_perplexity"] = perplexities
    model.meta["orders_tried"] = orders
    return model
