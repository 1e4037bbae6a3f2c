"""The web API over HTTP against a live uvicorn server on 127.0.0.1, served from ONNX files alone (no .h5)."""

import base64
import io
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.serving import (
    CHARACTER_CARD,
    CHARACTERS,
    LINE_SHIPPED,
    SERVED_CARDS,
    inference_weights,
    line_image,
    running_server,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server with the character model only (so the line endpoint has no model)."""
    with running_server(inference_weights(tmp_path_factory.mktemp("weights"), [CHARACTER_CARD])) as server:
        yield server


def png(width: int, height: int) -> bytes:
    """A PNG of random pixels (so that it does not compress to almost nothing)."""
    buffer = io.BytesIO()
    pixels = np.random.default_rng(0).integers(0, 256, (height, width), dtype=np.uint8)
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def test_health_reports_models_loaded_on_first_use(server):
    health = httpx.get(f"{server.url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    httpx.post(f"{server.url}/v1/predict", files={"image": ("glyph.png", CHARACTERS[0].read_bytes())})
    assert httpx.get(f"{server.url}/healthz").json()["loaded"]["character"] is True


def test_openapi_describes_both_kinds_of_upload(server):
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert {"/v1/predict", "/v1/predict/line", "/healthz"} <= set(paths)
    assert set(paths["/v1/predict"]["post"]["requestBody"]["content"]) == {"multipart/form-data", "application/json"}


def test_multipart_and_json_give_the_same_prediction(server):
    image = CHARACTERS[0].read_bytes()
    upload = httpx.post(f"{server.url}/v1/predict", files={"image": ("glyph.png", image, "image/png")})
    posted = httpx.post(f"{server.url}/v1/predict", json={"image": data_url(image)})
    assert upload.status_code == posted.status_code == 200
    assert upload.json() == posted.json()
    assert len(upload.json()["text"]) == 1 and 0 <= upload.json()["confidence"] <= 1


def test_concurrent_requests_recognise_real_characters(server):
    def predict(path):
        return path, httpx.post(f"{server.url}/v1/predict", files={"image": (path.name, path.read_bytes())}, timeout=30)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(predict, CHARACTERS * 2))
    assert all(response.status_code == 200 for _, response in results)
    correct = [chr(int(path.name.split("_")[0])) == response.json()["text"] for path, response in results]
    assert sum(correct) >= 0.8 * len(correct)


BAD_REQUESTS = {
    "plain text": (415, {"content": b"hello", "headers": {"content-type": "text/plain"}}, "multipart/form-data"),
    "invalid JSON": (400, {"content": b"{oops", "headers": {"content-type": "application/json"}}, "not valid JSON"),
    "JSON without image": (400, {"json": {"picture": "x"}}, "field `image`"),
    "JSON image not a string": (400, {"json": {"image": 7}}, "field `image`"),
    "bad base64": (400, {"json": {"image": "data:image/png;base64,@@@"}}, "base64"),
    "non-image data URL": (400, {"json": {"image": "data:text/plain;base64,aGk="}}, "data URL"),
    "multipart without image": (400, {"files": {"file": ("a.png", b"x")}}, "named `image`"),
    "empty image": (400, {"files": {"image": ("a.png", b"")}}, "empty"),
    "not an image": (422, {"files": {"image": ("a.png", b"GIF89a not really")}}, "not a PNG or JPEG"),
    "truncated PNG": (422, {"files": {"image": ("a.png", png(64, 64)[:1000])}}, "corrupt or truncated"),
    "too many pixels": (422, {"json": {"image": data_url(png(5000, 8))}}, "5000x8 pixels"),
    "oversized upload": (413, {"files": {"image": ("a.png", b"\0" * (5 * 1024 * 1024))}}, "limit"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_bad_requests_get_a_4xx_json_error(server, case):
    status, request, message = BAD_REQUESTS[case]
    response = httpx.post(f"{server.url}/v1/predict", timeout=30, **request)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]


def test_unknown_routes_and_methods_answer_json(server):
    assert httpx.get(f"{server.url}/v2/nothing").json() == {"error": "Not Found"}
    assert httpx.get(f"{server.url}/v1/predict").status_code == 405


def test_line_endpoint_without_line_weights_is_unavailable(server, tmp_path):
    image = line_image(tmp_path / "line.png").read_bytes()
    response = httpx.post(f"{server.url}/v1/predict/line", files={"image": ("line.png", image)})
    assert response.status_code == 503
    assert "line model is not available" in response.json()["error"]
    assert httpx.post(f"{server.url}/v1/predict", files={"image": ("c.png", CHARACTERS[0].read_bytes())}).is_success


def test_one_log_line_per_request_with_latency_and_confidence(server):
    httpx.post(f"{server.url}/v1/predict", files={"image": ("glyph.png", CHARACTERS[1].read_bytes())})
    httpx.post(f"{server.url}/v1/predict", content=b"x", headers={"content-type": "text/plain"})
    deadline = time.monotonic() + 10  # a thread reads the server's log; wait for it to catch up
    while True:
        lines = [line for line in server.log if "text_recognizer.api" in line]
        if "POST /v1/predict 415" in lines[-1] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert "POST /v1/predict 415" in lines[-1]
    assert "POST /v1/predict 200" in lines[-2] and " ms " in lines[-2] and "confidence=" in lines[-2]


@pytest.mark.skipif(not LINE_SHIPPED, reason="no line weights shipped yet")
def test_line_endpoint_recognises_a_line(tmp_path):
    weights = inference_weights(tmp_path / "weights", SERVED_CARDS)
    with running_server(weights) as server:
        image = line_image(tmp_path / "line.png").read_bytes()
        response = httpx.post(f"{server.url}/v1/predict/line", files={"image": ("line.png", image)}, timeout=30)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["text"], str) and 0 <= response.json()["confidence"] <= 1
