"""The real-handwriting line model on writers held apart from its training: CER and WER per corpus with the card's
default decoder (lm where its language model entry says so) and greedy, CER with beam search, LinePredictor
throughput on 64-px lines of about 1,000 px per decoder, and the training speed its card recorded.

    python bench/real_lines.py [--card CARD] [--beam-width 10] [--beam-lines 200]

The held-apart lines are the test split the card records (same corpora, fractions and seed), read from the image
files through LinePredictor (ONNX Runtime), as a user would. Names are scored case-insensitively (block capitals).
"""

import argparse

from line_speed import lines_per_second

from text_recognizer.cards import load_card
from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from text_recognizer.metrics import character_error_rate, word_error_rate

CASE_INSENSITIVE = {"names"}


def error_rates(predictor: LinePredictor, lines, lower: bool) -> tuple[float, float]:
    predictions = [text for text, _ in predictor.predict_batch([line.image for line in lines])]
    references = [line.text for line in lines]
    if lower:
        predictions, references = [p.lower() for p in predictions], [r.lower() for r in references]
    return character_error_rate(predictions, references), word_error_rate(predictions, references)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD)
    parser.add_argument("--beam-width", type=int, default=10)
    parser.add_argument("--beam-lines", type=int, default=200, help="test lines per corpus decoded by beam search")
    args = parser.parse_args()
    card = load_card(args.card)
    splits = HandwritingLinesDataset(**card["data"]["args"]).corpus_splits(train_only_corpora=False)
    held_apart = {name: part["test"] for name, part in splits.items()}
    default, greedy = LinePredictor(args.card), LinePredictor(args.card, decoder="greedy")
    beam = LinePredictor(args.card, beam_width=args.beam_width)
    name = default.decode.name
    print(f"card {args.card} (run {card['run_id']}), test writers held apart from training; default decoder {name}")
    print(
        f"corpus       lines  groups  CER {name:6s} WER {name:6s}  CER greedy  WER greedy  "
        f"CER beam{args.beam_width} (first {args.beam_lines})"
    )
    for corpus, lines in held_apart.items():
        lower = corpus in CASE_INSENSITIVE
        cer, wer = error_rates(default, lines, lower)
        greedy_cer, greedy_wer = error_rates(greedy, lines, lower) if name != "greedy" else (cer, wer)
        beam_cer, _ = error_rates(beam, lines[: args.beam_lines], lower)
        groups = len({line.group for line in lines})
        print(
            f"{corpus:11s} {len(lines):6d} {groups:7d} {cer:10.3f} {wer:10.3f} {greedy_cer:11.3f} {greedy_wer:11.3f} "
            f"{beam_cer:11.3f}"
        )
    every = [line for lines in held_apart.values() for line in lines]
    for decoder in dict.fromkeys((name, "greedy")):
        rate, width = lines_per_second(args.card, decoder, [line.image for line in every])
        print(
            f"LinePredictor.predict_batch (ONNX Runtime, {decoder}, batches of 64): {rate:.0f} lines/s, "
            f"unseen lines of 64x{width:.0f} px"
        )
    print(f"training speed recorded in the card: {card['metrics']['samples_per_s']:.1f} lines/s")


if __name__ == "__main__":
    main()
