"""Punctuation glyphs, which EMNIST lacks: drawn with OpenCV's Hershey fonts, jittered, softened like EMNIST."""

import cv2
import numpy as np

FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_ITALIC)


def render_punctuation(character: str, rng: np.random.Generator, size: int = 28) -> np.ndarray:
    """One size x size glyph, white on black, at the character's natural height (a period sits low)."""
    canvas = np.zeros((size * 2, size * 2), np.uint8)
    font = FONTS[rng.integers(len(FONTS))] | (cv2.FONT_ITALIC if rng.random() < 0.3 else 0)
    scale, thickness = rng.uniform(0.9, 1.4), int(rng.integers(2, 4))
    (width, _), _ = cv2.getTextSize(character, font, scale, thickness)
    origin = (size - width // 2 + int(rng.integers(-2, 3)), int(size * 1.4) + int(rng.integers(-2, 3)))
    cv2.putText(canvas, character, origin, font, scale, 255, thickness, cv2.LINE_AA)
    shear = np.float32([[1, rng.uniform(-0.2, 0.2), 0], [0, 1, 0]])
    canvas = cv2.warpAffine(canvas, shear, canvas.shape[::-1])
    glyph = cv2.resize(canvas[size // 2 : size // 2 + size, size // 2 : size // 2 + size], (size, size))
    return cv2.GaussianBlur(glyph, (3, 3), 0.8)
