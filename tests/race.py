"""Runs competing requests at the same instant, the way two tabs or a double click do."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from backend.errors import UserError

REFUSED = "refused"


def race(attempts: Sequence[Callable[[], object]], *, refused: type[BaseException] | tuple = UserError) -> list:
    """Starts every attempt in its own thread, releases them together, and returns what each one
    returned (in finishing order), or REFUSED for an attempt that raised `refused`. Any other
    exception fails the calling test: a race must end in a clean win or a clean refusal."""
    barrier = threading.Barrier(len(attempts))
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(attempt: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = attempt()
        except refused:
            outcome = REFUSED
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results
