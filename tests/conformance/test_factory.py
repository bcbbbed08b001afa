"""What the kit does with a factory: how it is given a context, and one clear error when it is bad."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import textwrap
import threading

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.conformance import ConformanceError, broken, examples, verify_counter, verify_pipe, verify_queue
from ipccheck.conformance.contexts import (
    AS_IS,
    PASS_CTX,
    REBIND,
    as_is_hint,
    call_with,
    calling_convention,
    contexts_for,
)
from ipccheck.conformance.factory import require_callable

from .. import foreign
from ..timing import seconds
from . import objects

START_METHODS = supported_start_methods()
NOT_FORK = [m for m in START_METHODS if m != "fork"]


class TakesCtx:
    def __init__(self, ctx=multiprocessing):
        self.ctx = ctx


class WithTest:
    def make_queue(self, ctx):
        return ctx


def takes_keyword_ctx(*, ctx):
    return ctx


# ---- how a factory is given the context under test (no processes) --------------------------


@pytest.mark.parametrize(
    ("factory", "convention"),
    [
        (multiprocessing.Queue, REBIND),
        (multiprocessing.SimpleQueue, REBIND),
        (multiprocessing.JoinableQueue, REBIND),
        (multiprocessing.Pipe, REBIND),
        (TakesCtx, PASS_CTX),
        (WithTest().make_queue, PASS_CTX),
        (takes_keyword_ctx, PASS_CTX),
        (examples.manager_queue, PASS_CTX),
        (examples.LockedCounter, PASS_CTX),
        (broken.dropping_pipe, PASS_CTX),
        (multiprocessing.get_context("spawn").Queue, AS_IS),  # a chosen context stays chosen
        (lambda: None, AS_IS),
        (dict, AS_IS),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_calling_convention(factory, convention):
    """ctx-takers get ctx, the default context's methods are rebound, the rest run as they are."""
    assert calling_convention(factory) == convention


class DefaultContext:
    """Named as multiprocessing and its forks name the object behind ``multiprocessing.Queue``."""

    def get_context(self, method):
        return Recording(method)

    def Queue(self):  # noqa: N802 - the name of the context method being rebound
        raise AssertionError("the default context's own Queue must not be called")


class Recording:
    def __init__(self, method):
        self.method = method

    def Queue(self):  # noqa: N802 - the name of the context method being rebound
        return ("made by the context for", self.method)


def test_the_factory_gets_the_context_under_test():
    """``ctx`` is the context looked up by name; a default-context method is called on its own
    library's context for the start method under test."""
    spawn = multiprocessing.get_context("spawn")
    assert call_with(TakesCtx, spawn).ctx is spawn
    assert call_with(WithTest().make_queue, spawn) is spawn
    assert call_with(takes_keyword_ctx, spawn) is spawn
    assert call_with(DefaultContext().Queue, spawn) == ("made by the context for", "spawn")
    queue = call_with(multiprocessing.Queue, foreign.get_context("spawn"))  # another library's ctx
    try:
        assert type(queue) is type(spawn.Queue())  # noqa: E721 - the standard library's own
    finally:
        queue.close()
        queue.join_thread()


def test_contexts_are_looked_up_by_name():
    """One context per start method, in canonical order; never the process-wide default."""
    contexts = contexts_for(None)
    assert tuple(contexts) == START_METHODS
    assert all(ctx is multiprocessing.get_context(name) for name, ctx in contexts.items())
    assert tuple(contexts_for("all")) == START_METHODS
    assert tuple(contexts_for(["spawn", "fork", "spawn"])) == ("spawn", "fork")


def test_hint_only_for_factories_called_as_is_outside_fork():
    """The ctx hint is given where an as-is factory's object may be the cause, nowhere else."""
    as_is = lambda: None  # noqa: E731
    for start_method in NOT_FORK:
        assert "def make_queue(ctx): return ctx.Queue()" in as_is_hint(as_is, "f", start_method)
        assert as_is_hint(TakesCtx, "f", start_method) == ""
        assert as_is_hint(multiprocessing.Queue, "f", start_method) == ""
    assert as_is_hint(as_is, "f", "fork") == ""


# ---- bad factories: TypeError or ValueError before anything hangs --------------------------


def _raises() -> object:
    raise OSError("no room")


def _needs_size(size):
    return size


@pytest.mark.parametrize(
    ("factory", "error", "words"),
    [
        ("not callable", TypeError, "callable taking no arguments"),
        (_needs_size, TypeError, "it requires size"),
        (_raises, ValueError, "raised OSError: no room"),
        (examples.LockedCounter, TypeError, "no put or get()"),
        (lambda: threading.Lock(), TypeError, "no put or get()"),
    ],
    ids=["not-callable", "needs-argument", "raises", "counter-for-queue", "lock"],
)
def test_bad_queue_factory_is_a_clear_error(factory, error, words):
    """A factory that is not callable, raises, or returns the wrong shape is refused in one line."""
    with pytest.raises(error, match=words) as caught:
        verify_queue(factory, start_methods=["fork"], max_examples=1)
    assert "\n" not in str(caught.value)


def test_require_callable_accepts_what_the_kit_can_call():
    """No arguments, only ctx, or defaults for the rest: all callable by the kit."""
    for factory in (multiprocessing.Queue, TakesCtx, takes_keyword_ctx, lambda size=3: size, dict):
        assert require_callable(factory) is factory


def test_get_without_timeout_or_empty_is_refused():
    """A queue whose get() can neither time out nor be polled could hang, so it is refused."""

    class Blocking:
        def put(self, item):
            pass

        def get(self):
            pass

    with pytest.raises(TypeError, match="no empty"):
        verify_queue(Blocking, start_methods=["fork"], max_examples=1)


def test_wrong_shapes_for_pipe_and_counter_are_refused():
    """A pipe factory must return a pair of ends; a counter needs increment()."""
    with pytest.raises(TypeError, match="not a pair"):
        verify_pipe(multiprocessing.Queue, start_methods=["fork"], max_examples=1)
    with pytest.raises(TypeError, match="no increment"):
        verify_counter(multiprocessing.Queue, start_methods=["fork"])


class WithThreadLock:
    """A correct queue that also holds a thread lock, which cannot be pickled."""

    def __init__(self, ctx):
        self._queue = ctx.Queue()
        self.lock = threading.Lock()

    def put(self, item):
        self._queue.put(item)

    def get(self, timeout=None):
        return self._queue.get(timeout=timeout)

    def close(self):
        self._queue.close()
        self._queue.join_thread()


def verdicts_of(error):
    return {verdict.start_method: verdict for verdict in error.verdicts}


@pytest.mark.processes
@pytest.mark.parametrize("start_method", NOT_FORK)
def test_object_that_cannot_be_pickled_fails_its_probe_there_only(start_method):
    """A queue that will not pickle cannot reach a spawn or forkserver child: that start method's
    finding, named with the exception; fork, where nothing is pickled, is still checked and passes."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(WithThreadLock, start_methods=["fork", start_method], max_examples=1, max_items=5)
    verdicts = verdicts_of(caught.value)
    assert verdicts["fork"].ok
    failed = verdicts[start_method]
    assert str(failed.violations[0]).startswith("error: TypeError: cannot pickle '_thread.lock' object")
    assert f"The probe (one item through one {start_method} child) failed" in failed.note
    assert "takes no ctx" not in failed.note  # it does: the hint would mislead


@pytest.mark.processes
@pytest.mark.parametrize("start_method", NOT_FORK)
def test_factory_called_as_is_gets_a_hint_to_take_ctx(start_method):
    """A zero-argument factory whose lock was made for fork children: why, and how to fix it."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(
            lambda: multiprocessing.get_context("fork").Queue(),
            start_methods=[start_method],
            max_examples=1,
        )
    message = str(caught.value)
    if sys.version_info >= (3, 11):
        assert "SemLock created in a fork context" in message
    else:  # 3.10 sends the fork-context lock anyway; the child crashes (SIGSEGV) using it
        assert "exit-code" in caught.value.invariants
    assert "takes no ctx, so it was called as is" in message
    assert "def make_queue(ctx): return ctx.Queue()" in message


@pytest.mark.processes
def test_no_hint_to_take_ctx_when_fork_fails_the_same_way():
    """A factory called as is that fails alike under fork: the start method is not why."""
    with pytest.raises(ConformanceError) as caught:
        verify_counter(objects.CappedFileCounter, start_methods=["fork", "forkserver"], procs=1,
                       increments=objects.CappedFileCounter.CAP + 1, trials=1)
    verdicts = verdicts_of(caught.value)
    assert verdicts["fork"].invariants == verdicts["forkserver"].invariants == ("total",)
    assert "sequential failure" in verdicts["forkserver"].note
    assert "takes no ctx" not in verdicts["forkserver"].note


@pytest.mark.processes
@pytest.mark.parametrize("start_method", NOT_FORK)
def test_object_the_child_cannot_rebuild_is_explained(start_method):
    """An object that fails to unpickle in the child: the child's exception, from __setstate__."""
    with pytest.raises(ConformanceError) as caught:
        verify_queue(broken.ParentOnlyQueue, start_methods=[start_method], max_examples=1)
    (exit_code,) = [str(v) for v in caught.value.violations if v.invariant == "exit-code"]
    assert exit_code.startswith(
        "exit-code: producer-0: exit code 1, raised RuntimeError: ParentOnlyQueue cannot be used "
        "in a child process (at broken.py:"
    )
    assert exit_code.endswith(" in __setstate__)")
    assert caught.value.errors["producer-0"] in exit_code


# ---- no global side effects -----------------------------------------------------------------

FRESH_INTERPRETER = """
import multiprocessing
import sys

from ipccheck.conformance import examples, verify_counter, verify_pipe, verify_queue

seen = []


def queue_watching_the_default(ctx):
    seen.append(multiprocessing.get_start_method(allow_none=True))
    return ctx.Queue()


def still_free(after):
    chosen = multiprocessing.get_start_method(allow_none=True)
    assert chosen is None, f"{after} fixed the start method to {chosen!r}"


if __name__ == "__main__":
    start_methods = [sys.argv[1]]
    small = dict(max_examples=1, max_procs=1, max_items=2)
    verify_queue(multiprocessing.Queue, start_methods=start_methods, **small)
    still_free("verify_queue(multiprocessing.Queue)")
    verify_queue(queue_watching_the_default, start_methods=start_methods, **small)
    assert set(seen) == {None}, f"the start method was set during a factory call: {seen}"
    verify_queue(examples.manager_queue, start_methods=start_methods, **small)
    still_free("verify_queue(examples.manager_queue)")  # the factory starts a manager
    verify_pipe(multiprocessing.Pipe, start_methods=start_methods, **small)
    still_free("verify_pipe(multiprocessing.Pipe)")
    verify_counter(examples.LockedCounter, start_methods=start_methods, procs=2, increments=100, trials=1)
    still_free("verify_counter(examples.LockedCounter)")
    multiprocessing.set_start_method("spawn")  # RuntimeError if anything fixed the default
    print("the start method is still the user's to choose")
"""


@pytest.mark.processes
@pytest.mark.parametrize("start_method", START_METHODS)
def test_verifying_leaves_the_start_method_unset(tmp_path, start_method):
    """In a fresh interpreter, after verifying, ``set_start_method("spawn")`` still works."""
    script = tmp_path / "fresh.py"
    script.write_text(textwrap.dedent(FRESH_INTERPRETER))
    result = subprocess.run(
        [sys.executable, str(script), start_method],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=seconds(100),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "still the user's to choose" in result.stdout
