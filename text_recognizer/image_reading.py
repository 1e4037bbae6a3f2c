"""The one image reader of the CLI, the API and the datasets: PNG or JPEG bytes -> grayscale uint8.

The size is read from the header (Pillow) and checked against a pixel limit before anything is decoded; OpenCV
decodes; transparency is flattened onto white and the EXIF orientation applied, so that the same file reads the same
everywhere.
"""

import io
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, JpegImagePlugin, PngImagePlugin

from text_recognizer.errors import DataError
from text_recognizer.escaping import printable
from text_recognizer.settings import MAX_PIXELS_ENV, max_pixels

# Header readers by signature; built directly, they read the header only and skip Pillow's own (warning) size check.
FORMATS = (
    (b"\x89PNG\r\n\x1a\n", "PNG", PngImagePlugin.PngImageFile),
    (b"\xff\xd8\xff", "JPEG", JpegImagePlugin.JpegImageFile),
)
ORIENTATION_TAG = 0x0112
# EXIF orientation -> what turns the stored pixels upright (as PIL.ImageOps.exif_transpose does).
UPRIGHT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.T,
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].T,
    8: lambda a: np.rot90(a),
}
HEADER_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error)


@dataclass(frozen=True)
class ImageHeader:
    """What an image file's header says, read without decoding its pixels."""

    format: str
    width: int
    height: int
    orientation: int = 1  # EXIF: 1 is upright as stored
    transparent_gray: int | None = None  # a grayscale PNG's transparent value (tRNS), which OpenCV ignores

    @property
    def pixels(self) -> int:
        return self.width * self.height


def read_header(data: bytes, name: str = "The image") -> ImageHeader:
    """Format, size and orientation from the first bytes of a PNG or JPEG; DataError for anything else."""
    if not data:
        raise DataError(f"{name} is empty.")
    known = [(image_format, reader) for signature, image_format, reader in FORMATS if data.startswith(signature)]
    if not known:
        raise DataError(f"{name} is not a PNG or JPEG image.")
    image_format, reader = known[0]
    try:
        image = reader(io.BytesIO(data))
        width, height = image.size
        transparency = image.info.get("transparency") if image.mode in ("L", "I", "I;16") else None
    except HEADER_ERRORS:
        raise DataError(f"{name} is corrupt or truncated: its {image_format} header cannot be read.") from None
    if width < 1 or height < 1:
        raise DataError(f"{name} is corrupt: its header gives a size of {width}x{height} pixels.")
    transparent = transparency if isinstance(transparency, int) else None
    return ImageHeader(image_format, width, height, _orientation(image.info.get("exif")), transparent)


def _orientation(exif: bytes | None) -> int:
    """The EXIF orientation (1-8); 1 when absent or unreadable (a broken EXIF block does not spoil the pixels)."""
    if not exif:
        return 1
    tags = Image.Exif()
    try:
        tags.load(exif)
        orientation = tags.get(ORIENTATION_TAG, 1)
    except HEADER_ERRORS:
        return 1
    return orientation if orientation in UPRIGHT else 1


def check_size(header: ImageHeader, name: str, limit: int | None = None) -> None:
    """DataError when the image has more pixels than `limit` (default: the configured pixel limit)."""
    hint = "" if limit is not None else f" (set {MAX_PIXELS_ENV} to change it)"
    limit = max_pixels() if limit is None else limit
    if header.pixels > limit:
        raise DataError(
            f"{name} is {header.width}x{header.height} pixels ({header.pixels / 1e6:,.1f} megapixels); "
            f"the limit is {limit / 1e6:g} megapixels{hint}."
        )


def decode_pixels(data: bytes, header: ImageHeader, name: str = "The image") -> np.ndarray:
    """The pixels of an image whose header was read and checked: grayscale uint8, transparency on white, upright."""
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise DataError(f"{name} is corrupt or truncated.")
    if decoded.ndim == 3 and decoded.shape[2] == 1:
        decoded = decoded[..., 0]
    transparent = None
    if decoded.ndim == 2 and header.transparent_gray is not None:
        transparent = decoded == header.transparent_gray
    if decoded.dtype == np.uint16:
        decoded = cv2.convertScaleAbs(decoded, alpha=1 / 257)
    elif decoded.dtype != np.uint8:
        raise DataError(f"{name} has {decoded.dtype} pixels; expected 8- or 16-bit PNG or JPEG.")
    gray = flatten_bgr(decoded)
    if transparent is not None:
        gray[transparent] = 255
    orient = UPRIGHT.get(header.orientation)
    return np.ascontiguousarray(orient(gray)) if orient else gray


def flatten_bgr(image: np.ndarray) -> np.ndarray:
    """Grayscale from gray, BGR or BGRA uint8 (OpenCV's order); transparent pixels become white."""
    if image.ndim == 2:
        return image
    if image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return on_white(cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY), image[..., 3])


def on_white(gray: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Gray uint8 composited over a white ground by its alpha: ink drawn only in the alpha channel shows as ink."""
    if alpha.min() == 255:
        return gray
    # numpy, not cv2.subtract/multiply: OpenCV takes an array of 4 or fewer values for a scalar (a 1x4 image failed)
    ink = (255 - gray.astype(np.uint16)) * alpha
    return (255 - (ink + 127) // 255).astype(np.uint8)


def decode_image(data: bytes, name: str = "The image", limit: int | None = None) -> np.ndarray:
    """A PNG or JPEG as grayscale uint8, refused before decoding when over `limit` pixels (default: configured)."""
    header = read_header(data, name)
    check_size(header, name, limit)
    return decode_pixels(data, header, name)


def read_image_file(path: str | Path) -> np.ndarray:
    """An image file as grayscale uint8. The bytes are read and then decoded, so any file name works (OpenCV's
    imread crashes on names that are not UTF-8); errors are DataErrors that name the file."""
    name = printable(os.fspath(path))
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise DataError(f"{name} cannot be read: {error.strerror or error}.") from None
    return decode_image(data, name)
