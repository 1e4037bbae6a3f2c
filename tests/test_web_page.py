"""The web page in a real headless Chromium (Debian's, driven by Playwright): draw a character, upload a line."""

import shutil

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.serving import LINE_SHIPPED, SERVED_CARDS, inference_weights, line_image, running_server

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEVEN = [(60, 60), (220, 60), (150, 150), (110, 240)]  # a "7": the bar, then the stem down to the left


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The API and page, served with the shipped ONNX models."""
    with running_server(inference_weights(tmp_path_factory.mktemp("weights"), SERVED_CARDS)) as server:
        yield server


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    """The page in a fresh headless Chromium profile."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does).")
    with sync_playwright() as driver:
        browser = driver.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        page = browser.new_page()
        page.goto(server.url)
        yield page
        browser.close()


def test_drawing_a_character_shows_the_prediction(server, page):
    canvas = page.locator("#character-canvas").bounding_box()
    page.mouse.move(canvas["x"] + SEVEN[0][0], canvas["y"] + SEVEN[0][1])
    page.mouse.down()
    for x, y in SEVEN[1:]:
        page.mouse.move(canvas["x"] + x, canvas["y"] + y, steps=12)
    page.mouse.up()
    result = page.locator("#character-result")
    expect(result).to_contain_text("% confident", timeout=15_000)

    drawn = page.evaluate("document.getElementById('character-canvas').toDataURL('image/png')")
    expected = httpx.post(f"{server.url}/v1/predict", json={"image": drawn}).json()
    assert result.text_content() == f"{expected['text']} ({expected['confidence'] * 100:.1f}% confident)"
    assert expected["text"] in "7T", f"a drawn 7 read as {expected['text']!r}"


def test_uploading_a_line_shows_the_prediction_or_why_not(page, tmp_path):
    page.set_input_files("#line-file", str(line_image(tmp_path / "line.png")))
    result = page.locator("#line-result")
    expected = "% confident" if LINE_SHIPPED else "Error 503: The line model is not available"
    expect(result).to_contain_text(expected, timeout=15_000)
