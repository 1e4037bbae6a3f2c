"""Helpers for the serving tests: a weights folder holding only what inference needs, and a live uvicorn server."""

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from tests.conftest import REPO, SUPPORT
from text_recognizer.cards import load_card
from text_recognizer.line_detector import DEFAULT_CARD as LINE_DETECTOR_CARD
from text_recognizer.line_predictor import DEFAULT_CARD as LINE_PREDICTOR_CARD
from text_recognizer.runtime import onnx_file

SHIPPED = REPO / "text_recognizer" / "weights"
CHARACTER_CARD = "CharacterModel_EmnistDataset_vgg_bn"
CHARACTERS = sorted((SUPPORT / "characters").glob("*.png"))


LINE_CARD = LINE_PREDICTOR_CARD
DETECTOR_CARD = LINE_DETECTOR_CARD
LINE_SHIPPED = (SHIPPED / f"{LINE_CARD}.json").exists()
# The page predictor reads with the line detector and the line model.
SERVED_CARDS = [CHARACTER_CARD, LINE_CARD, DETECTOR_CARD] if LINE_SHIPPED else [CHARACTER_CARD]


def inference_weights(folder: Path, stems: list[str]) -> Path:
    """A weights folder with the cards, ONNX files and language models of `stems`, and no Keras weights: only ONNX can
    serve it."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        card = load_card(SHIPPED / f"{stem}.json")
        shutil.copy(SHIPPED / f"{stem}.json", folder)
        shutil.copy(onnx_file(card), folder)
        if "language_model" in card:
            (folder / card["language_model"]["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(SHIPPED / card["language_model"]["file"], folder / card["language_model"]["file"])
    return folder


def line_image(path: Path) -> Path:
    """A text line made of real EMNIST glyphs side by side, written as a PNG."""
    glyphs = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in CHARACTERS[:6]]
    cv2.imwrite(str(path), np.hstack(glyphs))
    return path


@dataclass
class Server:
    """A running API server: its base URL and the log lines it has written so far."""

    url: str
    log: list[str] = field(default_factory=list)


@contextmanager
def running_server(weights: Path, env: dict | None = None) -> Iterator[Server]:
    """The API as `make serve` and the Docker image run it (`python -m api.serve`), on a free localhost port, serving
    the given weights folder; stopped on exit."""
    env = {**os.environ, "TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights), "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    command = [sys.executable, "-m", "api.serve", "--host", "127.0.0.1", "--port", "0", "--workers", "1"]
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    server = Server(url="")
    started = threading.Event()

    def read_log() -> None:
        for line in process.stderr:
            server.log.append(line.rstrip())
            if "Uvicorn running on " in line:
                server.url = line.split("Uvicorn running on ")[1].split()[0]
                started.set()
        started.set()  # the server exited before it started; the check below reports it

    threading.Thread(target=read_log, daemon=True).start()
    try:
        if not started.wait(60) or not server.url:
            raise RuntimeError("The API server did not start:\n" + "\n".join(server.log))
        yield server
    finally:
        process.terminate()
        process.wait(10)
