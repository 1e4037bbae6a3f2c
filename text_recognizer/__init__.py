"""Handwriting recognition: datasets, networks, models, predictors. Importing it has no side effects."""

__version__ = "0.1.0"
