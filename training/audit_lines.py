"""List the lines a line model reads least like their transcriptions: where a corpus's labels or crops are likely
wrong (the label of another line, a crop that cuts the line in half), for a person to check or to leave out of
training.

    python training/audit_lines.py [--card CARD] [--split train] [--threshold 0.75] [--out runs/line_audit.tsv]

Every line of the card's corpora in --split is read by the card's network alone (greedy: no language model to mend a
reading); lines whose CER is above --threshold are written, worst first, to a TSV with the columns corpus, file, group,
cer, text, read. HandwritingLinesDataset's `exclude` argument takes that file and leaves its lines out of training
(never out of validation or test).
"""

import argparse
import sys
from pathlib import Path

from text_recognizer.cards import load_card
from text_recognizer.datasets.tsv import tsv_writer
from text_recognizer.errors import DataError
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from text_recognizer.metrics import character_error_rate
from training import cli
from training.decoding_data import held_apart

COLUMNS = ("corpus", "file", "group", "cer", "text", "read")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD, help=f"the line model's card (default {DEFAULT_CARD})")
    parser.add_argument("--split", choices=("train", "val", "test"), default="train")
    parser.add_argument("--threshold", type=float, default=0.75, help="list lines read with a CER above this")
    parser.add_argument("--out", type=Path, default=Path("runs/line_audit.tsv"))
    return parser.parse_args(argv)


def audit(predictor: LinePredictor, lines_by_corpus: dict[str, list], threshold: float) -> tuple[list[dict], dict]:
    """Rows of the lines read with a CER above `threshold`, worst first, and per corpus (lines read, lines listed)."""
    rows, counts = [], {}
    for corpus, lines in lines_by_corpus.items():
        readings = predictor.predict_batch([line.image for line in lines])
        listed = 0
        for line, reading in zip(lines, readings, strict=True):
            cer = character_error_rate([reading.text], [line.text])
            if cer > threshold:
                listed += 1
                row = {"corpus": corpus, "file": line.image.name, "group": line.group, "cer": f"{cer:.3f}"}
                rows.append({**row, "text": line.text, "read": reading.text})
        counts[corpus] = (len(lines), listed)
    return sorted(rows, key=lambda row: -float(row["cer"])), counts


def write_rows(path: Path, rows: list[dict]) -> None:
    """The rows as a TSV (tabs and newlines in texts become spaces, so the file stays one row per line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with open(partial, "w", newline="", encoding="utf-8") as file:
        writer = tsv_writer(file)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([" ".join(str(row[column]).split()) for column in COLUMNS])
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with cli.user_errors(also=(DataError,)):
        if not 0 <= args.threshold < 1:
            raise DataError(f"--threshold is a CER from 0 to below 1, not {args.threshold}.")
        card = load_card(args.card)
        lines = held_apart(card, args.split)
        predictor = LinePredictor(args.card, decoder="greedy")
    rows, counts = audit(predictor, lines, args.threshold)
    write_rows(args.out, rows)
    for corpus, (read, listed) in counts.items():
        print(f"{corpus}: {listed:,} of {read:,} {args.split} lines read with a CER above {args.threshold}")
    print(f"wrote {len(rows):,} lines, worst first, to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
