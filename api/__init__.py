"""Web API and page over the predictors: `python -m api.serve` (uvicorn with read timeouts; see api/serve.py)."""
