"""Leave the process-wide default start method as the caller left it: unchosen, if it was.

Starting a spawn or forkserver child, the forkserver itself, or a manager's server reads
``multiprocessing.get_start_method()`` inside CPython (``spawn.get_preparation_data``,
3.10-3.13; python/cpython#109263). That read *fixes* the default as a side effect, after which
a user's own ``set_start_method()`` raises RuntimeError. ipccheck is imported into other
projects' test suites, so every place that starts a child puts the "not chosen yet" state back.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager


def chosen() -> str | None:
    """The process-wide start method, or None while none is chosen; reading it fixes nothing.

    (typeshed says ``get_start_method`` always returns ``str``; with ``allow_none=True`` it
    returns None until something chooses.)
    """
    return multiprocessing.get_start_method(allow_none=True)


@contextmanager
def left_unchosen() -> Iterator[None]:
    """If no start method was chosen before the block, none is chosen after it."""
    before = chosen()
    try:
        yield
    finally:
        after = chosen()
        # Only undo what CPython fixed on its own (the platform default); a different value
        # was chosen on purpose by someone, and stays.
        if before is None and after == multiprocessing.get_all_start_methods()[0]:
            multiprocessing.set_start_method(None, force=True)  # None: back to "not chosen"
