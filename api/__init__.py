"""Web API and page over the predictors: `uvicorn api.app:app`."""
