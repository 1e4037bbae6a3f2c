"""Reading images and normalising them to what the networks saw: grayscale, light strokes on a dark ground."""

from pathlib import Path

import cv2
import numpy as np

from text_recognizer.errors import DataError
from text_recognizer.image_reading import on_white, read_image_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
INK_THRESHOLD = 32
MIN_SIDE = 3  # pixels: smaller images are refused by the CLI and the API instead of read as a glyph
# In EMNIST the ink above INK_THRESHOLD spans 23.4 of the 28 pixels on its longer side (mean over 3,000 glyphs).
EMNIST_INK_SPAN = 23.4 / 28


def read_image(image: str | Path | np.ndarray) -> np.ndarray:
    """A grayscale uint8 array from a path (see image_reading: size limit, transparency on white, EXIF orientation)
    or an array (grayscale, RGB, or uint8 RGBA / gray+alpha, whose transparent pixels become white)."""
    if isinstance(image, str | Path):
        return read_image_file(image)
    image = np.asarray(image)
    if _is_transparent(image):
        color = image[..., 0] if image.shape[2] == 2 else image[..., :3].mean(axis=2).round().astype(np.uint8)
        image = on_white(color, image[..., -1])
    elif image.ndim == 3:
        image = image[..., :3].mean(axis=2) if image.shape[2] >= 3 else image[..., 0]
    if image.ndim != 2 or min(image.shape) == 0:
        raise DataError(f"Expected a 2-D grayscale or colour image, got an array of shape {image.shape}.")
    if image.dtype != np.uint8:
        image = _to_uint8(image)
    return image


def _is_transparent(image: np.ndarray) -> bool:
    """A uint8 gray+alpha or RGBA array with some pixel not fully opaque."""
    alpha_last = image.ndim == 3 and image.shape[2] in (2, 4) and image.size > 0
    return alpha_last and image.dtype == np.uint8 and image[..., -1].min() < 255


def _to_uint8(image: np.ndarray) -> np.ndarray:
    image = image.astype(np.float32)
    if image.max() <= 1.0:
        image = image * 255
    return np.clip(image, 0, 255).astype(np.uint8)


def light_on_dark(gray: np.ndarray) -> np.ndarray:
    """Invert dark-on-light images (a bright border means a bright background), then stretch the contrast."""
    gray, background = ink_up(gray)
    ink = gray.astype(np.float32) - background
    peak = ink.max()
    if peak < 16:  # nothing but background
        return np.zeros_like(gray)
    return np.clip(ink * (255.0 / peak), 0, 255).astype(np.uint8)


def ink_up(gray: np.ndarray, whole_image: bool = False) -> tuple[np.ndarray, float]:
    """The image with its ink brighter than its background, and the background's level after that: inverted when its
    border's median is bright, or with `whole_image` its median (a line's paper is most of it, while its border may
    be the black edge of a scan or the table a photo was taken on)."""
    # With whole_image, every other pixel of every other row tells the paper's level as well, in a quarter of the time
    background = float(median_level(gray[::2, ::2])) if whole_image else border_level(gray)
    return (255 - gray, 255 - background) if background > 127 else (gray, background)


def border_level(gray: np.ndarray) -> float:
    """The median level of the image's outermost rows and columns."""
    return float(np.median(np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])))


def median_level(image: np.ndarray) -> int:
    """The median level of a uint8 image, from its histogram."""
    return int(np.searchsorted(np.cumsum(cv2.calcHist([image], [0], None, [256], [0, 256])), image.size / 2))


def why_illegible(gray: np.ndarray) -> str | None:
    """Why an image cannot hold handwriting ("is 1x1 pixels...", "is blank..."), or None: refused rather than read as
    the glyph a network guesses for nothing. Blank means that light_on_dark finds no ink (no pixel 16 levels off the
    border's median on the ink side); this checks it without the float copy."""
    if min(gray.shape) < MIN_SIDE:
        height, width = gray.shape
        return f"is {width}x{height} pixels, too small to hold handwriting (at least {MIN_SIDE} a side)"
    border = border_level(gray)
    darkest, brightest, _, _ = cv2.minMaxLoc(gray)
    peak = border - darkest if border > 127 else brightest - border
    return None if peak >= 16 else "is blank (no ink: every pixel is within 16 levels of the background)"


def normalize_character(image: str | Path | np.ndarray, size: int = 28) -> np.ndarray:
    """An EMNIST-like size x size glyph: ink cropped, centred in a square whose margin gives it EMNIST's extent,
    resized."""
    gray = light_on_dark(read_image(image))
    if gray.shape == (size, size):
        return gray
    ys, xs = np.nonzero(gray > INK_THRESHOLD)
    if len(ys) == 0:
        return np.zeros((size, size), np.uint8)
    crop = gray[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    side = round(max(crop.shape) / EMNIST_INK_SPAN)
    square = np.zeros((side, side), np.uint8)
    top, left = (side - crop.shape[0]) // 2, (side - crop.shape[1]) // 2
    square[top : top + crop.shape[0], left : left + crop.shape[1]] = crop
    interpolation = cv2.INTER_AREA if side > size else cv2.INTER_CUBIC
    return cv2.resize(square, (size, size), interpolation=interpolation)


def list_images(folder: Path) -> list[Path]:
    """Image files (.png, .jpg, .jpeg in any case) directly inside `folder`, in alphabetical order."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def normalize_line(image: str | Path | np.ndarray, height: int, width: int) -> np.ndarray:
    """A height x width line like the synthetic ones: light ink on black, left-aligned, wider lines squeezed.

    An image already `height` tall keeps its scale and left edge; any other is cropped to its ink with a margin of
    1/12 of the ink height above and below (as EMNIST glyphs have) and scaled to `height`. Blank stays blank.
    """
    gray = light_on_dark(read_image(image))
    ys, xs = np.nonzero(gray > INK_THRESHOLD)
    canvas = np.zeros((height, width), np.uint8)
    if len(ys) == 0:
        return canvas
    if gray.shape[0] == height:  # keep the left edge too: fixed-slot models read 28-pixel slots from x = 0
        crop = gray[:, : xs.max() + 1]
    else:
        margin = (ys.max() - ys.min() + 1) // 12
        crop = np.pad(gray[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], ((margin, margin), (0, 0)))
    scaled_width = min(width, max(1, round(crop.shape[1] * height / crop.shape[0])))
    interpolation = cv2.INTER_AREA if crop.shape[0] > height else cv2.INTER_LINEAR
    canvas[:, :scaled_width] = cv2.resize(crop, (scaled_width, height), interpolation=interpolation)
    return canvas
