"""Lines that run at an angle to the image's rows (a page photographed or scanned askew, a line written uphill): how
far they run off, and the line or page turned level. The networks were trained on level lines (and rotations of at
most 1.5 degrees); lines 3 degrees off read at up to 1.7 times their CER (bench/image_conditions.py)."""

import math

import cv2
import numpy as np

from text_recognizer.image_utils import border_level

MAX_SKEW = 8.0  # degrees searched either way
COARSE_STEP, FINE_STEP = 1.0, 0.25  # degrees
MIN_SKEW = 0.5  # degrees: lines and pages nearer level are left as they are
LEVEL_MARGIN = 1.02  # an angle must make the rows this much sharper than level does to count
PAGE_SKEW_WIDTH = 400  # pixels: a page's skew is measured at this width (a line's at half its size)

Turn = np.ndarray  # a 2x3 affine matrix from an image's pixels to its levelled copy's


def skew_degrees(ink: np.ndarray, threshold: int, scale: float = 0.5) -> float:
    """How many degrees the rows of writing of a light-on-dark image fall from left to right (negative: rise): the
    angle whose shear makes the rows of ink sharpest (the largest sum of squared row sums of the pixels above
    `threshold`, the image resized by `scale`), searched in COARSE_STEP steps to MAX_SKEW either way, then in
    FINE_STEP steps about the best; 0 unless that angle beats level by LEVEL_MARGIN."""
    size = (max(1, round(ink.shape[1] * scale)), max(1, round(ink.shape[0] * scale)))
    small = cv2.resize(ink, size, interpolation=cv2.INTER_AREA)
    ys, xs = np.nonzero(small > threshold)
    if len(ys) < 2:
        return 0.0
    weights = small[ys, xs].astype(np.float64)
    xs = xs - xs.mean()
    margin = math.ceil(math.tan(math.radians(MAX_SKEW + COARSE_STEP)) * np.abs(xs).max()) + 1
    rows = small.shape[0] + 2 * margin

    def sharpness(degrees: np.ndarray) -> np.ndarray:  # each angle's rows counted in a band of its own
        bands = rows * np.arange(len(degrees))[:, None] + margin
        bins = np.rint(ys - np.tan(np.radians(degrees))[:, None] * xs).astype(np.int64) + bands
        profiles = np.bincount(bins.ravel(), np.tile(weights, len(degrees)), rows * len(degrees))
        return np.einsum("ij,ij->i", *(profiles.reshape(len(degrees), rows),) * 2)

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + COARSE_STEP / 2, COARSE_STEP)
    scores = sharpness(coarse)
    fine = coarse[scores.argmax()] + np.arange(-COARSE_STEP + FINE_STEP, COARSE_STEP, FINE_STEP)
    fine_scores = sharpness(fine)
    best = int(fine_scores.argmax())
    return float(fine[best]) if fine_scores[best] >= LEVEL_MARGIN * scores[len(coarse) // 2] else 0.0


def turned(image: np.ndarray, degrees: float, fill: int) -> tuple[np.ndarray, Turn]:
    """The image turned counter-clockwise by `degrees` about its middle, on a canvas grown to hold all of it (the
    corners `fill`), and the matrix that took its pixels there."""
    height, width = image.shape
    cos, sin = math.cos(math.radians(degrees)), abs(math.sin(math.radians(degrees)))
    grown = (math.ceil(width * cos + height * sin), math.ceil(height * cos + width * sin))
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    turn[:, 2] += ((grown[0] - width) / 2, (grown[1] - height) / 2)
    return cv2.warpAffine(image, turn, grown, flags=cv2.INTER_LINEAR, borderValue=fill), turn


def level(ink: np.ndarray, threshold: int) -> tuple[np.ndarray, Turn | None]:
    """A light-on-dark line turned level when it runs at least MIN_SKEW off (on a dark canvas grown to hold it), and
    the turn (None when it was left as it is)."""
    degrees = skew_degrees(ink, threshold)
    return (ink, None) if abs(degrees) < MIN_SKEW else turned(ink, degrees, 0)


def level_page(page: np.ndarray, threshold: int) -> tuple[np.ndarray, Turn | None]:
    """A grayscale page turned level when its lines run at least MIN_SKEW off, its corners filled with the paper's
    level (the median of its border), and the turn (None when it was left as it is). The skew is measured on the
    page at PAGE_SKEW_WIDTH pixels wide, its ink (light or dark) stretched to 255 above the paper."""
    paper = round(border_level(page))
    scale = min(1.0, PAGE_SKEW_WIDTH / page.shape[1])
    size = (max(1, round(page.shape[1] * scale)), max(1, round(page.shape[0] * scale)))
    ink = cv2.absdiff(cv2.resize(page, size, interpolation=cv2.INTER_AREA), paper)
    ink = cv2.convertScaleAbs(ink, alpha=255.0 / max(1, int(ink.max())))
    degrees = skew_degrees(ink, threshold, scale=1.0)
    return (page, None) if abs(degrees) < MIN_SKEW else turned(page, degrees, paper)


def back(turn: Turn, points: np.ndarray) -> np.ndarray:
    """Points (x, y) of a levelled image, in the image it was turned from."""
    inverse = cv2.invertAffineTransform(turn)
    return np.asarray(points, np.float64) @ inverse[:, :2].T + inverse[:, 2]


def box_back(turn: Turn, box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A box (x0, y0, x1, y1, ends exclusive) of a levelled image: the box around it in the image of `size` (width,
    height) it was turned from."""
    x0, y0, x1, y1 = box
    corners = back(turn, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    left, top = (int(max(0, math.floor(v))) for v in corners.min(axis=0))
    right, bottom = (int(min(end, math.ceil(v))) for v, end in zip(corners.max(axis=0), size, strict=True))
    return left, top, max(right, left + 1), max(bottom, top + 1)
