"""Run one scenario on real processes and return its history.

The parent makes the object with the factory (``factory(ctx=ctx)`` when the factory takes a
``ctx``, else ``factory()``), runs the setup part itself, then starts one child per parallel
part through a ``ProcessGroup``. The children wait at a barrier so their calls overlap as much
as the machine allows, record every call with their own ``Recorder``, and send the list over
their own pipe after the last one. Once every list is in (every child call has returned), the
parent runs the teardown part. All of it happens under one ``Deadline``; the group stops
every child on every path, and the object is closed.

A queue's children may still be flushing items to its pipe when they are done (a
``multiprocessing.Queue`` child waits for its feeder thread before it exits), so the parent
drains what is left, unrecorded, before joining. Those gets come after every recorded call,
so leaving them out cannot change the verdict.
"""

from __future__ import annotations

import inspect
import queue
import time
from collections.abc import Callable
from multiprocessing import connection
from multiprocessing.context import BaseContext
from typing import Any

from ..processes import Deadline, DeadlineExceeded, ProcessGroup, Role, exit_description
from .history import MAIN, History, Operation, process_label
from .kinds import Bound, Kind
from .recorder import Recorder
from .scenario import Call, Scenario, carried

# How long the parent naps between looks for leftover queue items while children flush, and
# how long a last get waits when the queue cannot say how many items are left.
DRAIN_SECONDS = 0.01
DRAIN_GRACE = 0.5


class ScenarioError(Exception):
    """A run that gave no history to judge: a child crashed, an operation raised something the
    model does not expect (a TypeError is a bug in the scenario, not a verdict), or time ran out.
    """


def takes_ctx(factory: Callable[..., Any]) -> bool:
    """Does ``factory`` accept a ``ctx`` keyword (the multiprocessing context under test)?"""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # a builtin without a signature takes no ctx
        return False
    found = parameters.get("ctx")
    return found is not None and found.kind in (found.POSITIONAL_OR_KEYWORD, found.KEYWORD_ONLY)


def make(factory: Callable[..., Any], ctx: BaseContext) -> Any:
    """Call the factory in the parent, with the context under test when it takes one."""
    try:
        return factory(ctx=ctx) if takes_ctx(factory) else factory()
    except Exception as exc:
        raise ValueError(f"the factory raised {type(exc).__name__}: {exc}") from None


def release(obj: Any, clean: bool) -> None:
    """Close what the parent holds of the object; after a failure, do not wait for its feeder."""
    if not clean:
        cancel = getattr(obj, "cancel_join_thread", None)
        if callable(cancel):
            cancel()
    close = getattr(obj, "close", None)
    if callable(close):
        close()
    join_thread = getattr(obj, "join_thread", None)
    if clean and callable(join_thread):
        join_thread()


def bind(kind: Kind, obj: Any, calls: tuple[Call, ...]) -> Bound:
    """One callable per operation the calls use, looked up before any clock is read."""
    return kind.bind(obj, tuple(dict.fromkeys(call.name for call in calls)))


def make_calls(bound: Bound, calls: tuple[Call, ...], payload: int, recorder: Recorder) -> None:
    """Make each call in turn, recording it (a put sends its value with the payload)."""
    for call in calls:
        method = bound[call.name]
        args = tuple(carried(a, payload) for a in call.args) if call.name == "put" else call.args
        recorder.record(call.name, args, lambda: method(*args))  # noqa: B023 - called at once


def perform(kind: Kind, obj: Any, process: int, calls: tuple[Call, ...], payload: int,
            start: Any, writer: Any, timeout: float) -> None:
    """Child target: wait for the others, make every call, send the record, exit."""
    recorder = Recorder(process)
    bound = bind(kind, obj, calls)
    start.wait(timeout)
    make_calls(bound, calls, payload, recorder)
    writer.send(recorder.operations)
    writer.close()


def collect(readers: dict[Any, int], group: ProcessGroup, deadline: Deadline) -> list[Operation]:
    """Every child's record, or ScenarioError naming a child that ended without sending one."""
    operations: list[Operation] = []
    waiting = dict(readers)
    while waiting:
        ready: list[Any] = connection.wait(list(waiting), timeout=deadline.remaining())
        if not ready:
            raise DeadlineExceeded(
                f"deadline of {deadline.seconds:g} s passed waiting for "
                f"{', '.join(process_label(p) for p in waiting.values())}"
            )
        for reader in ready:
            process = waiting.pop(reader)
            try:
                operations += reader.recv()
            except EOFError:
                group.join(Deadline(min(1.0, deadline.remaining())))
                code = group.exitcodes().get(f"process-{process}")
                raise ScenarioError(
                    f"{process_label(process)} ended without sending its history "
                    f"({exit_description(code)})"
                ) from None
    return operations


def _left(obj: Any) -> int | None:
    """How many items were put and not yet taken, if the queue can tell (macOS: it cannot)."""
    qsize = getattr(obj, "qsize", None)
    try:
        return int(qsize()) if callable(qsize) else None
    except NotImplementedError:
        return None


def drain(obj: Any, group: ProcessGroup, deadline: Deadline) -> bool:
    """Take what is left in a queue, unrecorded, so that no feeder thread waits for a reader.

    While children are alive they may be flushing to the pipe: take whatever is there. Once
    they are gone, the parent's own feeder may still be writing (a large setup item): take
    until ``qsize()`` says nothing is left, or, where qsize is missing, until a get has
    waited DRAIN_GRACE seconds in vain. False: the deadline passed first.
    """
    get_nowait = getattr(obj, "get_nowait", None)
    empty = getattr(obj, "empty", None)
    if not callable(get_nowait):
        while callable(empty) and not empty():  # no feeder thread: what is put is there
            obj.get()
        return True
    while group.any_alive() and not deadline.expired():
        try:
            get_nowait()
        except queue.Empty:
            time.sleep(DRAIN_SECONDS)
    while not deadline.expired():
        left = _left(obj)
        if left == 0:
            return True
        try:
            obj.get(timeout=min(DRAIN_GRACE, deadline.remaining()))
        except queue.Empty:
            if left is None:
                return True
    return False


def execute(scenario: Scenario, kind: Kind, factory: Callable[..., Any], ctx: BaseContext,
            deadline: Deadline) -> History:
    """Run ``scenario`` once on a fresh object from ``factory`` and return what happened."""
    obj = make(factory, ctx)
    clean = False
    main = Recorder(MAIN)
    try:
        make_calls(bind(kind, obj, scenario.setup), scenario.setup, scenario.payload, main)
        with ProcessGroup(ctx) as group:
            start = ctx.Barrier(len(scenario.parallel))
            readers: dict[Any, int] = {}
            for process, calls in enumerate(scenario.parallel):
                reader, writer = ctx.Pipe(duplex=False)
                args = (kind, obj, process, calls, scenario.payload, start, writer,
                        deadline.remaining())
                try:
                    group.start(perform, args, role=Role("process", process))
                except Exception as exc:  # e.g. a fork-context lock sent to a spawn child
                    raise ScenarioError(
                        f"cannot start a {ctx.get_start_method()} child with this object "
                        f"({type(exc).__name__}: {exc}); a factory that takes ctx makes it "
                        "for the start method under test"
                    ) from None
                finally:
                    writer.close()
                readers[reader] = process
            try:
                children = collect(readers, group, deadline)
            finally:
                for reader in readers:
                    reader.close()
            last = scenario.teardown
            make_calls(bind(kind, obj, last), last, scenario.payload, main)
            drained = drain(obj, group, deadline) if kind.name == "queue" else True
            group.join(deadline)
        clean = drained
    finally:
        release(obj, clean)
    history = History(main.operations + children)
    unexpected = [op for op in history if op.error and op.error not in kind.model.errors]
    if unexpected:
        op = unexpected[0]
        raise ScenarioError(f"{process_label(op.process)} {op.invocation()} raised "
                            f"{op.error}: {op.detail}")
    return history
