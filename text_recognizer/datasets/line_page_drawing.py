"""Drawing pages from real handwritten line images, for the line detector: each line cleaned to its own strokes,
labelled on its core band (the rows of its small letters), stacked with handwriting-like spacing, slope, indentation
and ragged right edges into a page of page pixels, then fitted to the canvas as `line_detection.fit_to_canvas` fits
real pages. Masks are those of the synthetic paragraphs: 0 background, 1 odd line, 2 even line, counted from the top.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from text_recognizer.datasets.paragraph_rendering import bend, ink_style, paste
from text_recognizer.image_utils import light_on_dark, read_image
from text_recognizer.line_detection import crop_lines, fit_to_canvas

INK = 48  # pixel value above which a pixel is ink (crop_lines' threshold)
RULE_SHARE = 0.25  # a straight horizontal run of ink this share of the line's width is a ruled line, not writing
CORE_DENSITY = 0.45  # rows whose ink is at least this share of the densest row's make the core band
MIN_BAND_SHARE = 0.15  # a core band thinner than this share of the line's ink height is no band of small letters
BAND_HEIGHT = (10, 36)  # core band height in page pixels, as scanned pages show it
PITCH = (2.5, 4.5)  # line pitch in core band heights
COLUMN = (20, 60)  # width of a rewrapped column in core band heights
WORD_GAP = 0.6  # empty columns, in core band heights, that part two words


@dataclass(frozen=True)
class LineInk:
    """A line's strokes (light on black, cropped to its ink) and the rows of its core band, top and bottom."""

    ink: np.ndarray
    top: int
    bottom: int


def clean_line(image) -> LineInk | None:
    """A real line image as LineInk: light on dark, ruled lines and the strokes of neighbouring lines taken away
    (crop_lines keeps the strokes that reach the band); None when nothing like writing is left."""
    ink = light_on_dark(read_image(image))
    rule = cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, int(ink.shape[1] * RULE_SHARE)), 1))
    ink[cv2.dilate(cv2.morphologyEx((ink > INK).astype(np.uint8), cv2.MORPH_OPEN, rule), np.ones((3, 3))) > 0] = 0
    band = core_rows(ink)
    if band is None:
        return None
    ink = crop_lines(ink, [(0, 0, ink.shape[1], ink.shape[0])], [(0, band[0], ink.shape[1], band[1])])[0]
    rows, columns = np.nonzero((ink > INK).any(axis=1))[0], np.nonzero((ink > INK).any(axis=0))[0]
    height = band[1] - band[0]
    if not len(rows) or height < MIN_BAND_SHARE * (rows[-1] - rows[0]) or columns[-1] - columns[0] < 3 * height:
        return None  # a band that is a stroke's edge (a rule's trace), or too little writing to be a line
    ink = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    return LineInk(ink, band[0] - rows[0], band[1] - rows[0])


def core_rows(ink: np.ndarray) -> tuple[int, int] | None:
    """The run of dense rows around the densest one (the small letters' band), as (top, bottom exclusive)."""
    profile = np.convolve((ink > INK).mean(axis=1), np.ones(3) / 3, mode="same")
    if profile.max() < 0.02:
        return None
    peak, dense = int(profile.argmax()), profile >= CORE_DENSITY * profile.max()
    top, bottom = peak, peak + 1
    while top > 0 and dense[top - 1]:
        top -= 1
    while bottom < len(dense) and dense[bottom]:
        bottom += 1
    return (top, bottom) if bottom - top >= 3 else None


def page_lines(lines: list[LineInk], count: int, rng: np.random.Generator) -> list[LineInk]:
    """Up to `count` lines for a page: most pages rewrap the lines at word gaps into a narrower column (in band
    heights, so any size of writing), and the last line, like a few others, ends short as a paragraph's does."""
    column = rng.uniform(*COLUMN) if rng.random() < 0.7 else np.inf
    pieces = []
    for line in lines:
        while len(pieces) < count:
            width = column * (line.bottom - line.top)
            if line.ink.shape[1] <= width:
                pieces.append(line)
                break
            head, rest = split_at_gap(line, width / line.ink.shape[1])
            pieces.append(head)
            if rest is None:
                break
            line = rest
    for index, line in enumerate(pieces):
        if index == len(pieces) - 1 or rng.random() < 0.1:
            pieces[index] = split_at_gap(line, rng.uniform(0.2, 0.95))[0]
    return pieces


def split_at_gap(line: LineInk, share: float) -> tuple[LineInk, LineInk | None]:
    """The line cut near `share` of its width, in the word gap nearest to it (anywhere when it has none), each part
    trimmed to its ink; a part with too little ink (under three band heights wide) is None and left to the other."""
    inked = (line.ink > INK).any(axis=0)
    target = max(1, int(line.ink.shape[1] * share))
    gaps = _word_gaps(inked, WORD_GAP * (line.bottom - line.top))
    cut = int(gaps[np.abs(gaps - target).argmin()]) if len(gaps) else target
    parts = [_trimmed(line, slice(0, cut), inked[:cut]), _trimmed(line, slice(cut, None), inked[cut:])]
    if parts[0] is None:
        return line, None
    return parts[0], parts[1]


def _word_gaps(inked: np.ndarray, least: float) -> np.ndarray:
    """Middle columns of the runs of empty columns at least `least` wide."""
    edges = np.diff(np.concatenate([[1], inked.astype(np.int8), [1]]))
    starts, ends = np.nonzero(edges == -1)[0], np.nonzero(edges == 1)[0]
    wide = ends - starts >= least
    return (starts[wide] + ends[wide]) // 2


def _trimmed(line: LineInk, columns: slice, inked: np.ndarray) -> LineInk | None:
    kept = np.nonzero(inked)[0]
    if len(kept) == 0 or kept[-1] - kept[0] < 3 * (line.bottom - line.top):
        return None
    start = (columns.start or 0) + kept[0]
    return LineInk(line.ink[:, start : start + kept[-1] - kept[0] + 1], line.top, line.bottom)


def draw_page(lines: list[LineInk], size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A size x size canvas of the lines stacked as a page (none: a blank, noisy page) and its line mask."""
    band_height = rng.uniform(*BAND_HEIGHT)
    pitch = band_height * rng.uniform(*PITCH)
    stretch = rng.uniform(0.85, 1.2)
    placed, x_offsets = [], []
    typical = float(np.median([line.bottom - line.top for line in lines])) if lines else 1.0
    for index, line in enumerate(lines):
        own = np.clip(line.bottom - line.top, 0.75 * typical, 1.33 * typical)  # one writer's size, within reason
        scale = band_height / own * rng.uniform(0.93, 1.07)
        placed.append(_scaled(line, scale, stretch * rng.uniform(0.95, 1.05), rng))
        indented = rng.random() < (0.5 if index == 0 else 0.1)
        x_offsets.append(band_height * (rng.uniform(1.5, 5) if indented else rng.uniform(0, 0.4)))
    width = max([x + ink.shape[1] for x, (ink, _, _) in zip(x_offsets, placed, strict=True)], default=0)
    margins = np.array([rng.uniform(0, 0.15), rng.uniform(0, 0.15)]) * max(width, 200)
    if rng.random() < 0.2:  # a wide blank margin, as when a paragraph sits on a larger page
        margins[rng.integers(2)] += rng.uniform(0.2, 0.6) * max(width, 200)
    top = rng.uniform(0.8, 3) * band_height
    page_height = int(top + len(lines) * pitch + rng.uniform(1, 4) * band_height)
    page = np.zeros((max(page_height, 64), int(margins.sum() + width) + 1), np.uint8)
    mask = np.zeros_like(page)
    for index, ((ink, band_top, band), x) in enumerate(zip(placed, x_offsets, strict=True)):
        y = round(top + index * pitch * rng.uniform(0.97, 1.03) - band_top)
        paste(page, mask, ink, band, int(margins[0] + x), y, label=1 + index % 2)
    if rng.random() < (0.3 if lines else 0.7):
        _specks(page, band_height, rng)
    if rng.random() < 0.5:  # dark ink on light paper: fit_to_canvas turns it around, as it does real scans
        paper = 255 - rng.uniform(0, 40)
        page = np.clip(paper - page * rng.uniform(0.6, 0.95), 0, 255).astype(np.uint8)
    return _fit(page, mask, size, rng)


def _scaled(
    line: LineInk, scale: float, stretch: float, rng: np.random.Generator
) -> tuple[np.ndarray, int, np.ndarray]:
    """The line at `scale` (widened by `stretch`) and bent; its band's top row and its band mask from first to last
    ink column, both grown by the bend's margin."""
    height = max(4, round(line.ink.shape[0] * scale))
    width = max(4, round(line.ink.shape[1] * scale * stretch))
    ink = cv2.resize(line.ink, (width, height), interpolation=cv2.INTER_LINEAR)
    band = np.zeros_like(ink)
    top, bottom = round(line.top * scale), max(round(line.top * scale) + 2, round(line.bottom * scale))
    band[top:bottom] = 1
    bent, bent_band = bend(ink, band, rng, period_scale=height / 18)
    return bent, top + height // 2, bent_band


def _specks(page: np.ndarray, band_height: float, rng: np.random.Generator) -> None:
    """Dust and dots of ink that belong to no line."""
    for _ in range(int(rng.integers(1, 30))):
        radius = max(1, int(rng.uniform(0.05, 0.25) * band_height))
        centre = (int(rng.integers(page.shape[1])), int(rng.integers(page.shape[0])))
        cv2.circle(page, centre, radius, int(rng.integers(100, 255)), -1)


def _fit(page: np.ndarray, mask: np.ndarray, size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The page on the canvas as fit_to_canvas puts it, the mask by the same scale, and scan-like ink."""
    canvas, scale = fit_to_canvas(page, (size, size))
    height, width = max(1, round(mask.shape[0] * scale)), max(1, round(mask.shape[1] * scale))
    labels = np.zeros((size, size), np.uint8)
    labels[:height, :width] = cv2.resize(mask, (width, height), interpolation=cv2.INTER_NEAREST)
    return ink_style(canvas, rng), labels
