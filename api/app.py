"""The web API and page: `python -m api.serve` (or `uvicorn api.app:app`), then open http://localhost:8000/ (OpenAPI
at /docs)."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from api import corrections
from api.predictors import (
    LazyPredictor,
    ModelUnavailableError,
    character_predictor,
    line_predictor,
    page_predictor,
)
from api.request_log import RequestLog
from api.schemas import (
    CORRECTIONS_BODY,
    DECODER_PARAMETER,
    ERRORS,
    IMAGE_BODY,
    PAGE_FORMATS,
    PAGE_PARAMETERS,
    PAGE_RESPONSES,
    LinePrediction,
    PagePrediction,
    Prediction,
    Saved,
)
from api.uploads import ApiError, Upload, bytes_from_json, decode_upload, read_body, upload_from_request
from text_recognizer import __version__, settings
from text_recognizer.errors import DataError
from text_recognizer.line_decoder import DECODERS

PAGE = (Path(__file__).parent / "page.html").read_text()


def create_app() -> FastAPI:
    """The application, with its predictors not yet loaded."""
    app = FastAPI(
        title="text_recognizer", version=__version__, description="Handwritten characters, text lines and pages."
    )
    predictors = {
        "character": LazyPredictor("character", character_predictor),
        "line": LazyPredictor("line", line_predictor),
        "page": LazyPredictor("page", page_predictor),
    }
    max_pixels, read_timeout = settings.api_max_pixels(), settings.api_read_timeout()
    folder = settings.corrections_dir()
    # Decoding and predicting run in these threads, never on the event loop (which keeps /healthz and uploads
    # answering while a 4096x4096 image decodes); at most this many at once per process, the others wait their turn.
    workers = ThreadPoolExecutor(max_workers=settings.api_threads(), thread_name_prefix="recognise")

    def recognise(upload: Upload, predictor: LazyPredictor, options: dict) -> tuple[str, float]:
        if "decoder" in options:
            try:
                predictor.get().decoder(options["decoder"])  # built once; a missing language model is a 503
            except DataError as error:
                raise ModelUnavailableError(f"The {options['decoder']} decoder is not available: {error}") from None
        return predictor.predict(decode_upload(upload, max_pixels), **options)

    async def predict(request: Request, predictor: LazyPredictor, options: dict | None = None) -> JSONResponse:
        upload = await upload_from_request(request, read_timeout)
        run = asyncio.get_running_loop().run_in_executor
        result = await run(workers, recognise, upload, predictor, options or {})
        text, confidence = result
        request.state.result = f"text={text!r} confidence={confidence:.3f}"
        # A ready response skips FastAPI's re-validation and encoding of the return value; response_model=Prediction
        # still documents it.
        details = result.details() if hasattr(result, "details") else {}
        return JSONResponse({"text": text, "confidence": confidence, **details})

    def line_options(request: Request) -> dict:
        """The line endpoint's query options: the decoder (400 when unknown)."""
        decoder = request.query_params.get("decoder")
        if decoder is None:
            return {}
        if decoder not in DECODERS:
            raise ApiError(400, f"Unknown decoder {decoder!r}; valid: {', '.join(DECODERS)}.")
        return {"decoder": decoder}

    @app.post("/v1/predict", response_model=Prediction, responses=ERRORS, openapi_extra=IMAGE_BODY)
    async def predict_character(request: Request) -> JSONResponse:
        """Recognise the handwritten character in an image."""
        return await predict(request, predictors["character"])

    @app.post(
        "/v1/predict/line",
        response_model=LinePrediction,
        responses=ERRORS,
        openapi_extra={**IMAGE_BODY, **DECODER_PARAMETER},
    )
    async def predict_line(request: Request) -> JSONResponse:
        """Recognise the handwritten text line in an image; per-character and per-word confidences too."""
        return await predict(request, predictors["line"], line_options(request))

    @app.post(
        "/v1/predict/page",
        response_model=PagePrediction,
        responses=PAGE_RESPONSES,
        openapi_extra={**IMAGE_BODY, **PAGE_PARAMETERS},
    )
    async def predict_page(request: Request) -> Response:
        """Find the lines of a page and read them: per line its box, polygon, baseline, text and confidence, and per
        word its box, text and confidence, in the uploaded image's pixels. `format=alto` or `format=page` answers an
        ALTO v4 or PAGE XML 2019 document instead of JSON."""
        from text_recognizer.documents.formats import MEDIA_TYPES, render

        options = line_options(request)
        document_format = request.query_params.get("format", "json")
        if document_format not in PAGE_FORMATS:
            raise ApiError(400, f"Unknown format {document_format!r}; valid: {', '.join(PAGE_FORMATS)}.")
        upload = await upload_from_request(request, read_timeout)
        run = asyncio.get_running_loop().run_in_executor
        page = await run(workers, recognise, upload, predictors["page"], options)
        request.state.result = f"lines={len(page.lines)} confidence={page.confidence:.3f}"
        name = upload.filename or "page.png"
        if document_format == "json":
            return JSONResponse({"image": name, **page.to_json()})
        content = await run(workers, render, page, document_format, name)
        return Response(content, media_type=MEDIA_TYPES[document_format])

    @app.post("/v1/corrections", response_model=Saved, responses=ERRORS, openapi_extra=CORRECTIONS_BODY)
    async def save_corrections(request: Request) -> JSONResponse:
        """Append corrected lines to the server's corrections folder (LinesFolderDataset format: labels.csv and PNG
        crops): the page or line image as a data URL, and each line's box [x0, y0, x1, y1] and text."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await read_body(request, read_timeout)
        if content_type != "application/json":
            raise ApiError(415, 'Send application/json {"image": "data:image/png;base64,...", "lines": [...]}.')

        def work() -> list[str]:
            lines = corrections.parse_lines(parse_json(body))
            image = decode_upload(Upload(data=bytes_from_json(body)), max_pixels)
            crops = corrections.crops(image, lines)
            return corrections.save(folder, crops, [text for _, text in lines])

        names = await asyncio.get_running_loop().run_in_executor(workers, work)
        request.state.result = f"saved={len(names)}"
        return JSONResponse({"saved": len(names), "files": names})

    @app.get("/healthz")
    async def healthz() -> dict:
        """Liveness, and which models this process has loaded so far."""
        return {"status": "ok", "loaded": {name: p.loaded for name, p in predictors.items()}}

    @app.get("/readyz", responses={503: {"description": "A model could not be loaded"}})
    async def readyz() -> JSONResponse:
        """Readiness: loads every model this process serves (in a thread); 200 when all are loaded, else 503 with
        the reason for each that is not. The Docker health check asks this."""
        models = {}
        for name, predictor in predictors.items():
            try:
                if not predictor.loaded:
                    await asyncio.to_thread(predictor.get)
                models[name] = "loaded"
            except ModelUnavailableError as error:
                models[name] = str(error)
        ready = all(state == "loaded" for state in models.values())
        return JSONResponse({"ready": ready, "models": models}, status_code=200 if ready else 503)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return PAGE

    add_error_handlers(app)
    app.add_middleware(RequestLog)
    return app


def parse_json(body: bytes):
    """A JSON body, or 400 (also for JSON nested too deeply to parse, or a number too long to convert)."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ApiError(400, "The JSON body is nested too deeply.") from None
    except ValueError:
        raise ApiError(400, "The body is not valid JSON.") from None


def add_error_handlers(app: FastAPI) -> None:
    """Every error is a JSON {"error": message}: 4xx for the client's mistakes, 503 for a missing model."""

    def respond(status_and_message):
        async def handle(request: Request, exc: Exception) -> JSONResponse:
            status, message = status_and_message(exc)
            return JSONResponse({"error": message}, status_code=status)

        return handle

    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(DataError, respond(lambda exc: (422, str(exc))))
    app.add_exception_handler(ModelUnavailableError, respond(lambda exc: (503, str(exc))))
    app.add_exception_handler(HTTPException, respond(lambda exc: (exc.status_code, str(exc.detail))))
    app.add_exception_handler(Exception, respond(lambda exc: (500, "Internal error; the server log has the details.")))


app = create_app()
