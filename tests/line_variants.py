"""Real line images changed as users' images differ from the corpora's scans: uneven light, black and white, pieces
of neighbouring lines, a line askew, ruled paper, a dark frame. Shared by the line-fitting and predictor tests and
bench/image_conditions.py."""

import cv2
import numpy as np

from text_recognizer import line_skew


def falling_off(image: np.ndarray) -> np.ndarray:
    """Half the light at the left edge, all of it at the right."""
    return (image * np.linspace(0.5, 1.0, image.shape[1])).astype(np.uint8)


def shadow(image: np.ndarray) -> np.ndarray:
    """A soft vertical shadow a quarter of the line wide, half the light at its middle, a third of the way in."""
    width = image.shape[1]
    return (image * (1 - 0.5 * np.exp(-(((np.arange(width) - width / 3) / (width / 8)) ** 2)))).astype(np.uint8)


def thresholded(image: np.ndarray) -> np.ndarray:
    return cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


def saved_as_jpeg(image: np.ndarray, quality: int = 50) -> np.ndarray:
    return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_GRAYSCALE)


def turned(image: np.ndarray, degrees: float) -> np.ndarray:
    """Turned counter-clockwise about its middle on a canvas grown to hold all of it, the corners paper-coloured."""
    return line_skew.turned(image, degrees, int(np.median(image)))[0]


def on_ruled_paper(image: np.ndarray, level: int = 120) -> np.ndarray:
    """Two-pixel rules of grey `level` across the line: one at its baseline (the lowest row of at least half the
    densest row's ink) and one 0.9 of the image's height above it (or at its top)."""
    ink = np.clip(np.median(image) - image.astype(np.float32), 0, None).sum(axis=1)
    baseline = int(np.flatnonzero(ink >= ink.max() / 2)[-1])
    ruled = image.copy()
    for row in (baseline, max(0, baseline - round(0.9 * image.shape[0]))):
        ruled[row : row + 2] = np.minimum(ruled[row : row + 2], level)
    return ruled


def in_dark_frame(image: np.ndarray, share: float = 0.1, level: int = 40) -> np.ndarray:
    """Inside a frame of grey `level` `share` of its height thick: the black edge of a scan, a table around a photo."""
    thick = max(2, round(share * image.shape[0]))
    return np.pad(image, thick, constant_values=level)


def with_pieces_of_neighbours(images: list[np.ndarray], index: int, share: float = 0.3) -> np.ndarray:
    """Line `index` under the bottom `share` of the next line's image and over the top `share` of the one after, as
    a loose crop of a page would hold them."""
    image, above, below = (images[(index + step) % len(images)] for step in range(3))

    def as_wide(piece: np.ndarray) -> np.ndarray:
        piece = piece[:, : image.shape[1]]
        return np.pad(piece, ((0, 0), (0, image.shape[1] - piece.shape[1])), constant_values=int(np.median(piece)))

    cut = [round(share * neighbour.shape[0]) for neighbour in (above, below)]
    return np.vstack([as_wide(above[-cut[0] :]), image, as_wide(below[: cut[1]])])
