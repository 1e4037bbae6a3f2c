"""The inference CLI as a user runs it, on real EMNIST glyphs, served from ONNX files alone (no .h5)."""

import json
import re
import subprocess

import pytest

from tests.conftest import copied_into, run_cli
from tests.serving import CHARACTER_CARD, CHARACTERS, LINE_SHIPPED, SERVED_CARDS, inference_weights, line_image

pytestmark = pytest.mark.slow


@pytest.fixture
def weights(tmp_path):
    return inference_weights(tmp_path / "weights", SERVED_CARDS)


@pytest.fixture
def folder(tmp_path):
    return copied_into(tmp_path / "images", CHARACTERS)


def inference(*args: str, weights) -> subprocess.CompletedProcess:
    return run_cli("-m", "text_recognizer.inference", *args, env={"TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights)})


def test_characters_in_the_seed_format_in_alphabetical_order(folder, weights):
    result = inference("--input", str(folder), weights=weights)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(re.fullmatch(r"\d+, \S+\.png", line) for line in lines)
    paths = [line.split(", ")[1] for line in lines]
    assert paths == sorted(p.as_posix() for p in folder.iterdir())
    correct = [int(code) == int(path.rsplit("/", 1)[1].split("_")[0]) for code, path in (x.split(", ") for x in lines)]
    assert sum(correct) >= 0.8 * len(correct)


def test_unreadable_files_are_reported_and_skipped(folder, weights):
    (folder / "broken.png").write_bytes(b"not a png")
    (folder / "empty.jpg").write_bytes(b"")
    result = inference("--input", str(folder), weights=weights)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == len(CHARACTERS)
    assert "broken.png" in result.stderr and "empty.jpg" in result.stderr and "skipped:" in result.stderr


def test_json_mode_with_small_batches_matches_the_seed_format(folder, weights):
    seed = inference("--input", str(folder), weights=weights).stdout.splitlines()
    result = inference("--input", str(folder), "--json", "--batch-size", "7", weights=weights)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(records[0]) == {"path", "text", "confidence", "time_ms"}
    assert [f"{ord(r['text'])}, {r['path']}" for r in records] == seed
    assert all(0 <= r["confidence"] <= 1 and r["time_ms"] > 0 for r in records)


def test_large_folders_show_progress_on_stderr(tmp_path, weights):
    images = tmp_path / "many"
    images.mkdir()
    for index in range(300):
        (images / f"{index:03d}.png").symlink_to(CHARACTERS[index % len(CHARACTERS)])
    result = inference("--input", str(images), weights=weights)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 300
    assert "300/300" in result.stderr


@pytest.mark.skipif(not LINE_SHIPPED, reason="no line weights shipped yet")
def test_lines_mode_prints_path_tab_text(tmp_path, weights):
    images = tmp_path / "lines"
    images.mkdir()
    line_image(images / "a.png")
    line_image(images / "b.png")
    result = inference("--input", str(images), "--lines", weights=weights)
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == [
        (images / "a.png").as_posix(),
        (images / "b.png").as_posix(),
    ]


def test_lines_mode_without_line_weights_says_so(folder, tmp_path):
    result = inference("--input", str(folder), "--lines", weights=inference_weights(tmp_path / "w", [CHARACTER_CARD]))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")


def test_a_missing_folder_is_a_usage_error(tmp_path, weights):
    result = inference("--input", str(tmp_path / "nowhere"), weights=weights)
    assert result.returncode == 2 and "is not a folder" in result.stderr
