"""labels.tsv and the other tab-separated files of line corpora: UTF-8, one header row, no quoting (a text may hold
quotes; it never holds a tab or a newline)."""

import csv
from pathlib import Path
from typing import TextIO

from text_recognizer.errors import DataError


def read_tsv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a labels.tsv as dicts; a missing column or a short row is an error naming the file and row."""
    if not path.is_file():
        raise DataError(f"{path} is missing.")
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or not set(required) <= set(header):
            raise DataError(f"{path}: the header must name the columns {', '.join(required)}; it is {header}.")
        rows = []
        for number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise DataError(f"{path}:{number} has {len(row)} fields; the header has {len(header)}.")
            rows.append(dict(zip(header, row, strict=True)))
    return rows


def tsv_writer(file: TextIO):
    """A csv writer of that format on a file opened with newline=""."""
    return csv.writer(file, delimiter="\t", quoting=csv.QUOTE_NONE, quotechar=None, lineterminator="\n")
