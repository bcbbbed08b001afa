"""Leave the process-wide default start method as the caller left it: unchosen, if it was.

Starting a spawn or forkserver child, the forkserver itself, or a manager's server reads
``multiprocessing.get_start_method()`` inside CPython (``spawn.get_preparation_data``,
3.10-3.13; python/cpython#109263). That read *fixes* the default as a side effect, after which
a user's own ``set_start_method()`` raises RuntimeError. ipccheck is imported into other
projects' test suites, so every place that starts a child puts the "not chosen yet" state back.

Libraries built as copies of multiprocessing (billiard, multiprocess) keep a default of their
own and fix it the same way when one of their spawn children starts; ``left_unchosen(ctx)``
looks after the default of the library ``ctx`` comes from as well.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import ModuleType
from typing import Any


def chosen(library: Any = multiprocessing) -> str | None:
    """The process-wide start method, or None while none is chosen; reading it fixes nothing.

    (typeshed says ``get_start_method`` always returns ``str``; with ``allow_none=True`` it
    returns None until something chooses.)
    """
    method: str | None = library.get_start_method(allow_none=True)
    return method


def library_of(ctx: object) -> ModuleType | None:
    """The multiprocessing-like package ``ctx`` comes from (``billiard`` for a billiard context),
    if it is not multiprocessing itself and keeps a default start method; else None."""
    package = sys.modules.get(type(ctx).__module__.partition(".")[0])
    if package is None or package is multiprocessing:
        return None
    wanted = ("get_start_method", "set_start_method", "get_all_start_methods")
    return package if all(callable(getattr(package, name, None)) for name in wanted) else None


@contextmanager
def _kept_unchosen(library: Any) -> Iterator[None]:
    before = chosen(library)
    try:
        yield
    finally:
        after = chosen(library)
        # Only undo what the library fixed on its own (the platform default); a different
        # value was chosen on purpose by someone, and stays.
        if before is None and after == library.get_all_start_methods()[0]:
            library.set_start_method(None, force=True)  # None: back to "not chosen"


@contextmanager
def left_unchosen(ctx: object = None) -> Iterator[None]:
    """If no start method was chosen before the block, none is chosen after it: multiprocessing's,
    and that of the library ``ctx`` comes from, if it is another one."""
    with ExitStack() as stack:
        stack.enter_context(_kept_unchosen(multiprocessing))
        library = library_of(ctx)
        if library is not None:
            stack.enter_context(_kept_unchosen(library))
        yield
