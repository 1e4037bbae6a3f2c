"""The inference CLI on inputs that used to break it: each gives a message and the documented exit status, and every
other image in the folder is still recognised and printed (nothing lost)."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from tests.conftest import REPO, copied_into, run_cli
from tests.serving import CHARACTER_CARD, CHARACTERS, LINE_SHIPPED, SERVED_CARDS, inference_weights, line_image
from tests.test_image_reading import encoded, png_header_only
from text_recognizer.settings import MAX_PIXELS_ENV

pytestmark = pytest.mark.slow

GLYPHS = CHARACTERS[:6]


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return inference_weights(tmp_path_factory.mktemp("weights"), SERVED_CARDS)


@pytest.fixture
def folder(tmp_path):
    """Six real glyphs, which must come out whatever else is in the folder."""
    return copied_into(tmp_path / "images", GLYPHS)


def inference(*args: str, weights, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {"TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights), **(env or {})}
    return run_cli("-m", "text_recognizer.inference", *args, env=environment)


def assert_glyphs_printed(stdout: str, folder) -> None:
    for path in GLYPHS:
        assert f", {(folder / path.name).as_posix()}\n" in stdout


def test_a_name_that_is_not_utf8_is_recognised_printed_escaped_and_noted(folder, weights):
    shutil.copy(GLYPHS[0], folder / "caf\udce9.png")  # the Latin-1 byte 0xe9: cv2.imread segfaulted on it
    result = inference("--input", str(folder), weights=weights)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(GLYPHS) + 1
    assert f", {folder.as_posix()}/caf\\xe9.png\n" in result.stdout
    assert_glyphs_printed(result.stdout, folder)
    assert "caf\\xe9.png is not valid UTF-8" in result.stderr
    as_json = inference("--input", str(folder), "--json", weights=weights)
    paths = [json.loads(line)["path"] for line in as_json.stdout.splitlines()]
    assert f"{folder.as_posix()}/caf\udce9.png" in paths  # JSON keeps the name's bytes (as \udce9)


def test_a_newline_in_a_name_cannot_split_a_record(folder, weights, tmp_path):
    shutil.copy(GLYPHS[0], folder / "two\nlines.png")
    shutil.copy(GLYPHS[0], folder / "tab\tand\\backslash.png")
    result = inference("--input", str(folder), weights=weights)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(GLYPHS) + 2
    assert any(line.endswith("/two\\nlines.png") for line in lines)
    assert any(line.endswith("/tab\\tand\\\\backslash.png") for line in lines)
    assert_glyphs_printed(result.stdout, folder)


@pytest.mark.skipif(not LINE_SHIPPED, reason="no line weights shipped yet")
def test_a_newline_in_a_name_cannot_split_a_lines_record(tmp_path, weights):
    images = tmp_path / "lines"
    images.mkdir()
    line_image(images / "a.png")
    line_image(images / "b\nc\td.png")
    result = inference("--input", str(images), "--lines", weights=weights)
    assert result.returncode == 0, result.stderr
    records = [line.split("\t") for line in result.stdout.splitlines()]
    assert [len(fields) for fields in records] == [2, 2]
    assert records[0][0] == (images / "a.png").as_posix()
    assert records[1][0] == f"{images.as_posix()}/b\\nc\\td.png"


def test_a_huge_image_is_refused_from_its_header_and_the_limit_can_be_changed(folder, weights):
    (folder / "huge.png").write_bytes(png_header_only(20000, 20000))  # 438 bytes that would decode to 400 MB
    result = inference("--input", str(folder), weights=weights)
    assert result.returncode == 1
    assert "skipped: " in result.stderr and "huge.png is 20000x20000 pixels" in result.stderr
    assert "the limit is 50 megapixels" in result.stderr and MAX_PIXELS_ENV in result.stderr
    assert len(result.stdout.splitlines()) == len(GLYPHS)
    assert_glyphs_printed(result.stdout, folder)
    lower = inference("--input", str(folder), weights=weights, env={MAX_PIXELS_ENV: "700"})  # glyphs are 28x28
    assert lower.returncode == 1 and "the limit is 0.0007 megapixels" in lower.stderr
    assert lower.stdout == ""
    bad = inference("--input", str(folder), weights=weights, env={MAX_PIXELS_ENV: "many"})
    assert bad.returncode == 2 and bad.stderr.startswith(f"error: {MAX_PIXELS_ENV}='many'")


def test_blank_and_tiny_images_are_reported_instead_of_read_as_a_character(folder, weights):
    Image.new("L", (1, 1), 0).save(folder / "dot.png")
    Image.new("L", (64, 64), 255).save(folder / "blank.png")
    Image.new("RGB", (64, 64), (30, 30, 30)).save(folder / "dark.jpg")
    result = inference("--input", str(folder), weights=weights)
    assert result.returncode == 1
    assert "dot.png is 1x1 pixels, too small to hold handwriting" in result.stderr
    assert "blank.png is blank" in result.stderr and "dark.jpg is blank" in result.stderr
    assert len(result.stdout.splitlines()) == len(GLYPHS)
    assert_glyphs_printed(result.stdout, folder)


def test_ink_only_in_the_alpha_channel_reads_as_the_same_glyph_drawn_in_black(folder, weights, tmp_path):
    glyph = np.asarray(Image.open(GLYPHS[0]).convert("L"))  # light ink on black, as EMNIST
    rgba = np.zeros((*glyph.shape, 4), np.uint8)
    rgba[..., 3] = glyph
    (folder / "zz-alpha.png").write_bytes(encoded(rgba))
    (folder / "zz-black-on-white.png").write_bytes(encoded(255 - glyph))
    result = inference("--input", str(folder), "--json", weights=weights)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    texts = {record["path"].rsplit("/", 1)[1]: record["text"] for record in records}
    assert texts["zz-alpha.png"] == texts["zz-black-on-white.png"] == texts[GLYPHS[0].name]


def test_a_reader_that_stops_early_ends_the_run_quietly_with_status_141(tmp_path, weights):
    images = tmp_path / "many"
    images.mkdir()
    for index in range(1000):  # ~100 KB of output: more than a pipe holds, so the CLI is still writing
        (images / f"{index:04d}-{'x' * 60}.png").symlink_to(GLYPHS[index % len(GLYPHS)])
    command = [sys.executable, "-m", "text_recognizer.inference", "--input", str(images), "--batch-size", "16"]
    env = {**os.environ, "TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights), "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()  # as `| head -1` does: one line, then the pipe closes
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(60) == 141
    assert first.decode().endswith(f"{'x' * 60}.png\n")
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def test_head_in_a_shell_pipeline_prints_one_line_and_no_traceback(folder, weights):
    env = {**os.environ, "TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights), "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = f"{sys.executable} -m text_recognizer.inference --input {folder} | head -1"
    result = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_the_character_weights_alone_serve_the_cli_after_bad_files(tmp_path, folder):
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "fake.jpeg").write_bytes(b"GIF89a")
    result = inference("--input", str(folder), weights=inference_weights(tmp_path / "w", [CHARACTER_CARD]))
    assert result.returncode == 1
    assert "broken.png is corrupt or truncated" in result.stderr
    assert "empty.jpg is empty" in result.stderr and "fake.jpeg is not a PNG or JPEG image" in result.stderr
    assert_glyphs_printed(result.stdout, folder)
