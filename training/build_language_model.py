"""Build the character n-gram language model that `--decoder lm` reads, from text no model is measured on.

    python training/build_language_model.py --rwth-lists ../shared/data/iam/splits_rwth \
        --out text_recognizer/weights/lm/english_french_chars.npz

Lines of IAM and Copiste join the text a second time in capitals (--capitals) so that capitals follow capitals.
Each order in --orders is estimated and scored on the line model's validation writers (never its test writers); the
one with the lowest validation perplexity is saved. See text_recognizer/datasets/lm_text.py for what is held out.
"""

import argparse
import json
import sys
from pathlib import Path

from text_recognizer.char_lm import letter_runs
from text_recognizer.datasets.lm_text import (
    HELD_OUT_WORDS,
    SOURCES,
    capitals,
    held_out_groups,
    iam_lines_by_split,
    real_line_splits,
    training_units,
    validation_texts,
)
from text_recognizer.errors import UserError
from text_recognizer.settings import SHIPPED_WEIGHTS_DIR
from training import cli
from training.lm_orders import best_order

HANDWRITING_CARD = SHIPPED_WEIGHTS_DIR / "LineModelCtc_HandwritingLinesDataset_handwriting_crnn.json"
HANDWRITING_EXPERIMENT = Path(__file__).parent / "experiments" / "handwriting_line_predictor.json"
# Copiste's lines are the French that is read and names are unlike prose: both weighted up (validation perplexity and
# CER). French prose (100,000 sentences) brought Copiste's validation perplexity from 7.3 to 5.7.
DEFAULT_SOURCES = ["brown", "french-prose", "iam-train", "copiste-train:3", "hooker-train", "names-train:3"]
# Forms, headings and some writers' whole pages are in block capitals: lines of both languages again in capitals
# teach the model that capitals follow capitals (without them it has seen capitals only in names).
DEFAULT_CAPITALS = ["iam-train", "copiste-train"]
# Singletons of order 5 and n-grams of 6 and above seen under 3 times pruned: with French prose the model is then 5 MB,
# not 7, and reads validation lines as well (mean CER 0.1503 against 0.1501).
DEFAULT_MIN_COUNTS = ["5:2", "6:3"]
DEFAULT_OUT = SHIPPED_WEIGHTS_DIR / "lm" / "english_french_chars.npz"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build a character n-gram language model (modified Kneser-Ney).")
    parser.add_argument(
        "--corpus",
        action="append",
        metavar="NAME[:WEIGHT]",
        help=f"a training source ({', '.join(SOURCES)}, or a UTF-8 text file: a unit per line), its units repeated "
        f"WEIGHT times (default: {' '.join(DEFAULT_SOURCES)})",
    )
    parser.add_argument(
        "--words",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="a word list (UTF-8; every run of letters in it is a word) whose words join the training text's as the "
        "words word confidences count as known (the shipped model: training/lexicons/french_wordfreq_50k.txt)",
    )
    parser.add_argument(
        "--capitals",
        action="append",
        metavar="NAME[:WEIGHT]",
        help="a source whose units are added again in capitals, WEIGHT times, or 'none' "
        f"(default: {' '.join(DEFAULT_CAPITALS)})",
    )
    parser.add_argument("--orders", default="5,6,7,8", help="orders to try, comma-separated (default 5,6,7,8)")
    parser.add_argument(
        "--min-count",
        action="append",
        default=[],
        metavar="ORDER:COUNT",
        help="prune n-grams of ORDER (and above) seen fewer than COUNT times (default "
        f"{' '.join(DEFAULT_MIN_COUNTS)}: singletons of order 5 pruned, and n-grams of 6+ seen under 3 times)",
    )
    parser.add_argument(
        "--splits-from",
        type=Path,
        default=None,
        help="the line model's card or experiment config whose writer splits decide what is held out "
        f"(default: {HANDWRITING_CARD.name} when shipped, else {HANDWRITING_EXPERIMENT.name})",
    )
    parser.add_argument("--rwth-lists", default=None, help="folder of the RWTH split lists (default: data/raw/iam/)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"where to write the model (default {DEFAULT_OUT})"
    )
    return parser.parse_args(argv)


def parse_sources(values: list[str] | None, default: list[str] = DEFAULT_SOURCES) -> dict[str, int]:
    """NAME[:WEIGHT] -> {name: weight}; a name is one of SOURCES or a text file's path ("none" alone: no source)."""
    if values == ["none"]:
        return {}
    sources = {}
    for value in values or default:
        name, colon, weight = value.rpartition(":")
        if not colon:
            name, weight = weight, ""
        if name not in SOURCES and not Path(name).is_file():
            raise UserError(f"Unknown corpus {name!r}; valid: {', '.join(SOURCES)}, or the path of a text file.")
        if weight and (not weight.isdigit() or int(weight) < 1):
            raise UserError(f"The weight of {name} must be a whole number of repeats, at least 1, not {weight!r}.")
        sources[name] = int(weight or 1)
    return sources


def word_list(path: Path) -> frozenset[str]:
    """The words of a word-list file: its runs of letters, lower-cased."""
    text = path.read_text(encoding="utf-8")
    words = frozenset(letter_runs(text))
    if not words:
        raise UserError(f"The word list {path} holds no words.")
    return words


def parse_min_counts(values: list[str], highest: int) -> dict[int, int]:
    """Per order, the count below which its n-grams are pruned; ORDER:COUNT applies to ORDER and every order above."""
    thresholds = {}
    for value in values or DEFAULT_MIN_COUNTS:
        order, _, count = value.partition(":")
        if not (order.isdigit() and count.isdigit() and int(count) >= 1):
            raise UserError(f"--min-count takes ORDER:COUNT with whole numbers, not {value!r}.")
        for level in range(int(order), highest + 1):
            thresholds[level] = max(thresholds.get(level, 1), int(count))
    return thresholds


@cli.program
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with cli.user_errors(also=(ValueError, OSError)):
        sources = parse_sources(args.corpus)
        capital_sources = parse_sources(args.capitals, DEFAULT_CAPITALS)
        orders = [int(order) for order in args.orders.split(",")]
        min_counts = parse_min_counts(args.min_count, max(orders))
        extra = {path.name: word_list(path) for path in args.words}  # UnicodeDecodeError is a ValueError
        splits_from = args.splits_from or (HANDWRITING_CARD if HANDWRITING_CARD.exists() else HANDWRITING_EXPERIMENT)
        config = json.loads(splits_from.read_text())
        iam = iam_lines_by_split(args.rwth_lists)
        real = real_line_splits(config)
        units, report = training_units(sources, iam, real)
        more, capitals_report = training_units(capital_sources, iam, real)
        units += [capitals(unit) for unit in more]
        report.update({f"{source} in capitals": counts for source, counts in capitals_report.items()})
    for source, counts in report.items():
        print(
            f"{source}: {counts['units']:,} units, {counts['dropped_overlapping_held_out']:,} dropped as held-out "
            f"overlap, weight {counts['weight']}"
        )
    print(f"{len(units):,} training units, {sum(map(len, units)):,} characters; splits from {splits_from.name}")
    meta = {
        "sources": report,
        "held_out": f"RWTH test and validation lines; the val and test lines of {splits_from.name}'s corpora; "
        "the lines of the IAM paragraphs pages are measured on; "
        f"any unit sharing {HELD_OUT_WORDS} words in a row with them",
        "splits_from": {"file": splits_from.name, "run_id": config.get("run_id")},
        "held_out_groups": held_out_groups(real),
    }
    model = best_order(units, orders, min_counts, meta, validation_texts(real))
    model.meta["words"] = {"training text": len(model.words), **{name: len(words) for name, words in extra.items()}}
    model.words = model.words.union(*extra.values())
    print(f"{len(model.words):,} known words: {model.meta['words']}")
    model.save(args.out)
    print(f"saved order {model.order} to {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
