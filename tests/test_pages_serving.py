"""Page mode of the inference CLI and of the web API, and the corrections endpoint: documents out, errors as 4xx
(never 5xx) and reported files, concurrent corrections that neither interleave nor lose rows."""

import base64
import csv
import io
import json
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import corrections, limits
from tests.conftest import run_cli
from tests.serving import CHARACTER_CARD, LINE_SHIPPED, SERVED_CARDS, inference_weights
from tests.test_api_limits import AppClient
from tests.test_image_reading import encoded, png_header_only
from tests.xml_schemas import assert_valid
from text_recognizer import settings as env_settings
from text_recognizer.documents.formats import read_lines

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not LINE_SHIPPED, reason="no line weights shipped")]
PARAGRAPHS = Path(__file__).resolve().parents[1] / "data" / "raw" / "iam" / "paragraphs_sample"
LINES = {"a01-077": 10, "a01-087": 9, "a01-107": 5, "a02-046": 8}
ALLOWED = {200, 400, 413, 415, 422}


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return inference_weights(tmp_path_factory.mktemp("weights"), SERVED_CARDS)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return tmp_path_factory.mktemp("corrections") / "folder"


@pytest.fixture(scope="module")
def client(weights, saved):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEXT_RECOGNIZER_WEIGHTS_DIR", str(weights))
        patch.setenv(env_settings.CORRECTIONS_DIR_ENV, str(saved))
        with AppClient() as client:
            yield client


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in LINES:
        shutil.copy(PARAGRAPHS / f"{page}.png", folder)
    return folder


def inference(*args: str, weights) -> subprocess.CompletedProcess:
    return run_cli("-m", "text_recognizer.inference", *args, env={"TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights)})


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def test_cli_pages_print_each_line_and_report_unreadable_files(pages, weights):
    (pages / "broken.png").write_bytes(b"not a png")
    (pages / "blank.png").write_bytes(encoded(np.full((50, 80), 255, np.uint8)))
    result = inference("--input", str(pages), "--pages", weights=weights)
    assert result.returncode == 1
    assert "skipped: " in result.stderr and "broken.png" in result.stderr and "blank.png is blank" in result.stderr
    records = [line.split("\t") for line in result.stdout.splitlines()]
    counts = {Path(path).stem: sum(1 for p, _ in records if p == path) for path, _ in records}
    assert counts == LINES


def test_cli_pages_as_json_lines_with_words_in_image_pixels(pages, weights):
    result = inference("--input", str(pages), "--pages", "--json", "--batch-size", "3", weights=weights)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(r["path"]).stem for r in records] == sorted(LINES)
    for record in records:
        assert len(record["lines"]) == LINES[Path(record["path"]).stem] and record["time_ms"] > 0
        line = record["lines"][0]
        assert set(line) == {"text", "confidence", "box", "polygon", "baseline", "words"}
        assert line["box"][2] <= record["width"] and line["box"][3] <= record["height"]
        assert [word["text"] for word in line["words"]] == line["text"].split()


@pytest.mark.parametrize("document_format", ["alto", "page"])
def test_cli_pages_write_one_valid_document_per_image(pages, weights, tmp_path, document_format):
    shutil.copy(pages / "a01-107.png", pages / "a01-107.jpg.png")  # a second name; stems stay distinct
    out = tmp_path / "out" / "nested"
    result = inference(
        "--input", str(pages), "--pages", "--format", document_format, "--output", str(out), weights=weights
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{page}.xml" for page in LINES] + ["a01-107.jpg.xml"])
    for page, count in LINES.items():
        assert_valid(document_format, (out / f"{page}.xml").read_bytes())
        assert len(read_lines(out / f"{page}.xml")) == count
    assert result.stdout == "" and "wrote 5 " in result.stderr


def test_cli_pages_name_clashing_stems_apart_and_refuse_bad_usage(pages, weights, tmp_path):
    shutil.copy(pages / "a01-107.png", pages / "a01-107.jpg")
    result = inference(
        "--input", str(pages), "--pages", "--format", "text", "--output", str(tmp_path / "o"), weights=weights
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert "a01-107.png.txt" in names and "a01-107.jpg.txt" in names and "a01-077.txt" in names
    for usage in (
        ["--pages", "--format", "alto"],
        ["--format", "json"],
        ["--pages", "--lines"],
        ["--pages", "--json", "--format", "alto"],
        ["--detector-card", "LineDetectorModel_SyntheticParagraphsDataset_fcn"],
    ):
        refused = inference("--input", str(pages), *usage, weights=weights)
        assert refused.returncode == 2 and "error:" in refused.stderr, usage
    blocked = tmp_path / "file"
    blocked.write_text("")
    refused = inference("--input", str(pages), "--pages", "--output", str(blocked / "x"), weights=weights)
    assert refused.returncode == 2 and "cannot create the output folder" in refused.stderr
    missing = inference("--input", str(pages), "--pages", "--detector-card", "NoSuchDetector", weights=weights)
    assert missing.returncode == 2 and "No weights card" in missing.stderr
    no_detector = inference(
        "--input", str(pages), "--pages", weights=inference_weights(tmp_path / "w", [CHARACTER_CARD])
    )
    assert no_detector.returncode == 2 and no_detector.stderr.startswith("error: ")


def test_api_page_answers_json_by_default_and_documents_on_request(client):
    image = (PARAGRAPHS / "a01-107.png").read_bytes()
    answer = client.post("/v1/predict/page", files={"image": ("a01-107.png", image)})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    page = answer.json()
    assert page["image"] == "a01-107.png" and (page["width"], page["height"]) == (978, 474)
    assert len(page["lines"]) == 5 and page["text"].count("\n") == 4
    for document_format, media_type in (("alto", "application/alto+xml"), ("page", "application/vnd.prima.page+xml")):
        document = client.post(f"/v1/predict/page?format={document_format}", json={"image": data_url(image)})
        assert document.status_code == 200 and document.headers["content-type"] == media_type
        assert_valid(document_format, document.content)
        assert [text for _, text in read_lines(document.content)] == [line["text"] for line in page["lines"]]
    beam = client.post("/v1/predict/page?decoder=beam", files={"image": ("p.png", image)})
    assert beam.status_code == 200 and len(beam.json()["lines"]) == 5


@pytest.mark.parametrize(
    ("url", "upload", "status", "message"),
    [
        ("/v1/predict/page?format=docx", "page", 400, "Unknown format"),
        ("/v1/predict/page?decoder=best", "page", 400, "Unknown decoder"),
        ("/v1/predict/page", "blank", 422, "is blank"),
        ("/v1/predict/page", "text", 422, "not a PNG or JPEG"),
        ("/v1/predict/page", "huge", 422, "pixels a side"),
        ("/v1/predict/page", "oversized", 413, "over the limit"),
        ("/v1/predict/page", "no image field", 400, "no file field"),
    ],
)
def test_api_page_refuses_bad_input_with_a_4xx(client, url, upload, status, message):
    bodies = {
        "page": (PARAGRAPHS / "a01-107.png").read_bytes(),
        "blank": encoded(np.full((300, 300), 255, np.uint8)),
        "text": b"hello",
        "huge": png_header_only(5000, 300),
        "oversized": b"\x89PNG\r\n\x1a\n" + bytes(limits.MAX_REQUEST_BYTES + 1),
    }
    field = "file" if upload == "no image field" else "image"
    response = client.post(url, files={field: ("p.png", bodies.get(upload, b"x"))})
    assert response.status_code == status and message in response.json()["error"], response.text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.sampled_from(["json", "alto", "page", "text"]))
def test_api_page_answers_any_bytes_with_a_document_or_a_4xx(client, data, document_format):
    response = client.post(f"/v1/predict/page?format={document_format}", files={"image": ("p.png", data)})
    assert response.status_code in ALLOWED, response.text


def correction(box, text, image=None) -> dict:
    image = image or (PARAGRAPHS / "a01-107.png").read_bytes()
    return {"image": data_url(image), "lines": [{"box": box, "text": text}]}


def test_corrections_are_appended_in_the_lines_folder_format(client, saved):
    page = client.post("/v1/predict/page", files={"image": ("p.png", (PARAGRAPHS / "a01-107.png").read_bytes())})
    box = page.json()["lines"][0]["box"]
    response = client.post("/v1/corrections", json=correction(box, 'We believe, "free" to the patient'))
    assert response.status_code == 200 and response.json()["saved"] == 1
    name = response.json()["files"][0]
    rows = list(csv.reader(io.StringIO((saved / "labels.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["filename", "text"] and [name, 'We believe, "free" to the patient'] in rows
    crop = (saved / name).read_bytes()
    assert crop.startswith(b"\x89PNG") and set(p.name for p in saved.iterdir()) >= {"labels.csv", name}
    assert not [p for p in saved.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"lines": []}, 400, "Send"),
        (correction([0, 0, 10], "x"), 400, "four integers"),
        (correction([0, 0, 10.5, 10], "x"), 400, "four integers"),
        (correction([0, 0, 50, 50], ""), 400, "non-empty"),
        (correction([0, 0, 50, 50], "two\nlines"), 400, "one line"),
        (correction([0, 0, 5000, 50], "x"), 422, "not inside"),
        (correction([40, 40, 10, 10], "x"), 422, "not inside"),
        ({"image": "data:image/png;base64,@@", "lines": [{"box": [0, 0, 9, 9], "text": "x"}]}, 400, "base64"),
    ],
)
def test_bad_corrections_are_refused_and_write_nothing(client, saved, body, status, message):
    before = sorted(p.name for p in saved.iterdir()) if saved.exists() else []
    response = client.post("/v1/corrections", json=body)
    assert response.status_code == status and message in response.json()["error"], response.text
    assert (sorted(p.name for p in saved.iterdir()) if saved.exists() else []) == before


def test_corrections_need_json_and_names_never_come_from_the_request(client, saved):
    response = client.post("/v1/corrections", files={"image": ("../../evil.png", b"x")})
    assert response.status_code == 415
    evil = correction([0, 0, 50, 50], "x")
    evil["lines"][0]["filename"] = "../../evil.png"
    assert client.post("/v1/corrections", json=evil).status_code == 200
    assert not (saved.parent.parent / "evil.png").exists() and all(".." not in p.name for p in saved.iterdir())


def save_one(folder: Path, index: int) -> list[str]:
    """One correction, saved as the endpoint saves it (run in another process)."""
    return corrections.save(folder, [np.full((20, 30), index, np.uint8)], [f"line number {index}, with a comma"])


def test_concurrent_corrections_from_several_processes_lose_and_interleave_no_rows(tmp_path):
    folder = tmp_path / "corrections"
    with ProcessPoolExecutor(4) as processes, ThreadPoolExecutor(4) as threads:
        done = [processes.submit(save_one, folder, index) for index in range(24)]
        done += [threads.submit(save_one, folder, index) for index in range(24, 48)]
        names = [name for future in done for name in future.result()]
    rows = list(csv.reader(io.StringIO((folder / "labels.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["filename", "text"] and len(rows) == 49 and all(len(row) == 2 for row in rows)
    assert sorted(row[1] for row in rows[1:]) == sorted(f"line number {index}, with a comma" for index in range(48))
    assert sorted(row[0] for row in rows[1:]) == sorted(names) and len(set(names)) == 48
    assert all((folder / name).is_file() for name in names)
