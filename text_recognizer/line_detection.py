"""From a page to line crops without TensorFlow: fit the page to the detector's canvas, mask -> line boxes -> crops.

A line detector labels each pixel background (0), odd line (1) or even line (2); a line is a connected region of one
label. Regions on the same rows are one line (a line broken at a word gap, or whose label flips halfway), and specks
are dropped.
"""

import cv2
import numpy as np

from text_recognizer.image_utils import light_on_dark, read_image

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive ends)
SPECK_FRACTION = 0.01  # regions smaller than this share of the largest are noise
LINE_FRACTION = 0.06  # merged lines smaller than this share of the largest are not lines
SAME_LINE_OVERLAP = 0.5  # vertical overlap (share of the lower height) that makes two regions one line


def fit_to_canvas(image: str | np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, float]:
    """The page as light ink on black, scaled to fit `size` (height, width) at the top-left; and the scale used."""
    gray = light_on_dark(read_image(image))
    scale = min(size[0] / gray.shape[0], size[1] / gray.shape[1])
    height, width = max(1, round(gray.shape[0] * scale)), max(1, round(gray.shape[1] * scale))
    if scale < 0.5:  # thicken strokes first, so thin pens survive the shrinking
        gray = cv2.dilate(gray, np.ones((round(1 / scale),) * 2, np.uint8))
    canvas = np.zeros(size, np.uint8)
    canvas[:height, :width] = cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
    return canvas, scale


def line_boxes(class_map: np.ndarray) -> list[Box]:
    """Boxes of the lines in a (H, W) map of labels 0/1/2, top to bottom."""
    regions = []
    for label in (1, 2):
        count, _, stats, _ = cv2.connectedComponentsWithStats((class_map == label).astype(np.uint8), connectivity=8)
        regions += [(x, y, x + w, y + h, area) for x, y, w, h, area in stats[1:count]]
    if not regions:
        return []
    largest = max(r[4] for r in regions)
    lines = _merge_same_rows([r for r in regions if r[4] >= SPECK_FRACTION * largest])
    largest = max(r[4] for r in lines)
    kept = [r[:4] for r in lines if r[4] >= LINE_FRACTION * largest]
    return sorted(kept, key=lambda box: box[1] + box[3])


def _merge_same_rows(regions: list[tuple]) -> list[tuple]:
    """Union regions that share most of their rows, repeatedly, keeping the summed area."""
    merged: list[list] = []
    for region in sorted(regions, key=lambda r: -r[4]):
        for line in merged:
            overlap = min(line[3], region[3]) - max(line[1], region[1])
            if overlap >= SAME_LINE_OVERLAP * min(line[3] - line[1], region[3] - region[1]):
                line[:] = [
                    min(line[0], region[0]),
                    min(line[1], region[1]),
                    max(line[2], region[2]),
                    max(line[3], region[3]),
                    line[4] + region[4],
                ]
                break
        else:
            merged.append(list(region))
    return [tuple(line) for line in merged]


def crop_boxes(boxes: list[Box], scale: float, page_shape: tuple[int, int]) -> list[Box]:
    """Line boxes on the page: scaled back, widened halfway to the neighbouring lines for ascenders and descenders."""
    crops = []
    for index, (x0, y0, x1, y1) in enumerate(boxes):
        band = y1 - y0
        top = (boxes[index - 1][3] + y0) / 2 if index > 0 else y0 - band
        bottom = (y1 + boxes[index + 1][1]) / 2 if index + 1 < len(boxes) else y1 + band
        top, bottom = min(top, y0 - band / 2), max(bottom, y1 + band / 2)
        crops.append(_clip(to_page([(x0 - band / 2, top, x1 + band / 2, bottom)], scale)[0], page_shape))
    return crops


def to_page(boxes: list, scale: float) -> list[Box]:
    """Canvas boxes in page pixels."""
    return [tuple(round(v / scale) for v in box) for box in boxes]


def _clip(box: Box, shape: tuple[int, int]) -> Box:
    x0, y0, x1, y1 = box
    return max(0, x0), max(0, y0), min(shape[1], x1), min(shape[0], y1)


def crop_lines(page: np.ndarray, crops: list[Box], bands: list[Box]) -> list[np.ndarray]:
    """Each crop of the page, light ink on dark, without the strokes of neighbouring lines.

    A stroke (connected ink) is kept when it reaches the line's band, or is small and within a band height above it
    (an i-dot, an apostrophe), so the descenders and ascenders of the lines above and below go.
    """
    ink = light_on_dark(read_image(page))
    lines = []
    for (x0, y0, x1, y1), (_, top, _, bottom) in zip(crops, bands, strict=True):
        crop = ink[y0:y1, x0:x1].copy()
        count, labels, stats, _ = cv2.connectedComponentsWithStats((crop > 48).astype(np.uint8), connectivity=8)
        upper, lower = stats[:, 1] + y0, stats[:, 1] + stats[:, 3] + y0
        height = bottom - top
        touching = (upper < bottom) & (lower > top)
        dots = (stats[:, 3] < height / 2) & (lower <= top) & (lower > top - height)
        keep = [i for i in range(1, count) if touching[i] or dots[i]]
        strokes = cv2.dilate(np.isin(labels, keep).astype(np.uint8), np.ones((3, 3), np.uint8))
        crop[strokes == 0] = 0
        lines.append(crop)
    return lines
