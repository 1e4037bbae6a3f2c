"""Corrections from the web page: line crops of an uploaded page with the texts a person typed, appended to a folder
in the LinesFolderDataset format (`labels.csv` with `filename,text`, the PNG crops beside it), ready for fine-tuning
with `init_from`.

The folder is $TEXT_RECOGNIZER_CORRECTIONS_DIR (default `data/corrections` in the repository; see
text_recognizer/settings.py). File names are made here (time, a random part, the line's number), never from the
request, and every file is written inside the folder under a temporary name and renamed. Rows are appended to
`labels.csv` under an exclusive lock (flock) with one write each, so concurrent saves, by threads or by the server's
processes, neither interleave nor lose rows.
"""

import csv
import fcntl
import io
import os
import secrets
import time
from pathlib import Path

import cv2
import numpy as np

from api.uploads import ApiError

LABELS = "labels.csv"
MAX_LINES = 200  # per request
MAX_TEXT = 1000  # characters per line
SHAPE = '{"image": "data:image/png;base64,...", "lines": [{"box": [x0, y0, x1, y1], "text": "..."}]}'
CONTROL = {chr(code) for code in range(32)} | {"\x7f", "\u2028", "\u2029"}


def parse_lines(payload) -> list[tuple[tuple[int, int, int, int], str]]:
    """(box, text) of each line of a corrections request (400 for anything else)."""
    lines = payload.get("lines") if isinstance(payload, dict) else None
    if not isinstance(lines, list) or not lines:
        raise ApiError(400, f"Send {SHAPE}.")
    if len(lines) > MAX_LINES:
        raise ApiError(400, f"At most {MAX_LINES} lines per request, got {len(lines)}.")
    parsed = []
    for number, line in enumerate(lines, start=1):
        box = line.get("box") if isinstance(line, dict) else None
        text = line.get("text") if isinstance(line, dict) else None
        if not isinstance(box, list) or len(box) != 4 or not all(type(v) is int for v in box):
            raise ApiError(400, f"Line {number}: `box` must be four integers [x0, y0, x1, y1].")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, f"Line {number}: `text` must be a non-empty string.")
        text = text.strip()
        if len(text) > MAX_TEXT or any(char in CONTROL for char in text):
            raise ApiError(400, f"Line {number}: `text` must be one line of at most {MAX_TEXT} characters.")
        parsed.append((tuple(box), text))
    return parsed


def crops(page: np.ndarray, lines: list[tuple[tuple[int, int, int, int], str]]) -> list[np.ndarray]:
    """Each line's crop of the page (422 for a box that is not inside it)."""
    height, width = page.shape[:2]
    cut = []
    for number, ((x0, y0, x1, y1), _) in enumerate(lines, start=1):
        if not (0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height) or x1 - x0 < 3 or y1 - y0 < 3:
            raise ApiError(422, f"Line {number}: the box {[x0, y0, x1, y1]} is not inside the {width}x{height} image.")
        cut.append(page[y0:y1, x0:x1])
    return cut


def save(folder: Path, images: list[np.ndarray], texts: list[str]) -> list[str]:
    """Write the crops as PNGs into `folder` and append their rows to its labels.csv; the new file names."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        root = folder.resolve(strict=True)
    except OSError as error:
        raise ApiError(503, f"The corrections folder cannot be created: {error.strerror or error}.") from None
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    batch = secrets.token_hex(4)
    names = []
    for number, image in enumerate(images, start=1):
        name = f"{stamp}-{batch}-{number:03d}.png"
        target = root / name
        if target.parent != root:  # cannot happen with these names; the check keeps it so
            raise ApiError(500, "Refused a file name outside the corrections folder.")
        ok, encoded = cv2.imencode(".png", image)
        if not ok:
            raise ApiError(422, f"Line {number} could not be encoded as PNG.")
        partial = root / f".{name}.part"
        try:
            partial.write_bytes(encoded.tobytes())
            os.replace(partial, target)
        except OSError as error:
            raise ApiError(503, f"The corrections folder cannot be written: {error.strerror or error}.") from None
        names.append(name)
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    for name, text in zip(names, texts, strict=True):
        writer.writerow([name, text])
    try:
        with open(root / LABELS, "a+b") as labels:
            fcntl.flock(labels, fcntl.LOCK_EX)
            try:
                labels.seek(0, os.SEEK_END)
                header = b"filename,text\n" if labels.tell() == 0 else b""
                labels.write(header + rows.getvalue().encode("utf-8"))
                labels.flush()
                os.fsync(labels.fileno())
            finally:
                fcntl.flock(labels, fcntl.LOCK_UN)
    except OSError as error:
        raise ApiError(503, f"The corrections labels cannot be written: {error.strerror or error}.") from None
    return names
