"""Tune the language model's weight and insertion bonus on the line model's validation writers and name the model in
the line model's card (its "language_model" entry), so that `--decoder lm` uses them.

    python training/tune_language_model.py [--card CARD] [--language-model lm/english_french_chars.npz]

Every pair of --lm-weights x --bonuses decodes the validation lines of each real-line corpus (never the test writers);
the pair with the lowest mean CER of the corpora is written into the card (atomically), with the figures behind it and
the word-confidence calibration fitted on the validation words it reads (text_recognizer/word_calibration.py). The
default grid (weights 0.4-0.7, bonuses 1-2) brackets every choice the shipped models have made. Where it lowers the
validation CER of every corpus, it becomes the card's default decoder ("default": true).
"""

import argparse
import sys
from pathlib import Path

from text_recognizer.cards import load_card
from text_recognizer.char_lm import load_language_model
from text_recognizer.errors import DataError
from text_recognizer.line_decoder import LineDecoder
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from training import cli
from training.decoding_data import held_apart, network_outputs
from training.lm_tuning import (
    best_settings,
    better_everywhere,
    check_kept_apart,
    describe,
    grid,
    mean_rates,
    rates_of,
    word_calibration,
    write_entry,
)

DEFAULT_LANGUAGE_MODEL = "lm/english_french_chars.npz"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD, help=f"the line model's card (default {DEFAULT_CARD})")
    parser.add_argument(
        "--language-model",
        default=DEFAULT_LANGUAGE_MODEL,
        help=f"the model file, relative to the card's folder or absolute (default {DEFAULT_LANGUAGE_MODEL})",
    )
    parser.add_argument("--lm-weights", default="0.4,0.5,0.6,0.7", help="LM weights to try (comma-separated)")
    parser.add_argument("--bonuses", default="1,1.5,2", help="insertion bonuses per character to try")
    parser.add_argument("--beam-width", type=int, default=64)
    parser.add_argument("--prune", type=float, default=0.003, help="classes below this posterior are not tried")
    parser.add_argument("--lines", type=int, default=0, help="at most this many validation lines per corpus (0: all)")
    parser.add_argument("--dry-run", action="store_true", help="print the figures, leave the card as it is")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with cli.user_errors(also=(ValueError,)):
        card = load_card(args.card)
        path = Path(args.language_model)
        entry_file = str(path) if path.is_absolute() else path.as_posix()
        model = load_language_model(path if path.is_absolute() else Path(card["card_path"]).parent / path)
        check_kept_apart(card, model.meta)
        weights = [float(value) for value in args.lm_weights.split(",")]
        bonuses = [float(value) for value in args.bonuses.split(",")]
    predictor = LinePredictor(args.card, decoder="greedy")  # for the network outputs only
    lines = {corpus: part[: args.lines or None] for corpus, part in held_apart(card, "val").items()}
    outputs = {corpus: network_outputs(predictor, part, f"{corpus}_val") for corpus, part in lines.items()}
    references = {corpus: [line.text for line in part] for corpus, part in lines.items()}
    sizes = ", ".join(f"{corpus} {len(part)}" for corpus, part in lines.items())
    print(f"validation lines: {sizes}; order-{model.order} language model, beam width {args.beam_width}")
    greedy, _, _ = rates_of(LineDecoder(card, "greedy"), outputs, references)
    print(f"greedy: {describe(greedy)}")
    settings, rates, readings = best_settings(
        card, outputs, references, grid(entry_file, weights, bonuses, args.beam_width, args.prune)
    )
    mean_cer = mean_rates(rates)[0]
    print(f"best: weight {settings['lm_weight']}, bonus {settings['bonus']} (mean validation CER {mean_cer:.4f})")
    try:
        calibration = word_calibration(model, readings, references, outputs)
    except DataError as error:
        calibration = None
        print(f"word confidences left as the products of their characters': {error}")
    else:
        figures = calibration["validation_errors_in_lowest_20pct"]
        print(
            f"word confidences calibrated on {calibration['fitted_on']}: the least confident 20% hold "
            f"{figures['calibrated']:.3f} of the wrong words (product of character confidences: "
            f"{figures['product']:.3f}; most possible {figures['most_possible']:.3f})"
        )
    if args.dry_run:
        return 0
    write_entry(Path(card["card_path"]), settings, model.order, sizes, greedy, rates, calibration)
    default = "lm: it lowers every corpus's CER" if better_everywhere(greedy, rates) else "greedy"
    print(f"wrote the language_model entry into {card['card_path']}; default decoder {default}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
