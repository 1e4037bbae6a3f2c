"""Character normalisation: any image of a glyph becomes a 28x28 light-on-dark glyph shaped like EMNIST's."""

import cv2
import numpy as np

from tests.serving import CHARACTERS
from text_recognizer.image_utils import INK_THRESHOLD, light_on_dark, normalize_character, read_image


def ink_box(glyph: np.ndarray) -> tuple[int, float, float]:
    """Longer side of the ink's bounding box, and its centre (row, column)."""
    ys, xs = np.nonzero(glyph > INK_THRESHOLD)
    return max(np.ptp(ys), np.ptp(xs)) + 1, (ys.min() + ys.max()) / 2, (xs.min() + xs.max()) / 2


def test_an_enlarged_dark_on_light_scan_normalises_to_emnists_extent_and_centre():
    differences = []
    for path in CHARACTERS:  # real EMNIST glyphs
        glyph = light_on_dark(read_image(path))
        scan = cv2.resize(255 - glyph, (112, 112), interpolation=cv2.INTER_CUBIC)
        scan = cv2.copyMakeBorder(scan, 10, 40, 30, 5, cv2.BORDER_CONSTANT, value=255)  # off-centre on white paper
        normalised = normalize_character(cv2.cvtColor(scan, cv2.COLOR_GRAY2BGR))
        assert normalised.shape == (28, 28)
        side, row, column = ink_box(normalised)
        assert abs(row - 13.5) <= 1 and abs(column - 13.5) <= 1
        differences.append(side - ink_box(glyph)[0])
    assert abs(np.mean(differences)) <= 0.15  # the margin of before (ink over 24.5 of 28 pixels) gave +0.28


def test_a_28x28_glyph_is_used_as_it_is_and_a_blank_image_stays_blank():
    glyph = light_on_dark(read_image(CHARACTERS[0]))
    np.testing.assert_array_equal(normalize_character(glyph), glyph)
    assert not normalize_character(np.full((40, 30), 255, np.uint8)).any()
