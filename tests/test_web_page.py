"""The web page in a real headless Chromium (Debian's, driven by Playwright): draw a character, upload a line."""

import csv
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from api.corrections import LABELS
from tests.serving import LINE_SHIPPED, SERVED_CARDS, inference_weights, line_image, running_server
from text_recognizer.settings import CORRECTIONS_DIR_ENV

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
PAGE = Path(__file__).resolve().parents[1] / "data" / "raw" / "iam" / "paragraphs_sample" / "a01-107.png"
TRUE_FIRST_LINE = "We believe that a comprehensive medical service, free to the patient"
SEVEN = [(60, 60), (220, 60), (150, 150), (110, 240)]  # a "7": the bar, then the stem down to the left


@pytest.fixture(scope="module")
def corrections(tmp_path_factory):
    """Where the served page's corrections go."""
    return tmp_path_factory.mktemp("corrections")


@pytest.fixture(scope="module")
def server(tmp_path_factory, corrections):
    """The API and page, served with the shipped ONNX models."""
    weights = inference_weights(tmp_path_factory.mktemp("weights"), SERVED_CARDS)
    with running_server(weights, env={CORRECTIONS_DIR_ENV: str(corrections)}) as server:
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


@pytest.mark.skipif(not LINE_SHIPPED, reason="no line weights shipped yet")
def test_a_page_is_boxed_and_a_corrected_reading_is_saved_for_fine_tuning(server, page, corrections, tmp_path):
    expected = httpx.post(f"{server.url}/v1/predict/page", files={"image": ("a.png", PAGE.read_bytes())}, timeout=60)
    lines = expected.json()["lines"]
    page.set_input_files("#page-file", str(PAGE))
    expect(page.locator("#page-result")).to_contain_text("5 lines found", timeout=30_000)
    boxes, inputs = page.locator("#page-view .page-box"), page.locator("#page-lines input")
    expect(boxes).to_have_count(5)
    assert [inputs.nth(i).input_value() for i in range(5)] == [line["text"] for line in lines]
    low = [i for i, line in enumerate(lines) if line["confidence"] < 0.5]
    assert [i for i in range(5) if "low" in (boxes.nth(i).get_attribute("class") or "")] == low
    assert f"{lines[0]['confidence'] * 100:.1f}% confident" in page.locator("#page-lines li").first.text_content()
    unsure_words = sum(word["confidence"] < 0.5 for line in lines for word in line["words"])
    expect(page.locator("#page-view .page-word.low")).to_have_count(unsure_words)
    assert unsure_words > 0
    # The boxes sit where the lines are: the first box's share of the shown image is its share of the page.
    view, first = page.locator("#page-view").bounding_box(), boxes.first.bounding_box()
    assert abs((first["x"] - view["x"]) / view["width"] - lines[0]["box"][0] / 978) < 0.01
    assert abs((first["y"] - view["y"]) / view["height"] - lines[0]["box"][1] / 474) < 0.01
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)

    page.click("#page-save")
    expect(page.locator("#page-saved")).to_have_text("Nothing to save: correct a reading first.")
    inputs.first.fill(TRUE_FIRST_LINE)
    page.click("#page-save")
    expect(page.locator("#page-saved")).to_have_text("Saved 1 corrected line.", timeout=15_000)
    rows = list(csv.reader((corrections / LABELS).read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["filename", "text"] and rows[-1][1] == TRUE_FIRST_LINE
    assert (corrections / rows[-1][0]).is_file()
    page.click("#page-save")  # saved once: nothing new to save
    expect(page.locator("#page-saved")).to_have_text("Nothing to save: correct a reading first.")
