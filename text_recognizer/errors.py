"""Errors a user can cause: each carries a message that says what was wrong and what to do."""


class UserError(Exception):
    """A mistake in the user's input or environment; shown as a message, never as a traceback."""


class ConfigError(UserError):
    """An experiment config that cannot run."""


class DataError(UserError):
    """Data that is missing, corrupt or in the wrong format."""
