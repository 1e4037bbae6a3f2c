"""Lines running askew are found and turned level before they are read."""

import cv2
import numpy as np
import pytest

from tests.conftest import SUPPORT
from tests.line_variants import turned
from text_recognizer.image_utils import INK_THRESHOLD
from text_recognizer.line_fitting import fit_line_placed, light_on_level_dark
from text_recognizer.line_skew import MIN_SKEW, level, skew_degrees

REAL_LINES = sorted((SUPPORT / "real_lines").glob("*.*g"))


def skew(image: np.ndarray) -> float:
    return skew_degrees(light_on_level_dark(image), INK_THRESHOLD)


@pytest.mark.parametrize("path", REAL_LINES, ids=lambda path: path.stem[:24])
def test_the_angle_a_real_line_was_turned_by_is_found(path):
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    own = skew(image)  # the Hooker crops rise by 1-2 degrees as they are
    for degrees in (-6, -3, 3, 6):  # turned counter-clockwise, a line rises to the right: its skew falls
        assert skew(turned(image, degrees)) == pytest.approx(own - degrees, abs=0.5), degrees


def test_level_lines_and_blank_images_are_left_as_they_are():
    levelled = [path for path in REAL_LINES if abs(skew(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))) < MIN_SKEW]
    assert len(levelled) >= 10  # the IAM, Copiste and names lines lie level
    image = light_on_level_dark(cv2.imread(str(levelled[0]), cv2.IMREAD_GRAYSCALE))
    for unchanged in (image, np.zeros((48, 300), np.uint8), np.zeros((1, 1), np.uint8)):
        levelled, turn = level(unchanged, INK_THRESHOLD)
        assert levelled is unchanged and turn is None


def test_a_turned_line_is_fitted_level_at_its_own_scale_and_place():
    image = cv2.imread(str(SUPPORT / "real_lines" / "iam_lines_d06-011-00.png"), cv2.IMREAD_GRAYSCALE)
    image = np.pad(image, ((0, 0), (80, 0)), constant_values=int(np.median(image)))
    fitted, (ink_left, _, _, _) = fit_line_placed(image, 48, 2048)
    askew = turned(image, 4)
    fitted_askew, (askew_left, _, _, _) = fit_line_placed(askew, 48, 2048)
    # Left askew, its ink is taller and the writing is fitted at 0.73 of its scale.
    assert fitted_askew.shape[1] == pytest.approx(fitted.shape[1], rel=0.05)
    # Word boxes in page mode map the network's frames back through the ink's left edge in the image
    ink_columns = np.flatnonzero((light_on_level_dark(askew) > INK_THRESHOLD).any(axis=0))
    assert abs(askew_left - ink_columns[0]) <= 2 and abs(ink_left - 80) <= 2
