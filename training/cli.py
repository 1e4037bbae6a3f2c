"""What every program in training/ shares: its exit statuses and the one way a user's mistake ends it (a message on
stderr, no traceback)."""

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

from text_recognizer.errors import UserError

EXIT_DATA = 1  # the data let a started run down (missing, corrupt, unusable)
EXIT_USAGE = 2  # what was asked cannot be done: arguments, config, files named (argparse exits 2 too)
EXIT_SIGNAL = 128  # + the signal's number, as a shell reports a process ended by a signal

Main = Callable[[list[str] | None], int]


def fail(error: Exception | str, status: int = EXIT_USAGE) -> NoReturn:
    """End the program with `error: <message>` on stderr and `status`."""
    print(f"error: {error}", file=sys.stderr)
    raise SystemExit(status)


@contextmanager
def user_errors(status: int = EXIT_USAGE, also: tuple[type[Exception], ...] = ()) -> Iterator[None]:
    """A UserError (or one of `also`) raised inside ends the program with its message and `status`."""
    try:
        yield
    except (UserError, *also) as error:
        fail(error, status)


def program(main: Main) -> Main:
    """`main` with every UserError it lets through ending the program with its message and EXIT_USAGE."""

    @functools.wraps(main)
    def guarded(argv: list[str] | None = None) -> int:
        with user_errors():
            return main(argv)

    return guarded
