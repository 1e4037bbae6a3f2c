"""The API's limits and its behaviour under slow, heavy and malformed clients: work off the event loop with bounded
concurrency, a pixel budget checked from the header, read timeouts, 4xx (never 500) for any body, escaped log lines,
and a readiness endpoint that loads the models."""

import asyncio
import base64
import json
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

import api.app
from tests.conftest import run_cli
from tests.serving import CHARACTER_CARD, CHARACTERS, SERVED_CARDS, inference_weights, running_server
from tests.test_image_reading import encoded, png_header_only
from text_recognizer import settings as env_settings

ALLOWED = {200, 400, 413, 415, 422}


class AppClient:
    """The application called in-process through httpx's ASGI transport, from synchronous tests (Starlette's
    TestClient does the same but is deprecated with this httpx)."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=api.app.create_app())
        self.client = httpx.AsyncClient(transport=transport, base_url="http://api", timeout=60)

    def __enter__(self) -> "AppClient":
        return self

    def __exit__(self, *exc) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(url, **kwargs))

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.loop.run_until_complete(self.client.post(url, **kwargs))


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return inference_weights(tmp_path_factory.mktemp("weights"), [CHARACTER_CARD])


@pytest.fixture(scope="module")
def client(weights):
    """The application in-process (the character model only), as its own test client."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEXT_RECOGNIZER_WEIGHTS_DIR", str(weights))
        with AppClient() as client:
            yield client


class Gate:
    """A predictor that holds each prediction until released, and counts how many are held at once."""

    def __init__(self):
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running = self.most = 0

    def predict(self, image) -> tuple[str, float]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.release.wait(30)
        with self.lock:
            self.running -= 1
        return "x", 1.0


async def gated_requests(gate: Gate, monkeypatch, count: int) -> tuple[dict, list[int]]:
    """/healthz's answer while `count` predictions are held, then the predictions' statuses once released."""
    monkeypatch.setattr(api.app, "character_predictor", lambda: gate)
    transport = httpx.ASGITransport(app=api.app.create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        upload = {"image": ("a.png", CHARACTERS[0].read_bytes())}
        posts = [asyncio.create_task(client.post("/v1/predict", files=upload)) for _ in range(count)]
        for _ in range(3000):
            if gate.running == min(count, env_settings.api_threads()):
                break
            await asyncio.sleep(0.01)
        health = await asyncio.wait_for(client.get("/healthz"), 10)  # on the loop, it could never answer
        gate.release.set()
        return health.json(), [response.status_code for response in await asyncio.gather(*posts)]


def test_healthz_answers_while_predictions_run_and_at_most_n_run_at_once(monkeypatch):
    monkeypatch.setenv(env_settings.API_THREADS_ENV, "2")
    gate = Gate()
    health, statuses = asyncio.run(gated_requests(gate, monkeypatch, 4))
    assert health["status"] == "ok" and statuses == [200] * 4
    assert gate.most == 2


def test_the_pixel_budget_is_checked_from_the_header(client, monkeypatch):
    within = client.post("/v1/predict", files={"image": ("a.png", png_header_only(4000, 4000))})
    assert within.status_code == 422 and "corrupt or truncated" in within.json()["error"]  # decoding was tried
    monkeypatch.setenv(env_settings.API_MAX_PIXELS_ENV, "1000")
    with AppClient() as small:
        response = small.post("/v1/predict", files={"image": ("a.png", png_header_only(4000, 4000))})
        assert response.status_code == 422
        assert response.json()["error"] == (
            "The image is 4000x4000 pixels (16.0 megapixels); the limit is 0.001 megapixels."
        )
        assert small.post("/v1/predict", files={"image": ("a.png", CHARACTERS[0].read_bytes())}).status_code == 200


def test_bad_limit_settings_stop_the_server_with_a_message(monkeypatch):
    names = env_settings.API_MAX_PIXELS_ENV, env_settings.API_THREADS_ENV, env_settings.API_READ_TIMEOUT_ENV
    for name, value in zip(names, ("lots", "0", "nan"), strict=True):
        result = run_cli("-m", "api.serve", "--port", "0", env={name: value})
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: {name}={value!r}: expected a ")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 200_000, "nested too deeply"),
        (b'{"image": ' * 50_000 + b'"x"' + b"}" * 50_000, "nested too deeply"),
        (b'{"image": ' + b"9" * 5000 + b"}", "not valid JSON"),
        (b'\xff{"image": 1}', "not valid JSON"),
    ],
)
def test_pathological_json_is_a_400_not_a_500(client, body, message):
    response = client.post("/v1/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_blank_and_tiny_uploads_are_refused_not_read_as_a_character(client):
    for pixels, message in ((np.full((64, 64), 255, np.uint8), "is blank"), (np.zeros((1, 1), np.uint8), "1x1")):
        response = client.post("/v1/predict", files={"image": ("a.png", encoded(pixels))})
        assert response.status_code == 422 and message in response.json()["error"]


def test_a_newline_in_the_path_cannot_forge_a_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="text_recognizer.api"):
        client.get("/nothing%0a2026-01-01 INFO text_recognizer.api: GET /admin 200%0d%1b[2J")
    messages = [record.getMessage() for record in caplog.records if record.name == "text_recognizer.api"]
    assert messages[-1].startswith("GET /nothing\\n2026-01-01 INFO text_recognizer.api: GET /admin 200\\r\\x1b[2J 404")
    assert "\n" not in messages[-1] and "\r" not in messages[-1]


def test_the_cli_and_the_api_read_ink_drawn_only_in_alpha_the_same_way(client, weights, tmp_path):
    glyph = np.asarray(Image.open(CHARACTERS[3]).convert("L"))
    rgba = np.zeros((*glyph.shape, 4), np.uint8)
    rgba[..., 3] = glyph
    folder = tmp_path / "alpha"
    folder.mkdir()
    (folder / "alpha.png").write_bytes(encoded(rgba))
    cli = run_cli(
        "-m",
        "text_recognizer.inference",
        "--input",
        str(folder),
        "--json",
        env={"TEXT_RECOGNIZER_WEIGHTS_DIR": str(weights)},
    )
    assert cli.returncode == 0, cli.stderr
    from_cli = json.loads(cli.stdout)
    from_api = client.post("/v1/predict", files={"image": ("alpha.png", encoded(rgba))}).json()
    assert from_api["text"] == from_cli["text"]
    assert from_api["confidence"] == pytest.approx(from_cli["confidence"], abs=1e-5)


def test_readiness_loads_the_models_and_names_the_one_that_is_missing(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 503
    models = ready.json()["models"]
    assert models["character"] == "loaded" and "line model is not available" in models["line"]
    assert client.get("/healthz").json()["loaded"]["character"] is True


def test_readiness_is_200_when_every_model_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXT_RECOGNIZER_WEIGHTS_DIR", str(inference_weights(tmp_path / "w", SERVED_CARDS)))
    with AppClient() as client:
        if len(SERVED_CARDS) < 2:
            pytest.skip("no line weights shipped yet")
        ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {
        "ready": True,
        "models": {"character": "loaded", "line": "loaded", "page": "loaded"},
    }


def multipart(name: str, data: bytes, field: str = "image") -> tuple[bytes, str]:
    boundary = "hypothesis-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def image_bytes():
    """PNGs and JPEGs of random pixels (gray, gray+alpha, RGB, RGBA), whole or truncated."""

    def encode(pixels_format_cut) -> bytes:
        pixels, image_format, cut = pixels_format_cut
        if image_format == "JPEG" and pixels.shape[2] in (2, 4):
            image_format = "PNG"  # JPEG has no alpha
        data = encoded(pixels[..., 0] if pixels.shape[2] == 1 else pixels, image_format)
        return data[: max(1, int(len(data) * cut))]

    shapes = st.tuples(st.integers(1, 40), st.integers(1, 40), st.sampled_from([1, 2, 3, 4]))
    cuts = st.sampled_from([1.0, 1.0, 0.5, 0.1])
    return st.tuples(arrays(np.uint8, shapes), st.sampled_from(["PNG", "JPEG"]), cuts).map(encode)


def json_values():
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner))


@st.composite
def requests(draw):
    """(body, content type) of uploads a client might send, well-formed or not."""
    kind = draw(st.sampled_from(["multipart", "json image", "json value", "raw"]))
    if kind == "multipart":
        data = draw(image_bytes() | st.binary(max_size=200))
        field = draw(st.sampled_from(["image", "image", "file"]))
        return multipart(draw(st.text(max_size=10)).replace('"', ""), data, field)
    if kind == "json image":
        data = draw(image_bytes() | st.binary(max_size=100))
        prefix = draw(st.sampled_from(["data:image/png;base64,", "", "data:text/plain;base64,", "data:image/png,"]))
        return json.dumps({"image": prefix + base64.b64encode(data).decode()}).encode(), "application/json"
    if kind == "json value":
        return json.dumps(draw(json_values())).encode(), "application/json"
    content_type = draw(st.sampled_from(["application/json", "multipart/form-data", "text/plain", ""]))
    return draw(st.binary(max_size=300)), content_type


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(upload=requests())
def test_any_upload_gets_a_prediction_or_a_4xx_json_error(client, upload):
    body, content_type = upload
    response = client.post("/v1/predict", content=body, headers={"content-type": content_type})
    assert response.status_code in ALLOWED, response.text
    answer = response.json()
    if response.status_code == 200:
        assert set(answer) == {"text", "confidence"} and 0 <= answer["confidence"] <= 1
    else:
        assert isinstance(answer["error"], str) and answer["error"]


def send_and_wait(port: int, data: bytes, seconds: float) -> tuple[float, bytes]:
    """Connect, send `data` (part of a request), and read until the server closes; (seconds it took, reply)."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(data)
        connection.settimeout(seconds)
        started, reply = time.monotonic(), b""
        try:
            while chunk := connection.recv(4096):
                reply += chunk
        except TimeoutError:
            reply += b"<still open>"
        return time.monotonic() - started, reply


HALF_SENT = [
    b"",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
    b'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{"im',
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
]


@pytest.mark.slow
def test_half_sent_requests_are_answered_408_and_closed(weights):
    with running_server(weights, env={env_settings.API_READ_TIMEOUT_ENV: "1"}) as server:
        port = httpx.URL(server.url).port
        with ThreadPoolExecutor(16) as pool:
            replies = list(pool.map(lambda data: send_and_wait(port, data, 15), HALF_SENT * 4))
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert not [reply for _, reply in replies if reply.endswith(b"<still open>")]
    head, body, unread = replies[1][1], replies[2][1], replies[3][1]
    assert replies[0][1].startswith(b"HTTP/1.1 408 ") and head.startswith(b"HTTP/1.1 408 ")
    assert b"request line and headers did not arrive within 1 s" in head
    assert body.startswith(b"HTTP/1.1 408 ") and b"request body did not arrive within 1 s" in body
    assert unread.startswith(b"HTTP/1.1 200 ")  # answered at once, then closed: its body can never be read
    assert any("408: request line and headers not received within 1 s" in line for line in server.log)
