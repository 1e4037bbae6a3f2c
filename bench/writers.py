"""Where a corpus's errors are: CER per writer (or page) of the real-handwriting line model's test writers, with the
greedy and the language-model decoder, worst first, and each writer's share of the corpus's character errors.

    python bench/writers.py copiste_fr [--card CARD] [--top 10]
"""

import argparse
from collections import defaultdict

from text_recognizer.cards import load_card
from text_recognizer.line_decoder import LineDecoder
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from text_recognizer.metrics import character_error_rate
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
    readings = {name: [LineDecoder(card, name)(output).text for output in outputs] for name in ("greedy", "lm")}
    by_writer = defaultdict(list)  # writer -> indices of its lines
    for index, line in enumerate(lines):
        by_writer[line.group].append(index)
    references = [line.text for line in lines]

    def cer(name: str, indices: list[int], fold=str) -> float:
        return character_error_rate([fold(readings[name][i]) for i in indices], [fold(references[i]) for i in indices])

    chars = {writer: sum(len(references[i]) for i in indices) for writer, indices in by_writer.items()}
    lm = {writer: cer("lm", indices) for writer, indices in by_writer.items()}
    total = sum(lm[writer] * chars[writer] for writer in by_writer)
    overall = cer("lm", range(len(lines)))
    print(f"{args.corpus}: {len(lines)} test lines of {len(by_writer)} writers, lm CER {overall:.3f}")
    print(f"{'writer':32s} {'chars':>6s} {'CER lm':>7s} {'greedy':>7s} {'any case':>8s} {'share of errors':>15s}")
    for writer in sorted(by_writer, key=lambda writer: -lm[writer] * chars[writer])[: args.top]:
        indices = by_writer[writer]
        print(
            f"{writer:32s} {chars[writer]:6d} {lm[writer]:7.3f} {cer('greedy', indices):7.3f} "
            f"{cer('lm', indices, str.lower):8.3f} {lm[writer] * chars[writer] / max(total, 1e-9):15.3f}"
        )


if __name__ == "__main__":
    main()
