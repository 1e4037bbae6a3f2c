"""Where a corpus's errors are: CER per writer (or page) of the real-handwriting line model's test writers, with the
greedy and the language-model decoder, worst first, and each writer's share of the corpus's character errors.

    python bench/writers.py copiste_fr [--card CARD] [--top 10]
"""

import argparse
from collections import defaultdict

import editdistance

from text_recognizer.cards import load_card
from text_recognizer.line_decoder import LineDecoder
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from training.decoding_data import CORPORA, held_apart, network_outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", choices=CORPORA)
    parser.add_argument("--card", default=DEFAULT_CARD)
    parser.add_argument("--top", type=int, default=10, help="how many writers to list")
    args = parser.parse_args()
    card = load_card(args.card)
    lines = held_apart(card, "test", (args.corpus,))[args.corpus]
    outputs = network_outputs(LinePredictor(args.card, decoder="greedy"), lines, f"{args.corpus}_test")
    errors = {name: defaultdict(int) for name in ("greedy", "lm")}
    lengths, lower = defaultdict(int), defaultdict(int)
    for name in errors:
        decode = LineDecoder(card, name)
        for line, output in zip(lines, outputs, strict=True):
            text = decode(output).text
            errors[name][line.group] += editdistance.eval(text, line.text)
            if name == "lm":
                lower[line.group] += editdistance.eval(text.lower(), line.text.lower())
                lengths[line.group] += len(line.text)
    total = sum(errors["lm"].values())
    cer = total / sum(lengths.values())
    print(f"{args.corpus}: {len(lines)} test lines of {len(lengths)} writers, lm CER {cer:.3f}")
    print(f"{'writer':32s} {'chars':>6s} {'CER lm':>7s} {'greedy':>7s} {'any case':>8s} {'share of errors':>15s}")
    for group in sorted(lengths, key=lambda group: -errors["lm"][group])[: args.top]:
        size = lengths[group]
        print(
            f"{group:32s} {size:6d} {errors['lm'][group] / size:7.3f} {errors['greedy'][group] / size:7.3f} "
            f"{lower[group] / size:8.3f} {errors['lm'][group] / max(total, 1):15.3f}"
        )


if __name__ == "__main__":
    main()
