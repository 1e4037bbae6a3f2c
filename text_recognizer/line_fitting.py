"""Real handwritten lines fitted to a line network's format: the ink found on the paper's own level, the frame of a
scan or photo, pieces of neighbouring lines and the rules of ruled paper left out, the line turned level, cropped to
its ink and scaled to the network's height; black-and-white lines softened."""

from pathlib import Path

import cv2
import numpy as np

from text_recognizer.image_utils import INK_THRESHOLD, ink_up, median_level, read_image
from text_recognizer.line_skew import back, level

BILEVEL_GREYS = 0.1  # under this share of mid-grey among its ink, an image is black and white (see is_bilevel)
BILEVEL_BLUR = 1 / 64  # the blur (sigma, a share of the line height) that softens a black-and-white line
FRAME_SHARE = 0.8  # rows and columns at a line's edges with ink over this share of their length are a frame
# Within this many core-band heights above and below a line's core band, strokes may be the line's own (see
# without_neighbours); pieces of other lines must also stay NEIGHBOUR_GAP band heights clear of it.
NEIGHBOUR_REACH = 1.0
NEIGHBOUR_GAP = 0.5
NEIGHBOUR_FAR = 1.5  # beyond this many band heights, on a side where the crop cut a line, nothing is the line's own


def fit_line_to_height(image: str | Path | np.ndarray, height: int, max_width: int) -> np.ndarray:
    """A line at `height` pixels with its own width (aspect kept): light ink on black (light_on_level_dark), cropped to
    its ink with a margin of 1/12 of the ink height above and below and height/8 left and right. Wider than
    `max_width`: squeezed. A dark frame around the paper (without_frame) and pieces of neighbouring lines
    (without_neighbours) are left out, a line running askew is turned level (line_skew), the rules of ruled paper
    are taken away (without_rules), a black-and-white image is softened (is_bilevel). Blank stays blank (height/2
    wide)."""
    return fit_line_placed(image, height, max_width)[0]


def fit_line_placed(
    image: str | Path | np.ndarray, height: int, max_width: int
) -> tuple[np.ndarray, tuple[int, float, int, int] | None]:
    """fit_line_to_height's line, and where it came from: the ink's left edge in the image, image pixels per line
    pixel along x, the line's left margin and its whole width (None for a blank image). For a line turned level these
    hold along its middle row."""
    image = read_image(image)
    gray, turn = level(without_neighbours(without_frame(light_on_level_dark(image))), INK_THRESHOLD)
    gray = without_rules(gray)
    ys, xs = np.nonzero(gray > INK_THRESHOLD)
    if len(ys) == 0:
        return np.zeros((height, height // 2), np.uint8), None
    margin = (ys.max() - ys.min() + 1) // 12
    crop = np.pad(gray[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], ((margin, margin), (0, 0)))
    side = height // 8
    scaled_width = min(max_width - 2 * side, max(1, round(crop.shape[1] * height / crop.shape[0])))
    interpolation = cv2.INTER_AREA if crop.shape[0] > height else cv2.INTER_LINEAR
    line = np.pad(cv2.resize(crop, (scaled_width, height), interpolation=interpolation), ((0, 0), (side, side)))
    if is_bilevel(image):  # soften the stair-stepped edges it never saw in training (bench/image_conditions.py)
        line = cv2.GaussianBlur(line, (0, 0), height * BILEVEL_BLUR)
    ink_left = int(xs.min()) if turn is None else round(back(turn, [[xs.min(), (ys.min() + ys.max()) / 2]])[0, 0])
    return line, (max(0, ink_left), crop.shape[1] / scaled_width, side, scaled_width + 2 * side)


def light_on_level_dark(gray: np.ndarray) -> np.ndarray:
    """light_on_dark with the background measured locally: a shadow or a gradient of light across a line is taken
    away instead of read as ink. The image opened (eroded, then dilated) by a square a quarter of its shorter side,
    wider than any stroke of a line, and smoothed over the same square, follows the paper's lowest level; the
    median of what stands above it, the paper's own texture, is taken away too."""
    gray, _ = ink_up(gray, whole_image=True)
    side = max(7, min(gray.shape) // 4 | 1)
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    above = cv2.subtract(gray, cv2.blur(cv2.morphologyEx(gray, cv2.MORPH_OPEN, square), (side, side)))
    ink = cv2.subtract(above, float(median_level(above)))
    peak = int(ink.max())
    if peak < 16:  # nothing but background
        return np.zeros_like(ink)
    return cv2.convertScaleAbs(ink, alpha=255.0 / peak)


def without_frame(ink: np.ndarray) -> np.ndarray:
    """A light-on-dark line without the frame that the black edge of a scan, or the table around a photographed
    page, leaves along its sides: the runs of rows and columns at its edges that are ink over FRAME_SHARE of their
    length, when a run is at least 1/16 of the image's shorter side (and 3 pixels) thick. Thinner edge lines are
    left: the name forms' one- and two-pixel box edges were there when the network learned to pass over them."""
    strokes = ink > INK_THRESHOLD
    rows = np.count_nonzero(strokes, axis=1) >= FRAME_SHARE * ink.shape[1]
    columns = np.count_nonzero(strokes, axis=0) >= FRAME_SHARE * ink.shape[0]
    thick = max(3, min(ink.shape) // 16)
    sides = [_leading(flags) for flags in (rows, rows[::-1], columns, columns[::-1])]
    top, bottom, left, right = (run if run >= thick else 0 for run in sides)
    if not top + bottom + left + right:
        return ink
    framed = ink.copy()
    framed[:top], framed[ink.shape[0] - bottom :], framed[:, :left], framed[:, ink.shape[1] - right :] = 0, 0, 0, 0
    return framed


def _leading(flags: np.ndarray) -> int:
    """How many of the flags are True before the first False."""
    return len(flags) if flags.all() else int(flags.argmin())


def without_neighbours(ink: np.ndarray) -> np.ndarray:
    """A light-on-dark line without the pieces of the lines above and below that a loose crop takes in. On a side
    where strokes are cut by the image's edge and that edge is more than NEIGHBOUR_REACH core-band heights from the
    line's core band, two kinds of strokes go: those cut by the edge that stay NEIGHBOUR_GAP clear of the band, and
    any lying wholly beyond NEIGHBOUR_FAR of it. The core band is the run of densest rows (ruled lines left out);
    when it touches an edge it may be a piece itself, and the image is left as it is."""
    strokes = (ink > INK_THRESHOLD).astype(np.uint8)
    height = ink.shape[0]
    band = _core_band(strokes)
    if band is None or band[0] == 0 or band[1] == height:
        return ink
    top, bottom = band
    reach, gap = NEIGHBOUR_REACH * (bottom - top), NEIGHBOUR_GAP * (bottom - top)
    cut_above = top - reach > 0 and strokes[0].any()
    cut_below = bottom + reach < height and strokes[-1].any()
    if not (cut_above or cut_below):
        return ink
    # Far strokes go only when the band is in the middle half of the image, as the line a loose crop was cut around
    far = NEIGHBOUR_FAR * (bottom - top) if height / 4 <= (top + bottom) / 2 <= 3 * height / 4 else height
    _, labels, stats, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    first = stats[:, cv2.CC_STAT_TOP]
    last = first + stats[:, cv2.CC_STAT_HEIGHT]
    pieces = (cut_above & (first == 0) & (last < top - gap)) | (cut_below & (last == height) & (first > bottom + gap))
    pieces |= (cut_above & (last < top - far)) | (cut_below & (first > bottom + far))
    pieces[0] = False  # the background
    return np.where(pieces[labels], 0, ink).astype(np.uint8) if pieces.any() else ink


def _core_band(strokes: np.ndarray) -> tuple[int, int] | None:
    """Rows [top, bottom) around the densest row of a line's strokes, down to 0.4 of its density (smoothed over
    1/16 of the height; lines longer than twice the height, as ruled baselines, left out); None without strokes."""
    height = strokes.shape[0]
    density = cv2.reduce(without_rules(strokes), 1, cv2.REDUCE_SUM, dtype=cv2.CV_32F)
    density = cv2.blur(density, (1, max(3, height // 16 | 1))).ravel()
    peak = int(density.argmax())
    if density[peak] == 0:
        return None
    sparse = np.flatnonzero(density < 0.4 * density[peak])
    return int(sparse[sparse < peak].max(initial=-1) + 1), int(sparse[sparse > peak].min(initial=height))


def without_rules(ink: np.ndarray) -> np.ndarray:
    """A light-on-dark line without the ruled lines of its paper (and underlines): the runs of ink along a row longer
    than twice the image's height, which no letter makes, taken away."""
    rule = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * ink.shape[0], 1))
    return cv2.subtract(ink, cv2.morphologyEx(ink, cv2.MORPH_OPEN, rule))


def is_bilevel(gray: np.ndarray) -> bool:
    """Whether the image is black and white (a bilevel scan, a thresholded image): of the pixels at least 64 levels
    off its background, under BILEVEL_GREYS are mid-grey (64-191 off). Real grey lines measured 0.25 and more (names;
    most lines above 0.9), thresholded ones 0.05 and less (saved as JPEG at quality 50)."""
    ink = ink_up(gray, whole_image=True)[0]
    grey = np.count_nonzero((ink >= 64) & (ink < 192))
    return grey < BILEVEL_GREYS * max(1, grey + np.count_nonzero(ink >= 192))
