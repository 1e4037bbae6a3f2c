"""SIGTERM and SIGINT as an Interrupted exception: raised at once, and again at the next training step if the first
was swallowed (a signal can land inside a __del__ or a library's own exception handling)."""

import signal


class Interrupted(KeyboardInterrupt):
    """The run was told to stop; its last checkpoint is whole because checkpoints are replaced atomically."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


received: int | None = None


def install() -> None:
    """Turn SIGTERM and SIGINT into Interrupted for the rest of this process."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _raise)


def raise_if_received() -> None:
    """Raise Interrupted if a signal arrived (and its exception got lost)."""
    if received is not None:
        raise Interrupted(received)


def ignore_further() -> None:
    """While the interruption is being recorded, a second signal must not cut it short."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_IGN)


def _raise(signum: int, frame) -> None:
    global received
    received = signum
    raise Interrupted(signum)
