"""The one image reader (CLI, API, datasets): header checks before decoding, transparency on white, EXIF orientation,
escaped names; and the check that refuses blank and tiny images."""

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image, ImageOps

from tests.serving import CHARACTERS
from text_recognizer.errors import DataError, UserError
from text_recognizer.escaping import printable
from text_recognizer.image_reading import decode_image, read_header, read_image_file
from text_recognizer.image_utils import light_on_dark, read_image, why_illegible
from text_recognizer.settings import MAX_PIXELS_ENV, max_pixels


def encoded(pixels: np.ndarray, image_format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG of an 8-bit grayscale image of that size with the first row only: decoding it would fail (after
    allocating the whole image), reading its header does not."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(width + 1)))


def test_a_huge_image_is_refused_from_its_header_with_the_limit_and_how_to_change_it():
    with pytest.raises(DataError, match=r"20000x20000 pixels \(400\.0 megapixels\); the limit is 50 megapixels") as e:
        decode_image(png_header_only(20000, 20000), "big.png")
    assert MAX_PIXELS_ENV in str(e.value)
    assert read_header(png_header_only(20000, 20000)).pixels == 400_000_000


def test_the_pixel_limit_comes_from_the_environment(monkeypatch):
    image = encoded(np.zeros((40, 40), np.uint8))
    monkeypatch.setenv(MAX_PIXELS_ENV, "1_000")
    assert max_pixels() == 1000
    with pytest.raises(DataError, match="40x40 pixels"):
        decode_image(image)
    monkeypatch.setenv(MAX_PIXELS_ENV, "1600")
    assert decode_image(image).shape == (40, 40)
    for bad in ("lots", "0", "-5", "1e9"):
        monkeypatch.setenv(MAX_PIXELS_ENV, bad)
        with pytest.raises(UserError, match=MAX_PIXELS_ENV):
            max_pixels()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"GIF89a not really", "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n\0\0", "header cannot be read"),
        (encoded(np.zeros((64, 64), np.uint8))[:60], "corrupt or truncated"),
        (encoded(np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8), "JPEG")[:400], "corrupt"),
        (png_header_only(0, 5), "corrupt"),
    ],
)
def test_unreadable_bytes_are_data_errors_that_name_the_image(data, message):
    with pytest.raises(DataError, match=message) as error:
        decode_image(data, "upload.png")
    assert "upload.png" in str(error.value)


def test_ink_only_in_the_alpha_channel_reads_as_dark_ink_on_white_for_files_and_arrays(tmp_path):
    rgba = np.zeros((40, 40, 4), np.uint8)  # black everywhere; the stroke is only in the alpha channel
    rgba[8:32, 18:22, 3] = 255
    path = tmp_path / "alpha.png"
    path.write_bytes(encoded(rgba))
    from_file = read_image(path)
    assert from_file[20, 20] == 0 and from_file[2, 2] == 255
    np.testing.assert_array_equal(read_image(rgba), from_file)
    pil = np.asarray(Image.alpha_composite(Image.new("RGBA", (40, 40), "white"), Image.fromarray(rgba)).convert("L"))
    np.testing.assert_array_equal(from_file, pil)
    gray_alpha = encoded(np.dstack([np.zeros((40, 40), np.uint8), rgba[..., 3]]), mode="LA")
    np.testing.assert_array_equal(decode_image(gray_alpha), from_file)


@pytest.mark.parametrize("shape", [(4, 1), (1, 4), (2, 2), (1, 1)])
def test_tiny_transparent_images_are_composited_like_large_ones(shape):
    # OpenCV's arithmetic took an array of 4 or fewer values for a scalar: a 1x4 RGBA upload was a server error
    rgba = np.zeros((*shape, 4), np.uint8)
    rgba[..., 3] = 128  # half-transparent black over white: mid gray
    np.testing.assert_array_equal(decode_image(encoded(rgba)), np.full(shape, 127, np.uint8))


def test_sixteen_bit_and_palette_images_with_transparency():
    ramp = np.linspace(0, 65535, 64 * 64).astype(np.uint16).reshape(64, 64)
    sixteen = cv2.imencode(".png", ramp)[1].tobytes()
    np.testing.assert_allclose(decode_image(sixteen), ramp / 257, atol=1)
    palette = Image.new("P", (8, 8), 0)
    palette.putpalette([0, 0, 0, 10, 10, 10])
    palette.putpixel((3, 3), 1)
    decoded = decode_image(_save(palette, transparency=0))
    assert decoded[0, 0] == 255 and decoded[3, 3] == 10
    gray = decode_image(encoded(np.full((8, 8), 7, np.uint8), transparency=7))
    assert (gray == 255).all()


def _save(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied_as_pillow_does(orientation):
    pixels = np.random.default_rng(orientation).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encoded(pixels, exif=exif)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("L")).astype(int)
    decoded = decode_image(data).astype(int)
    assert decoded.shape == upright.shape
    assert np.abs(decoded - upright).max() <= 1  # OpenCV and Pillow round the gray conversion differently


def test_files_read_as_opencv_read_them_and_any_name_works(tmp_path):
    for path in CHARACTERS[:5]:
        np.testing.assert_array_equal(read_image(path), cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
    odd = tmp_path / "bad\udcff\nname.png"  # not UTF-8, with a newline: cv2.imread crashed on such names
    odd.write_bytes(CHARACTERS[0].read_bytes())
    np.testing.assert_array_equal(read_image_file(odd), read_image(CHARACTERS[0]))
    with pytest.raises(DataError, match=r"bad\\xff\\nmissing\.png cannot be read"):
        read_image_file(tmp_path / "bad\udcff\nmissing.png")
    with pytest.raises(DataError, match="cannot be read"):
        read_image_file(tmp_path)


def test_printable_escapes_only_what_could_split_or_forge_a_line():
    assert printable("data/a01-000u-00.png") == "data/a01-000u-00.png"
    assert printable("é ü 漢 ,;'\"") == "é ü 漢 ,;'\""
    assert printable("a\nb\tc\rd\\e\x1bf\x85g\u2028h\udcffi\ud800") == r"a\nb\tc\rd\\e\x1bf\x85g\u2028h\xffi\ud800"


@settings(max_examples=200, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(3, 12), st.integers(3, 12))))
def test_blank_means_light_on_dark_finds_no_ink(gray):
    assert (why_illegible(gray) is None) == bool(light_on_dark(gray).any())


@pytest.mark.parametrize(
    ("gray", "message"),
    [
        (np.zeros((1, 1), np.uint8), "is 1x1 pixels, too small"),
        (np.zeros((2, 50), np.uint8), "is 50x2 pixels"),
        (np.full((40, 40), 255, np.uint8), "is blank"),
        (np.full((40, 40), 90, np.uint8) + np.eye(40, dtype=np.uint8) * 10, "is blank"),
    ],
)
def test_blank_and_tiny_images_are_illegible(gray, message):
    assert message in why_illegible(gray)


def test_real_glyphs_are_legible():
    assert all(why_illegible(read_image(path)) is None for path in CHARACTERS)
