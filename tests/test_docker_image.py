"""What the Docker image runs, run as the Dockerfile runs it (no Docker engine here to build the image): the build
context the root .dockerignore lets through, the files the Dockerfile copies, its environment, its CMD from its
WORKDIR, and its HEALTHCHECK, which must fail until the models load and pass once they do."""

import fnmatch
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.serving import CHARACTERS, LINE_CARD, LINE_SHIPPED

pytestmark = pytest.mark.slow

DOCKERFILE = REPO / "api" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps `path` out of the build context (the subset of its syntax used here: `*`,
    `!dir/`, `**/name`, `dir/*.ext`; the last matching pattern wins, a pattern matching a folder covers its files)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        else:
            hit = any(
                fnmatch.fnmatchcase(prefix, pattern) and prefix.count("/") == pattern.count("/") for prefix in prefixes
            )
        if hit:
            result = not keep
    return result


def build_context() -> list[str]:
    """The repository files (tracked, and untracked but not git-ignored) that the root .dockerignore sends."""
    patterns = [
        line.strip() for line in (REPO / ".dockerignore").read_text().splitlines() if line.strip() and line[0] != "#"
    ]
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO, capture_output=True
    ).stdout.decode()
    return sorted(
        path for path in listed.split("\0") if path and (REPO / path).is_file() and not ignored(path, patterns)
    )


def test_the_base_image_is_pinned_by_digest_and_the_context_holds_only_what_the_image_copies():
    base = dict(instructions())["FROM"]
    assert re.fullmatch(r"python:3\.11[\w.-]*@sha256:[0-9a-f]{64}", base), base
    context = build_context()
    assert "requirements-inference.txt" in context and "api/serve.py" in context
    assert any(path.endswith(".onnx") for path in context)
    tops = {path.split("/")[0] for path in context}
    assert tops == {"requirements-inference.txt", "text_recognizer", "api"}
    assert not [path for path in context if path.endswith(".h5") or "__pycache__" in path]
    assert not (REPO / "api" / "Dockerfile.dockerignore").exists()  # one ignore file, which every builder reads


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_run_here(command: list[str], port: int) -> list[str]:
    """A Dockerfile exec-form command, with this Python for `python` and a free port for 8000."""
    return [sys.executable if word == "python" else word.replace("8000", str(port)) for word in command]


def image_files(context: list[str], app: Path, leave_out: str | None = None) -> None:
    """Copy what the Dockerfile's COPY lines copy from the context into `app` (its WORKDIR)."""
    for instruction, arguments in instructions():
        if instruction != "COPY":
            continue
        source, _ = shlex.split(arguments)
        for path in context:
            if path == source or path.startswith(source.rstrip("/") + "/"):
                if leave_out and path.endswith(leave_out):
                    continue
                (app / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(REPO / path, app / path)


def image_environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXT_RECOGNIZER_") and k != "PYTHONPATH"}
    for instruction, arguments in instructions():
        if instruction == "ENV":
            env.update(word.split("=", 1) for word in shlex.split(arguments))
    return env


def compile_search_at_build(app: Path, env: dict) -> None:
    """Run the Dockerfile's build step that compiles the language-model search into $NUMBA_CACHE_DIR (the chown
    after it left out), and check that the cache it leaves is there."""
    (compile_step,) = [arguments for instruction, arguments in instructions() if "compile_search" in arguments]
    command = shlex.split(compile_step.split("&&")[0])
    subprocess.run(as_run_here(command, 0), cwd=app, env=env, check=True, timeout=300)
    assert any(Path(env["NUMBA_CACHE_DIR"]).rglob("*.nbi")), "no compiled search in the cache"


def run_health_check(command: list[str], env: dict, app: Path) -> int:
    return subprocess.run(command, cwd=app, env=env, capture_output=True, timeout=30).returncode


@pytest.mark.skipif(not LINE_SHIPPED, reason="no line weights shipped: the image would never report healthy")
@pytest.mark.parametrize("missing", [None, f"{LINE_CARD}.json"])
def test_the_image_command_serves_and_its_health_check_waits_for_the_models(missing):
    steps = dict(instructions())
    assert steps["WORKDIR"] == "/app" and steps["USER"] == "recognizer"
    command = json.loads(steps["CMD"])
    health = json.loads(steps["HEALTHCHECK"].split(" CMD ", 1)[1])
    assert command[:3] == ["python", "-m", "api.serve"] and "/readyz" in health[-1]
    port = free_port()
    env = image_environment()
    assert env["WEB_CONCURRENCY"] == "2"
    with tempfile.TemporaryDirectory() as scratch:
        app = Path(scratch) / "app"
        # Without the line model's card, the image cannot serve lines: it must not report healthy.
        image_files(build_context(), app, leave_out=missing)
        env = {name: value.replace("/app/", f"{app}/") for name, value in env.items()}  # the WORKDIR is `app` here
        compile_search_at_build(app, env)
        where = subprocess.run(
            [sys.executable, "-c", "import text_recognizer; print(text_recognizer.__file__)"],
            cwd=app,
            env=env,
            capture_output=True,
            text=True,
        )
        assert where.stdout.startswith(str(app)), where  # the copy is what runs, not the repository
        server = subprocess.Popen(as_run_here(command, port), cwd=app, env=env, stderr=subprocess.PIPE, text=True)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    alive = httpx.get(f"{url}/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert alive.json()["status"] == "ok"
            status = run_health_check(as_run_here(health, port), env, app)
            if missing:
                assert status != 0
                assert "line model is not available" in httpx.get(f"{url}/readyz").json()["models"]["line"]
            else:
                assert status == 0
                assert httpx.get(f"{url}/readyz").json()["ready"] is True
                glyph = {"image": ("glyph.png", CHARACTERS[0].read_bytes())}
                assert httpx.post(f"{url}/v1/predict", files=glyph).status_code == 200
        finally:
            server.terminate()
            log = server.communicate(timeout=30)[1]
    assert "Traceback" not in log, log
