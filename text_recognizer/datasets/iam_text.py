"""IAM's ground-truth files (ascii/lines.txt, ascii/forms.txt): parsed into lines with their text, and form writers.

lines.txt rows read `a01-000u-00 ok 154 19 408 746 1661 89 A|MOVE|to|stop|Mr.|Gaitskell|from` (CRLF line ends):
id, word segmentation status (ok/err), graylevel, number of components, bounding box x y w h in the form, and the
words separated by `|` (a space inside a word is literal). Texts are rebuilt as written: no space before closing
punctuation or contractions (`You're`), and quotes attached to the words they enclose (tracked across the lines of a
form).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from text_recognizer.errors import DataError

CLOSING = {".", ",", ";", ":", "!", "?", ")"}
OPENING = {"("}
QUOTES = {'"', "'"}
CONTRACTION = re.compile(r"'(s|re|ve|ll|d|m|t)|n't", re.IGNORECASE)  # IAM writes `You 're`, `do n't`


@dataclass(frozen=True)
class IamLine:
    """One handwritten line: where it is in its form and what it says."""

    id: str
    form: str
    ok: bool
    graylevel: int
    box: tuple[int, int, int, int]  # x, y, w, h in the form image
    text: str

    @property
    def file_name(self) -> str:
        return f"{self.id}.png"


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    """Non-comment rows of an IAM ascii file split at spaces (CRLF or LF line ends)."""
    if not path.is_file():
        raise DataError(f"{path} is missing.")
    rows = []
    for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        row = raw.rstrip("\r")
        if row and not row.startswith("#"):
            rows.append((number, row.split(" ")))
    return rows


def parse_lines(path: Path) -> list[IamLine]:
    """Every line of lines.txt, in file order, with its text rebuilt from the words."""
    parsed = []
    for number, fields in _rows(path):
        if len(fields) < 9 or fields[1] not in ("ok", "err"):
            raise DataError(f"{path}:{number} is not an IAM lines.txt row (id, ok/err, 6 numbers, words): {fields!r}")
        line_id, status, graylevel, _, x, y, w, h = fields[:8]
        words = " ".join(fields[8:]).split("|")  # a space inside a word survives the split at spaces
        parsed.append((line_id, status == "ok", int(graylevel), (int(x), int(y), int(w), int(h)), words))
    texts = detokenize_forms([(line_id.rsplit("-", 1)[0], words) for line_id, _, _, _, words in parsed])
    return [
        IamLine(line_id, line_id.rsplit("-", 1)[0], ok, gray, box, text)
        for (line_id, ok, gray, box, _), text in zip(parsed, texts, strict=True)
    ]


def parse_forms(path: Path) -> dict[str, str]:
    """Writer id of every form in forms.txt."""
    writers = {}
    for number, fields in _rows(path):
        if len(fields) < 8:
            raise DataError(f"{path}:{number} is not an IAM forms.txt row (form, writer, 6 more fields): {fields!r}")
        writers[fields[0]] = fields[1]
    return writers


def detokenize_forms(lines: list[tuple[str, list[str]]]) -> list[str]:
    """Texts of (form id, words) lines; whether a quote opens or closes carries over lines of the same form."""
    texts, open_quotes, form = [], set(), None
    for line_form, words in lines:
        if line_form != form:
            open_quotes, form = set(), line_form
        texts.append(_join(words, open_quotes))
    return texts


def _join(words: list[str], open_quotes: set[str]) -> str:
    text, glue_next = "", True
    for word in words:
        if word in QUOTES:
            closing = word in open_quotes
            open_quotes.symmetric_difference_update({word})
            glue_before, glue_after = closing, not closing
        else:
            glue_before, glue_after = word in CLOSING or bool(CONTRACTION.fullmatch(word)), word in OPENING
        text += word if glue_next or glue_before else f" {word}"
        glue_next = glue_after
    return text
