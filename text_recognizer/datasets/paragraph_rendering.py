"""Drawing synthetic paragraphs: lines of EMNIST glyphs with handwriting-like spacing, slope, waviness and ink.

Each line's label covers its core band (the middle of its glyph height) from its first to its last glyph, so
neighbouring lines stay apart in the mask; lines alternate between label 1 (odd, counted from the top) and 2 (even).
"""

import cv2
import numpy as np

from text_recognizer.datasets.emnist_lines import render_line
from text_recognizer.datasets.formats import GLYPH
from text_recognizer.datasets.sentences import SentenceSampler

CORE_BAND = (0.25, 0.75)  # rows of a glyph box that carry the line label


def draw_line(
    text: str, pools: dict, height: int, width: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A `height` x `width` line of the text and its core-band mask, bent by a small slope and a slow wave."""
    strip = render_line(text, pools, rng.uniform(0.1, 0.4), GLYPH * len(text), rng)
    columns = np.nonzero(strip.max(axis=0))[0]
    strip = strip[:, columns[0] : columns[-1] + 1] if len(columns) else strip[:, :GLYPH]
    line = cv2.resize(strip, (width, height), interpolation=cv2.INTER_AREA)
    band = np.zeros((height, width), np.uint8)
    band[round(height * CORE_BAND[0]) : round(height * CORE_BAND[1]) + 1] = 1
    return bend(line, band, rng)


def bend(
    line: np.ndarray, band: np.ndarray, rng: np.random.Generator, period_scale: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """A line and its band bent alike by a small slope and a slow wave (of 60-200 pixels times `period_scale`);
    both grow by half their height above and below, so what bends off the line's rows stays on the page."""
    height, width = line.shape
    pad = height
    xs = np.arange(width, dtype=np.float32)
    shift = np.tan(np.radians(rng.uniform(-2.5, 2.5))) * (xs - width / 2) + rng.uniform(0, 0.12) * height * np.sin(
        2 * np.pi * xs / (rng.uniform(60, 200) * period_scale) + rng.uniform(0, 2 * np.pi)
    )
    map_x = np.tile(xs, (height + 2 * pad, 1))
    map_y = (np.arange(height + 2 * pad)[:, None] - pad - shift[None, :]).astype(np.float32)
    bent = cv2.remap(line, map_x, map_y, cv2.INTER_LINEAR, borderValue=0)
    bent_band = cv2.remap(band, map_x, map_y, cv2.INTER_NEAREST, borderValue=0)
    return bent[pad // 2 : -pad // 2], bent_band[pad // 2 : -pad // 2]


def draw_paragraph(
    sampler: SentenceSampler, pools: dict, size: int, max_lines: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A size x size paragraph, light ink on black from the top-left, and its background/odd/even line mask."""
    image = np.zeros((size, size), np.uint8)
    mask = np.zeros((size, size), np.uint8)
    height = int(rng.integers(max(8, size // 32), max(10, size // 9)))
    pitch = height / rng.uniform(0.45, 0.95)
    char_width = height * rng.uniform(0.3, 0.7)
    left = int(rng.integers(0, size // 12 + 1))
    usable = size - left - int(rng.integers(0, size // 12 + 1))
    bottom = size * rng.uniform(0.35, 1.0)
    num_lines = int(np.clip((bottom - height) // pitch + 1, 1, max_lines))
    top = rng.uniform(0, max(1.0, size - (num_lines - 1) * pitch - 1.5 * height) / 4)
    for index in range(num_lines):
        fill = rng.uniform(0.85, 1.0) if index < num_lines - 1 else rng.uniform(0.15, 0.95)
        text = _fill(sampler, max(1, int(usable * fill / char_width)), rng)
        width = int(min(usable, max(height, len(text) * char_width)))
        line, band = draw_line(text, pools, height, width, rng)
        x = left + int(rng.integers(0, max(1, usable - width) // 4 + 1))
        y = round(top + index * pitch * rng.uniform(0.95, 1.05)) - (line.shape[0] - height) // 2
        paste(image, mask, line, band, x, y, label=1 + index % 2)
    return ink_style(image, rng), mask


def _fill(sampler: SentenceSampler, length: int, rng: np.random.Generator) -> str:
    """Text of nearly `length` characters (whole words), as a line in the middle of a paragraph has."""
    text = sampler.sample(length, rng)
    while len(text) < 0.85 * length - 2:
        text = f"{text} {sampler.sample(length - len(text) - 1, rng)}".strip()
    return text


def paste(image: np.ndarray, mask: np.ndarray, line: np.ndarray, band: np.ndarray, x: int, y: int, label: int) -> None:
    """Put a line on the page (clipped at the edges): ink by maximum, its band's label over what is beneath."""
    top, bottom = max(0, y), min(image.shape[0], y + line.shape[0])
    right = min(image.shape[1], x + line.shape[1])
    if bottom <= top or right <= x:
        return
    piece = line[top - y : bottom - y, : right - x]
    np.maximum(image[top:bottom, x:right], piece, out=image[top:bottom, x:right])
    region = mask[top:bottom, x:right]
    region[band[top - y : bottom - y, : right - x] > 0] = label


def ink_style(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vary stroke width, sharpness, contrast and background like scans of different pens and paper."""
    kernel = np.ones((2, 2), np.uint8)
    choice = rng.random()
    if choice < 0.3:
        image = cv2.erode(image, kernel)
    elif choice < 0.5:
        image = cv2.dilate(image, kernel)
    if rng.random() < 0.4:
        image = cv2.GaussianBlur(image, (3, 3), rng.uniform(0.3, 1.0))
    ink = image.astype(np.float32) * rng.uniform(0.5, 1.0)
    ink += rng.uniform(0, 20) + rng.normal(0, rng.uniform(0, 6), image.shape)
    return np.clip(ink, 0, 255).astype(np.uint8)
