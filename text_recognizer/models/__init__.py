"""Models bind a dataset's mapping and shapes to a network, and own loss, metrics, fitting and weights."""
