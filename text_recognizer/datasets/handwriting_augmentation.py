"""Random distortions of single real line images (uint8, light ink on black, any width), applied as training batches
are assembled: width scaling, slant, rotation, elastic warping, stroke width, contrast, blur and noise.

    "augmentation": {}                                   every distortion at its default strength
    "augmentation": {"elastic": 0, "width_scale": 0.3}   no elastic warping, stronger width changes
"""

import math

import cv2
import numpy as np

from text_recognizer.datasets.line_augmentation import checked_settings

DEFAULTS = {
    "width_scale": 0.2,  # relative change of the line's width, either way
    "shear": 0.3,  # horizontal shift per row (slant), either way
    "rotation": 1.5,  # degrees, either way
    "elastic": 1.5,  # largest displacement in pixels of the smooth random warp
    "morphology": 0.3,  # probability of thicker or thinner strokes (half each)
    "contrast": 0.4,  # ink intensity lowered by up to this fraction
    "blur": 0.2,  # probability of a Gaussian blur
    "noise": 0.2,  # probability of Gaussian pixel noise
}
FRACTIONS = ("morphology", "contrast", "blur", "noise")  # probabilities, and contrast's fraction
KERNEL = np.ones((2, 2), np.uint8)


def augmentation_settings(given: dict | None) -> dict[str, float] | None:
    """Checked settings with defaults filled in; None means no augmentation."""
    return checked_settings(given, DEFAULTS, FRACTIONS)


def augment_line(image: np.ndarray, settings: dict[str, float], rng: np.random.Generator) -> np.ndarray:
    """A randomly distorted copy of one line image; same height, width changed by the scaling and slant."""
    height, width = image.shape
    scale = 1.0 + rng.uniform(-settings["width_scale"], settings["width_scale"])
    shear = rng.uniform(-settings["shear"], settings["shear"])
    angle = math.radians(rng.uniform(-settings["rotation"], settings["rotation"]))
    new_width = max(8, round(width * scale + abs(shear) * height))
    # Affine map from output to input pixels: undo scale, slant and rotation about the line's centre.
    cos, sin = math.cos(angle), math.sin(angle)
    forward = np.array([[scale * cos, -sin + shear, 0.0], [scale * sin, cos, 0.0]])
    forward[:, 2] = np.array([new_width / 2, height / 2]) - forward[:, :2] @ np.array([width / 2, height / 2])
    out = cv2.warpAffine(image, forward, (new_width, height), flags=cv2.INTER_LINEAR, borderValue=0)
    if settings["elastic"] > 0:
        out = _elastic(out, settings["elastic"], rng)
    draw = rng.random()
    if draw < settings["morphology"] / 2:
        out = cv2.dilate(out, KERNEL)
    elif draw < settings["morphology"]:
        out = cv2.erode(out, KERNEL)
    out = out.astype(np.float32) * (1.0 - rng.uniform(0, settings["contrast"]))
    if rng.random() < settings["blur"]:
        out = cv2.GaussianBlur(out, (3, 3), rng.uniform(0.5, 1.0))
    if rng.random() < settings["noise"]:
        out += rng.normal(0, rng.uniform(4, 16), out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _elastic(image: np.ndarray, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    """Warp by a smooth random displacement field: random offsets on a coarse grid, upsampled."""
    height, width = image.shape
    cell = max(4, height // 3)
    grid = (2, math.ceil(height / cell) + 1, math.ceil(width / cell) + 1)
    offsets = rng.uniform(-amplitude, amplitude, grid).astype(np.float32)
    dx = cv2.resize(offsets[0], (width, height), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(offsets[1], (width, height), interpolation=cv2.INTER_CUBIC)
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return cv2.remap(image, xs + dx, ys + dy, cv2.INTER_LINEAR, borderValue=0)
