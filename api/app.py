"""The web API and page: `uvicorn api.app:app`, then open http://localhost:8000/ (OpenAPI at /docs)."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from api.predictors import LazyPredictor, ModelUnavailableError, character_predictor, line_predictor
from api.request_log import RequestLog
from api.uploads import ApiError, image_from_request
from text_recognizer import __version__
from text_recognizer.errors import DataError

PAGE = (Path(__file__).parent / "page.html").read_text()


class Prediction(BaseModel):
    """What an image says, and how sure the model is (0-1)."""

    text: str
    confidence: float


class Error(BaseModel):
    """Why a request could not be served."""

    error: str


IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"image": {"type": "string", "format": "binary"}},
                    "required": ["image"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"image": {"type": "string", "description": "data:image/png;base64,..."}},
                    "required": ["image"],
                },
                "example": {"image": "data:image/png;base64,iVBORw0KGgo..."},
            },
        },
    }
}
ERRORS = {status: {"model": Error} for status in (400, 413, 415, 422, 503)}


def create_app() -> FastAPI:
    """The application, with its predictors not yet loaded."""
    app = FastAPI(title="text_recognizer", version=__version__, description="Handwritten characters and text lines.")
    predictors = {
        "character": LazyPredictor("character", character_predictor),
        "line": LazyPredictor("line", line_predictor),
    }

    async def predict(request: Request, predictor: LazyPredictor) -> JSONResponse:
        image = await image_from_request(request)
        # Run here, not in a thread: the work is short and CPU-bound, and the server has a process per core.
        text, confidence = predictor.predict(image)
        request.state.result = f"text={text!r} confidence={confidence:.3f}"
        # A ready response skips FastAPI's re-validation and encoding of the return value; response_model=Prediction
        # still documents it.
        return JSONResponse({"text": text, "confidence": confidence})

    @app.post("/v1/predict", response_model=Prediction, responses=ERRORS, openapi_extra=IMAGE_BODY)
    async def predict_character(request: Request) -> JSONResponse:
        """Recognise the handwritten character in an image."""
        return await predict(request, predictors["character"])

    @app.post("/v1/predict/line", response_model=Prediction, responses=ERRORS, openapi_extra=IMAGE_BODY)
    async def predict_line(request: Request) -> JSONResponse:
        """Recognise the handwritten text line in an image."""
        return await predict(request, predictors["line"])

    @app.get("/healthz")
    async def healthz() -> dict:
        """Liveness, and which models this process has loaded so far."""
        return {"status": "ok", "loaded": {name: p.loaded for name, p in predictors.items()}}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> str:
        return PAGE

    add_error_handlers(app)
    app.add_middleware(RequestLog)
    return app


def add_error_handlers(app: FastAPI) -> None:
    """Every error is a JSON {"error": message}: 4xx for the client's mistakes, 503 for a missing model."""

    def respond(status_and_message):
        async def handle(request: Request, exc: Exception) -> JSONResponse:
            status, message = status_and_message(exc)
            return JSONResponse({"error": message}, status_code=status)

        return handle

    app.add_exception_handler(ApiError, respond(lambda exc: (exc.status, exc.message)))
    app.add_exception_handler(DataError, respond(lambda exc: (422, str(exc))))
    app.add_exception_handler(ModelUnavailableError, respond(lambda exc: (503, str(exc))))
    app.add_exception_handler(HTTPException, respond(lambda exc: (exc.status_code, str(exc.detail))))
    app.add_exception_handler(Exception, respond(lambda exc: (500, "Internal error; the server log has the details.")))


app = create_app()
