"""Datasets: each owns its raw bytes, its processed cache and its train/validation/test split."""
