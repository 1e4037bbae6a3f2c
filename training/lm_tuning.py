"""Tuning how much the language model counts: each setting of weight and insertion bonus decodes a line model's
validation lines (from cached network outputs), the one with the lowest mean CER over the corpora wins, and the card's
"language_model" entry records it with the figures behind it, with word confidences calibrated on the validation
words it reads (word_calibration.py), and as the card's default decoder where it lowers every corpus's CER."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from text_recognizer.cards import write_json_atomic
from text_recognizer.char_lm import CharNgramLM
from text_recognizer.datasets.lm_text import held_out_groups, real_line_splits
from text_recognizer.errors import UserError
from text_recognizer.line_decoder import LineDecoder
from text_recognizer.metrics import errors_held_by_least_confident, wrong_words
from text_recognizer.word_calibration import FEATURES, fit_calibration, word_features
from training.decoding_data import decode_all, error_rates

Rates = dict[str, tuple[float, float]]  # corpus -> (CER, WER)
# Word confidences are calibrated on the corpora of many writers and running text: Hooker's one writer would outweigh
# them (the most validation words, most of them wrong), and names are single words with no context to weigh.
CALIBRATION_CORPORA = ("iam_lines", "copiste_fr")


def check_kept_apart(card: dict, model_meta: dict) -> None:
    """The language model must have been kept apart from the validation and test writers of this card's split."""
    expected = held_out_groups(real_line_splits(card))
    recorded = model_meta.get("held_out_groups")
    if recorded != expected:
        raise UserError(
            "The language model was not built apart from this card's validation and test writers; rebuild it with "
            f"`python training/build_language_model.py --splits-from {card['card_path']}`."
        )


def rates_of(
    decoder, outputs: dict[str, list[np.ndarray]], references: dict[str, list[str]]
) -> tuple[Rates, float, dict[str, list]]:
    """Each corpus's CER and WER with a decoder, the seconds decoding took, and each corpus's readings."""
    rates, seconds, readings = {}, 0.0, {}
    for corpus, corpus_outputs in outputs.items():
        readings[corpus], took = decode_all(decoder, corpus_outputs)
        rates[corpus], seconds = error_rates(readings[corpus], references[corpus]), seconds + took
    return rates, seconds, readings


def describe(rates: Rates) -> str:
    return ", ".join(f"{corpus} CER {cer:.4f} WER {wer:.4f}" for corpus, (cer, wer) in rates.items())


def mean_rates(rates: Rates) -> tuple[float, float]:
    """The mean CER and WER over the corpora."""
    return sum(cer for cer, _ in rates.values()) / len(rates), sum(wer for _, wer in rates.values()) / len(rates)


def grid(file: str, weights: list[float], bonuses: list[float], beam_width: int, prune: float) -> list[dict[str, Any]]:
    """Language-model settings (as a card's entry holds them) for every pair of weight and bonus."""
    pairs = [(weight, bonus) for weight in weights for bonus in bonuses]
    return [
        {"file": file, "lm_weight": weight, "bonus": bonus, "beam_width": beam_width, "prune": prune}
        for weight, bonus in pairs
    ]


def best_settings(
    card: dict[str, Any],
    outputs: dict[str, list[np.ndarray]],
    references: dict[str, list[str]],
    grid: list[dict[str, Any]],
    say: Callable[[str], None] = print,
) -> tuple[dict[str, Any], Rates, dict[str, list]]:
    """The language-model settings of `grid` with the lowest mean CER (then WER), their rates and readings; says each
    one's rates."""
    lines = sum(len(part) for part in outputs.values())
    results = []
    for settings in grid:
        rates, seconds, readings = rates_of(LineDecoder(card, "lm", language_model=settings), outputs, references)
        mean_cer, mean_wer = mean_rates(rates)
        say(
            f"weight {settings['lm_weight']:4.2f} bonus {settings['bonus']:4.1f}: {describe(rates)}; "
            f"mean CER {mean_cer:.4f}; {1000 * seconds / lines:.1f} ms/line"
        )
        results.append((mean_cer, mean_wer, settings, rates, readings))
    _, _, settings, rates, readings = min(results, key=lambda result: result[:2])
    return settings, rates, readings


def better_everywhere(greedy: Rates, rates: Rates) -> bool:
    """Whether the language model lowers the validation CER of every corpus: then it is the card's default decoder."""
    return all(rates[corpus][0] < greedy[corpus][0] for corpus in rates)


def word_calibration(
    model: CharNgramLM,
    readings: dict[str, list],
    references: dict[str, list[str]],
    outputs: dict[str, list[np.ndarray]],
) -> dict[str, Any]:
    """Word confidences calibrated on the validation words of CALIBRATION_CORPORA as the language model decoder read
    them (uncalibrated) from the network's outputs, as the card's entry holds them, with the share of the wrong words
    that the least confident 20% of them hold (and the most they could)."""
    features, wrong, products = [], [], []
    for corpus in CALIBRATION_CORPORA:
        lines = zip(readings.get(corpus, []), references.get(corpus, []), outputs.get(corpus, []), strict=True)
        for read, reference, probabilities in lines:
            features.append(word_features(read, model.line_log_probabilities(read.text), probabilities, model.words))
            wrong += wrong_words([word for word, _ in read.words], reference.split())
            products += [confidence for _, confidence in read.words]
    features = np.concatenate(features) if features else np.zeros((0, len(FEATURES)))
    weights = np.array(fit_calibration(features, 1.0 - np.array(wrong, np.float64)))
    calibrated = weights[0] + features @ weights[1:]
    share, most = errors_held_by_least_confident(calibrated, wrong)
    return {
        "features": list(FEATURES),
        "weights": [round(float(weight), 6) for weight in weights],
        "fitted_on": f"{len(wrong)} validation words of {', '.join(c for c in CALIBRATION_CORPORA if c in readings)}, "
        f"{int(np.sum(wrong))} read wrong",
        "validation_errors_in_lowest_20pct": {
            "calibrated": round(share, 4),
            "product": round(errors_held_by_least_confident(products, wrong)[0], 4),
            "most_possible": round(most, 4),
        },
    }


def write_entry(
    card_file: Path,
    settings: dict[str, Any],
    order: int,
    sizes: str,
    greedy: Rates,
    rates: Rates,
    calibration: dict[str, Any] | None,
) -> None:
    """The card's "language_model" entry: the settings, per corpus the validation figures without and with it, the
    word calibration (if any), and whether it is the default decoder."""
    stored = json.loads(card_file.read_text())
    stored["language_model"] = {
        **settings,
        "order": order,
        "default": better_everywhere(greedy, rates),
        "tuned_on": "validation writers: " + sizes,
        "validation": {
            corpus: {
                "greedy_cer": round(greedy[corpus][0], 4),
                "greedy_wer": round(greedy[corpus][1], 4),
                "lm_cer": round(cer, 4),
                "lm_wer": round(wer, 4),
            }
            for corpus, (cer, wer) in rates.items()
        },
    }
    if calibration:
        stored["language_model"]["word_calibration"] = calibration
    write_json_atomic(card_file, stored)
