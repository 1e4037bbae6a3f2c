"""Cut the character support images from the real EMNIST test split (re-run to regenerate them).

Writes tests/support/characters/<ascii code>_<test index>.png: the first test example of each of 25 characters.
"""

import sys
from pathlib import Path

import cv2
import h5py

CHARACTERS = "0123479ABEGHKMRTadefhnqrt"
OUT = Path(__file__).parent / "characters"

if __name__ == "__main__":
    cache = Path(sys.argv[1] if len(sys.argv) > 1 else "data/processed/emnist/byclass.h5")
    with h5py.File(cache, "r") as file:
        mapping = str(file.attrs["mapping"])
        labels = file["y_test"][()]
        for character in CHARACTERS:
            index = int((labels == mapping.index(character)).nonzero()[0][0])
            cv2.imwrite(str(OUT / f"{ord(character)}_{index}.png"), file["x_test"][index])
