"""Fitting a line image to the line models' format: pieces of neighbouring lines are left out, black-and-white lines
are told from grey ones and softened."""

import cv2
import numpy as np
import pytest

from tests.conftest import SUPPORT
from tests.line_variants import in_dark_frame, on_ruled_paper, saved_as_jpeg, thresholded, with_pieces_of_neighbours
from text_recognizer.image_utils import INK_THRESHOLD
from text_recognizer.line_fitting import (
    fit_line_to_height,
    is_bilevel,
    light_on_level_dark,
    without_frame,
    without_rules,
)

REAL_LINES = sorted((SUPPORT / "real_lines").glob("*.*g"))


def mid_grey_share(line: np.ndarray) -> float:
    """Of the fitted line's ink (light on dark), the share between 64 and 191."""
    return np.count_nonzero((line >= 64) & (line < 192)) / np.count_nonzero(line >= 64)


def test_real_grey_lines_are_not_bilevel_and_thresholded_ones_are_even_as_jpeg():
    greys = [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in REAL_LINES]
    assert len(greys) == 16
    assert not any(is_bilevel(grey) for grey in greys)
    assert all(is_bilevel(thresholded(grey)) for grey in greys)
    assert all(is_bilevel(saved_as_jpeg(thresholded(grey))) for grey in greys)
    assert all(is_bilevel(255 - thresholded(grey)) for grey in greys)  # light ink on black too


def test_bilevel_lines_are_softened_to_greys_like_scanned_ones():
    greys = [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in REAL_LINES]
    scanned = np.mean([mid_grey_share(fit_line_to_height(grey, 48, 2048)) for grey in greys])
    softened = np.mean([mid_grey_share(fit_line_to_height(thresholded(grey), 48, 2048)) for grey in greys])
    # Scaled to 48 px alone, the thresholded lines keep most of their ink at full strength (0.46 against 0.83).
    assert softened >= 0.85 * scanned


def test_pieces_of_neighbouring_lines_are_left_out_so_the_writing_keeps_its_scale():
    greys = [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in REAL_LINES]
    clean = [fit_line_to_height(grey, 48, 2048).shape[1] for grey in greys]
    # Kept, 30 % pieces fit the writing at 0.82 of its scale (mean), 60 % pieces at 0.48 (left out: 0.88, 0.61).
    for share, bound in ((0.3, 0.85), (0.6, 0.55)):
        crowded = [with_pieces_of_neighbours(greys, index, share) for index in range(len(greys))]
        scales = [
            fit_line_to_height(image, 48, 2048).shape[1] / width for image, width in zip(crowded, clean, strict=True)
        ]
        assert np.mean(scales) >= bound, (share, scales)


def test_the_rules_of_ruled_paper_are_taken_away_and_the_writing_kept():
    def ink(image: np.ndarray) -> int:
        return np.count_nonzero(image > INK_THRESHOLD)

    for path in REAL_LINES:
        grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        clean, ruled = light_on_level_dark(grey), light_on_level_dark(on_ruled_paper(grey))
        assert ink(ruled) >= 1.25 * ink(clean), path.name  # the rules add 27-180 % to the ink
        # What goes besides the rules is where strokes cross them (and the names forms' own rules)
        assert 0.8 * ink(clean) <= ink(without_rules(ruled)) <= 1.02 * ink(clean), path.name


def test_a_line_in_a_dark_frame_is_read_as_dark_on_light_and_fitted_without_the_frame():
    for path in REAL_LINES:
        grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        clean, framed = (fit_line_to_height(image, 48, 2048) for image in (grey, in_dark_frame(grey)))
        # Kept, the frame changed the scale by 0.7-1.45
        assert framed.shape[1] == pytest.approx(clean.shape[1], rel=0.03), path.name
        # Inverted (the border alone took the frame for the paper), the lines differ by 29-57 levels a pixel; now 0-14
        width = min(framed.shape[1], clean.shape[1])
        assert np.abs(framed[:, :width].astype(int) - clean[:, :width]).mean() < 20, path.name


def test_thin_lines_along_an_edge_are_not_a_frame():
    ink = np.zeros((36, 300), np.uint8)
    ink[:, :2] = ink[10:20, 50:250] = 255  # the names forms' two-pixel box edge, and some writing
    assert without_frame(ink) is ink
    ink[:, :3] = 255
    assert not without_frame(ink)[:, :3].any() and without_frame(ink)[10:20, 50:250].all()
