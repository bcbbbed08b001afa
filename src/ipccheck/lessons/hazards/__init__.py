"""The classic multiprocessing mistakes, each shown happening and then shown fixed.

Every hazard here comes from a tutorial pattern or a warning in the multiprocessing docs. For
each one this module runs a *demonstration* that makes the mistake under a short bound (it
never hangs: every wait has a timeout, every child runs in a ProcessGroup, every segment is
unlinked) and records the evidence, then runs the *fixed pattern* and checks that it held.

These are demonstrations of what not to do, kept apart from the reference implementations in
``ipccheck.methods``. Run them with ``ipccheck hazards [NAME ...] [--json]``.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from multiprocessing import resource_tracker, shared_memory
from multiprocessing.context import BaseContext
from typing import Any

from ... import leftovers
from ..._validate import platform_default_start_method, require_choice, require_start_method
from ...interrupts import running_manager
from ...processes import Deadline, ProcessGroup, Role, exit_description
from .. import race

# Sizes past the thresholds measured here (docs/races.md): a child that sent small ints blocks its
# parent's join() from 279 messages on the default Pipe() and from 3,575 on a Queue.
QUEUE_ITEMS = 10_000
PIPE_ITEMS = 2_000
STREAM_ITEMS = 20_000  # terminate() demo: far more than the pipe under a Queue can hold
RECEIVE_BEFORE_STOP = 100  # items the parent takes before it stops the producer
JOIN_WAIT = 1.0  # the short join() that stands in for "join() hangs forever"
HAZARD_TIMEOUT = 20.0  # no single demonstration or fix waits longer than this
QUIET = 0.2  # an empty channel this long after the producer died holds nothing more
END = "end"


@dataclass(frozen=True)
class Finding:
    """What one demonstration or fix observed: did it show what it should, and the evidence."""

    held: bool
    evidence: str


@dataclass(frozen=True)
class Hazard:
    """One mistake: what goes wrong, how to show it, and the pattern that fixes it."""

    name: str
    what: str
    fix: str
    demonstrate: Callable[[BaseContext], Finding]
    repair: Callable[[BaseContext], Finding]


@dataclass(frozen=True)
class HazardResult:
    """The record of running one hazard: shown or not, and whether its fix held."""

    name: str
    what: str
    fix: str
    start_method: str
    shown: bool
    evidence: str
    fix_held: bool
    fix_evidence: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.shown and self.fix_held

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(ok=self.ok, seconds=round(self.seconds, 3))
        return data


# --- helpers ----------------------------------------------------------------------------------


def take(channel, count: int | None, deadline: Deadline, until: object = None) -> list[Any]:  # type: ignore[no-untyped-def]
    """Get from a Queue until ``count`` items (or the item ``until``) arrived, or it went quiet.

    With ``count`` None and no ``until``, stops after the queue stayed empty for QUIET seconds.
    Never waits past ``deadline``.
    """
    got: list[Any] = []
    while not deadline.expired():
        if count is not None and len(got) >= count:
            break
        try:
            item = channel.get(timeout=min(QUIET, deadline.remaining()))
        except queue_module.Empty:
            if count is None and until is None:
                break
            continue
        got.append(item)
        if until is not None and isinstance(item, tuple) and item[:1] == (until,):
            break
    return got


def receive_all(reader, count: int, deadline: Deadline) -> list[Any]:  # type: ignore[no-untyped-def]
    """Receive from a Connection until ``count`` messages, EOF, or the deadline."""
    got: list[Any] = []
    while len(got) < count and not deadline.expired():
        if not reader.poll(min(QUIET, deadline.remaining())):
            continue
        try:
            got.append(reader.recv())
        except EOFError:
            break
    return got


def close_queue(channel) -> None:  # type: ignore[no-untyped-def]
    channel.close()
    channel.join_thread()


# --- join before drain: Queue ----------------------------------------------------------------


def queue_producer(channel, items: int, done_putting) -> None:  # type: ignore[no-untyped-def]
    """Put ``items`` ints, then say so. put() only hands them to a feeder thread."""
    for seq in range(items):
        channel.put(seq)
    done_putting.set()


def demo_join_before_drain_queue(ctx: BaseContext) -> Finding:
    """Join a producer whose Queue is still full: it cannot exit until someone reads."""
    deadline = Deadline(HAZARD_TIMEOUT)
    channel, done_putting = ctx.Queue(), ctx.Event()
    try:
        with ProcessGroup(ctx) as group:
            producer = group.start(queue_producer, (channel, QUEUE_ITEMS, done_putting), role="producer")
            if not done_putting.wait(deadline.remaining()):
                return Finding(False, "the producer did not finish its put() calls in time")
            producer.join(JOIN_WAIT)  # the mistake: join before draining
            stuck = producer.is_alive()
            got = take(channel, QUEUE_ITEMS, deadline)  # clean up: drain, then it can exit
            producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        close_queue(channel)
    evidence = (
        f"the producer returned from all {QUEUE_ITEMS} put() calls, yet join({JOIN_WAIT:g} s) "
        f"{'timed out with it still alive' if stuck else 'returned'}; after the parent drained "
        f"{len(got)} items it exited with code {code}"
    )
    return Finding(stuck and len(got) == QUEUE_ITEMS and code == 0, evidence)


def fix_join_before_drain_queue(ctx: BaseContext) -> Finding:
    """Drain everything first, then join: the producer is already free to exit."""
    deadline = Deadline(HAZARD_TIMEOUT)
    channel, done_putting = ctx.Queue(), ctx.Event()
    try:
        with ProcessGroup(ctx) as group:
            producer = group.start(queue_producer, (channel, QUEUE_ITEMS, done_putting), role="producer")
            got = take(channel, QUEUE_ITEMS, deadline)
            producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        close_queue(channel)
    held = got == list(range(QUEUE_ITEMS)) and code == 0
    return Finding(
        held,
        f"drained {len(got)} of {QUEUE_ITEMS} items in order, then join() "
        f"returned at once: exit code {code}",
    )


# --- join before drain: Pipe -----------------------------------------------------------------


def pipe_producer(writer, items: int, sent) -> None:  # type: ignore[no-untyped-def]
    """Send ``items`` ints on a Pipe, counting every send() that returned."""
    with writer:
        for seq in range(items):
            writer.send(seq)
            sent.value = seq + 1


def _pipe_run(ctx: BaseContext, join_first: bool) -> tuple[bool, int, list[Any], int | None]:
    """One producer on the default duplex Pipe(); returns (stuck, sent at join, received, code)."""
    deadline = Deadline(HAZARD_TIMEOUT)
    reader, writer = ctx.Pipe()
    sent = ctx.RawValue("q", 0)
    stuck, sent_at_join = False, 0
    try:
        with ProcessGroup(ctx) as group:
            producer = group.start(pipe_producer, (writer, PIPE_ITEMS, sent), role="producer")
            writer.close()  # the producer holds the only write end now
            if join_first:
                producer.join(JOIN_WAIT)  # the mistake: join before receiving
                stuck, sent_at_join = producer.is_alive(), sent.value
            got = receive_all(reader, PIPE_ITEMS, deadline)
            producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        reader.close()
    return stuck, sent_at_join, got, code


def demo_join_before_drain_pipe(ctx: BaseContext) -> Finding:
    """Join a producer that is still sending: send() blocks once the pipe's buffer is full."""
    stuck, sent_at_join, got, code = _pipe_run(ctx, join_first=True)
    evidence = (
        f"join({JOIN_WAIT:g} s) {'timed out' if stuck else 'returned'} with only {sent_at_join} "
        f"of {PIPE_ITEMS} send() calls done: the producer is blocked in send() because nobody "
        f"reads; after the parent received {len(got)} messages it exited with code {code}"
    )
    shown = stuck and sent_at_join < PIPE_ITEMS and len(got) == PIPE_ITEMS and code == 0
    return Finding(shown, evidence)


def fix_join_before_drain_pipe(ctx: BaseContext) -> Finding:
    """Receive every message first, then join."""
    _stuck, _sent, got, code = _pipe_run(ctx, join_first=False)
    held = got == list(range(PIPE_ITEMS)) and code == 0
    return Finding(
        held,
        f"received {len(got)} of {PIPE_ITEMS} messages in order, then join() "
        f"returned: exit code {code}",
    )


# --- terminate() of a producer mid-stream -----------------------------------------------------


def stream_producer(channel, items: int, stop, done_putting) -> None:  # type: ignore[no-untyped-def]
    """Put up to ``items`` ints (fewer once ``stop`` is set), then (END, how many were put)."""
    sent = 0
    for seq in range(items):
        if stop.is_set():
            break
        channel.put(seq)
        sent += 1
    channel.put((END, sent))
    done_putting.set()


def _stream(ctx: BaseContext, kill: bool) -> tuple[list[Any], int | None]:
    """Take RECEIVE_BEFORE_STOP items, then stop the producer: ``kill`` it, or ask it to stop."""
    deadline = Deadline(HAZARD_TIMEOUT)
    channel, stop, done_putting = ctx.Queue(), ctx.Event(), ctx.Event()
    try:
        with ProcessGroup(ctx) as group:
            args = (channel, STREAM_ITEMS, stop, done_putting)
            producer = group.start(stream_producer, args, role="producer")
            got = take(channel, RECEIVE_BEFORE_STOP, deadline)
            if kill:
                # Every put() has returned, so the producer believes everything was sent; the
                # pipe holds only a few thousand items, the rest wait in its feeder thread.
                if not done_putting.wait(deadline.remaining()):
                    raise TimeoutError("the producer did not finish its put() calls in time")
                producer.terminate()  # the mistake: kill a producer with items in flight
                producer.join(deadline.remaining())
                got += take(channel, None, deadline)  # what had reached the pipe still arrives
            else:
                stop.set()  # the fix: ask; the producer finishes its current put and says so
                got += take(channel, None, deadline, until=END)
                producer.join(deadline.remaining())
            code = producer.exitcode
    finally:
        close_queue(channel)
    return got, code


def demo_terminate_producer(ctx: BaseContext) -> Finding:
    """terminate() a producer mid-stream: what was still in its feeder thread is gone."""
    got, code = _stream(ctx, kill=True)
    items = [item for item in got if isinstance(item, int)]
    prefix = items == list(range(len(items)))
    marker = len(items) != len(got)
    if prefix:
        arrived = f"exactly items 0..{len(items) - 1}, an in-order prefix"
    else:
        arrived = "NOT an in-order prefix"
    evidence = (
        f"put() had returned for all {STREAM_ITEMS} items; after terminate() "
        f"({exit_description(code)}) {len(items)} arrived and {STREAM_ITEMS - len(items)} were "
        f"lost in flight; what arrived was {arrived}; the end marker "
        f"{'arrived' if marker else 'never arrived'}"
    )
    return Finding(len(items) < STREAM_ITEMS and prefix and not marker, evidence)


def fix_terminate_producer(ctx: BaseContext) -> Finding:
    """Ask the producer to stop (an Event), then read until its end marker, then join."""
    got, code = _stream(ctx, kill=False)
    items = [item for item in got if isinstance(item, int)]
    ends = [item[1] for item in got if isinstance(item, tuple)]
    held = len(ends) == 1 and items == list(range(ends[0])) and code == 0
    said = ends[0] if ends else "an unknown number of"
    return Finding(
        held,
        f"stop requested after {RECEIVE_BEFORE_STOP} arrived; the producer "
        f"had put {said} items by then and every one arrived, in order, before its "
        f"end marker; exit code {code}",
    )


# --- unlocked counters ------------------------------------------------------------------------


def _demo_unlocked(counter: str, ctx: BaseContext, note: str = "") -> Finding:
    method = ctx.get_start_method()
    trials = race.loses_within(counter, start_method=method, attempts=3)
    last = trials[-1]
    if last.error is not None:
        return Finding(False, f"the race did not finish: {last.error}")
    attempts = f" (after {len(trials)} attempt(s) of growing size)" if len(trials) > 1 else ""
    evidence = (
        f"{last.procs} workers × {last.iterations} unlocked `+= 1` ended at {last.observed} of "
        f"{last.expected}: {last.lost} updates lost{attempts}; grade {last.grade}{note}"
    )
    return Finding(last.lost > 0 and last.grade == race.LOST_UPDATES, evidence)


def _fix_unlocked(counter: str, ctx: BaseContext) -> Finding:
    trial = race.run_trial("locked", counter, start_method=ctx.get_start_method())
    evidence = (
        f"{trial.procs} workers × {trial.iterations} locked `+= 1` ended at {trial.observed} "
        f"of {trial.expected}" + (f"; error: {trial.error}" if trial.error else "")
    )
    return Finding(trial.grade == race.EXACT, evidence)


def demo_unlocked_value(ctx: BaseContext) -> Finding:
    return _demo_unlocked("value", ctx)


def demo_unlocked_raw_value(ctx: BaseContext) -> Finding:
    return _demo_unlocked("raw-value", ctx)


def demo_unlocked_manager_value(ctx: BaseContext) -> Finding:
    with running_manager(ctx.Manager) as manager:
        has_lock = hasattr(manager.Value("q", 0), "get_lock")
    finding = _demo_unlocked(
        "manager-value", ctx, f"; the manager Value has get_lock(): {has_lock}"
    )
    return Finding(finding.held and not has_lock, finding.evidence)


def fix_unlocked_value(ctx: BaseContext) -> Finding:
    return _fix_unlocked("value", ctx)


def fix_unlocked_raw_value(ctx: BaseContext) -> Finding:
    return _fix_unlocked("raw-value", ctx)


def fix_unlocked_manager_value(ctx: BaseContext) -> Finding:
    return _fix_unlocked("manager-value", ctx)


# --- Value('i') wraps at 2**31 ----------------------------------------------------------------

HALF = 2**30


def add_under_lock(counter, amount: int) -> None:  # type: ignore[no-untyped-def]
    """Add ``amount`` to a shared Value correctly locked: only the type can go wrong here."""
    with counter.get_lock():
        counter.value += amount


def _two_halves(ctx: BaseContext, typecode: str) -> tuple[int, dict[str, int | None]]:
    """Two workers each add 2**30 to a Value of ``typecode``; the true total is 2**31."""
    counter = ctx.Value(typecode, 0)
    with ProcessGroup(ctx) as group:
        for index in range(2):
            group.start(add_under_lock, (counter, HALF), role=Role("adder", index))
        group.join(Deadline(HAZARD_TIMEOUT))
    return counter.value, group.exitcodes()


def demo_value_wraps(ctx: BaseContext) -> Finding:
    total, codes = _two_halves(ctx, "i")
    clean = all(code == 0 for code in codes.values())
    return Finding(
        total == -(2**31) and clean,
        f"two workers each added 2**30 under the lock to Value('i', 0): it reads {total}, "
        f"not {2**31}; no error was raised anywhere (exit codes {sorted(codes.values())})",
    )


def fix_value_wraps(ctx: BaseContext) -> Finding:
    total, codes = _two_halves(ctx, "q")
    return Finding(
        total == 2**31 and all(code == 0 for code in codes.values()),
        f"the same on Value('q', 0) (64 bits) reads {total}",
    )


# --- typecode mistakes ------------------------------------------------------------------------


def set_text(text, new: bytes) -> None:  # type: ignore[no-untyped-def]
    """Replace the string held in a shared Array('c', n)."""
    text.value = new


def demo_value_typecodes(ctx: BaseContext) -> Finding:
    """The tutorial's ``Value('s', 'some str')`` and ``Value('c', 'a')`` both fail."""
    errors = []
    for args in (("s", "some str"), ("c", "a")):
        try:
            ctx.Value(*args)
        except TypeError as exc:
            errors.append(f"Value{args!r} raises TypeError: {exc}")
        else:
            errors.append(f"Value{args!r} was accepted")
    shown = all("raises TypeError" in line for line in errors)
    return Finding(shown, "; ".join(errors) + "; Value has no 's' typecode, 'c' takes one byte")


def fix_value_typecodes(ctx: BaseContext) -> Finding:
    """One byte is Value('c', b'a'); a string is Array('c', n), and a child can change it."""
    char = ctx.Value("c", b"a")
    text = ctx.Array("c", 32)
    text.value = b"some str"
    before = text.value
    with ProcessGroup(ctx) as group:
        group.start(set_text, (text, b"set by the child"), role="writer")
        group.join(Deadline(HAZARD_TIMEOUT))
    held = char.value == b"a" and before == b"some str" and text.value == b"set by the child"
    return Finding(
        held,
        f"Value('c', b'a').value == {char.value!r}; Array('c', 32) held "
        f"{before!r}, then a child set it to {text.value!r}",
    )


# --- shared_memory and the resource tracker ---------------------------------------------------

# The second process is a separate Python program (as when two scripts share a segment by
# name), started with subprocess: a multiprocessing child would share our resource tracker
# and so could not show the problem. subprocess.run's timeout kills it if it ever hangs.
ATTACH = """
import sys
from multiprocessing import shared_memory
segment = shared_memory.SharedMemory(name=sys.argv[1])
segment.buf[0] = 42
segment.close()
"""
ATTACH_UNTRACKED = """
import sys
from multiprocessing import resource_tracker, shared_memory
if sys.version_info >= (3, 13):
    segment = shared_memory.SharedMemory(name=sys.argv[1], track=False)
else:  # before 3.13: take the segment back out of this process's tracker
    segment = shared_memory.SharedMemory(name=sys.argv[1])
    resource_tracker.unregister(segment._name, "shared_memory")
segment.buf[0] = 42
segment.close()
"""
TRACKER_WARNING = "leaked shared_memory"


@dataclass(frozen=True)
class Attached:
    """What the creator saw after another program attached to its segment and exited."""

    name: str
    warned: bool  # the other program's resource tracker printed the "leaked" warning
    warning: str
    still_there: bool  # the segment still existed afterwards
    byte: int  # what the other program wrote into it


def _attach_from_other_program(code: str) -> Attached:
    """Create a segment, let another program attach and exit, then always remove the segment."""
    segment = shared_memory.SharedMemory(create=True, size=16)
    try:
        segment.buf[0] = 0
        done = subprocess.run(
            [sys.executable, "-c", code, segment.name],
            capture_output=True,
            text=True,
            timeout=HAZARD_TIMEOUT,
        )  # waits for EOF on stderr, so also for the other program's resource tracker
        lines = [line for line in done.stderr.splitlines() if TRACKER_WARNING in line]
        said = lines[0][lines[0].find("resource_tracker:") :].strip() if lines else ""
        still_there = leftovers.shm_exists(segment.name)
        return Attached(segment.name, bool(lines), said, still_there, segment.buf[0])
    finally:
        segment.close()
        try:
            segment.unlink()
        except FileNotFoundError:  # the other program's tracker already removed it
            resource_tracker.unregister(segment._name, "shared_memory")  # type: ignore[attr-defined]


GONE = "was unlinked under the creator, who still uses it"


def demo_shared_memory_tracker(_ctx: BaseContext) -> Finding:
    seen = _attach_from_other_program(ATTACH)
    evidence = (
        f"a second program attached, wrote {seen.byte} and exited; its resource tracker "
        f"{'warned: ' + repr(seen.warning) if seen.warned else 'printed no warning'} and the "
        f"segment {'is still there' if seen.still_there else GONE}"
    )
    return Finding(seen.warned and not seen.still_there and seen.byte == 42, evidence)


def untracked_how() -> str:
    """How this Python attaches without registering with its resource tracker."""
    return "track=False" if sys.version_info >= (3, 13) else "resource_tracker.unregister()"


def fix_shared_memory_tracker(_ctx: BaseContext) -> Finding:
    seen = _attach_from_other_program(ATTACH_UNTRACKED)
    held = not seen.warned and seen.still_there and seen.byte == 42
    evidence = (
        f"attaching with {untracked_how()}: the second program wrote {seen.byte}, "
        f"{'warned: ' + repr(seen.warning) if seen.warned else 'no warning'}, and the segment "
        f"{'stayed until its creator unlinked it' if seen.still_there else 'was unlinked early'}"
    )
    return Finding(held, evidence)


# --- the catalogue ----------------------------------------------------------------------------

HAZARDS: dict[str, Hazard] = {
    hazard.name: hazard
    for hazard in (
        Hazard(
            "join-before-drain-queue",
            "a child that put more than the pipe holds cannot exit until the items are read: "
            "join() before draining the Queue hangs (its feeder thread still holds the data)",
            "drain every item, then join()",
            demo_join_before_drain_queue,
            fix_join_before_drain_queue,
        ),
        Hazard(
            "join-before-drain-pipe",
            "send() on a Pipe blocks once the buffer is full, so join() before recv() hangs",
            "recv() until every message (or EOF) arrived, then join()",
            demo_join_before_drain_pipe,
            fix_join_before_drain_pipe,
        ),
        Hazard(
            "terminate-producer",
            "terminate() kills a producer with items still in flight: they are lost, and what "
            "arrived is only an in-order prefix (the docs warn the queue may even be corrupted)",
            "signal the producer to stop (an Event), read until its end marker, then join()",
            demo_terminate_producer,
            fix_terminate_producer,
        ),
        Hazard(
            "unlocked-value",
            "`v.value += 1` on a Value is a locked read then a locked write, not one step: "
            "updates are lost",
            "`with v.get_lock(): v.value += 1`",
            demo_unlocked_value,
            fix_unlocked_value,
        ),
        Hazard(
            "unlocked-raw-value",
            "a RawValue has no lock at all: concurrent `+= 1` loses updates",
            "share a Lock: `with lock: v.value += 1`",
            demo_unlocked_raw_value,
            fix_unlocked_raw_value,
        ),
        Hazard(
            "unlocked-manager-value",
            "a manager Value has no get_lock() and ignores lock=: its `+= 1` is a remote read "
            "then a remote write, and loses updates",
            "`lock = manager.Lock()`; `with lock: v.value += 1`",
            demo_unlocked_manager_value,
            fix_unlocked_manager_value,
        ),
        Hazard(
            "value-i-wraps",
            "Value('i') is a 32-bit C int: past 2**31 - 1 it wraps to negative, silently",
            "use Value('q') (64 bits) for counters that may grow large",
            demo_value_wraps,
            fix_value_wraps,
        ),
        Hazard(
            "value-typecodes",
            "the tutorial's Value('s', 'some str') and Value('c', 'a') raise TypeError: there "
            "is no 's' typecode and 'c' takes one byte",
            "Value('c', b'a') for one byte; Array('c', n) for a string of up to n bytes",
            demo_value_typecodes,
            fix_value_typecodes,
        ),
        Hazard(
            "shared-memory-tracker",
            "a second program that attaches to a SharedMemory segment registers it with its "
            "own resource tracker, which warns of a leak and unlinks the segment when that "
            "program exits, under the creator's feet",
            "attach with track=False (Python 3.13+), or resource_tracker.unregister() before "
            "3.13; only the creator unlinks",
            demo_shared_memory_tracker,
            fix_shared_memory_tracker,
        ),
    )
}


def run_hazard(name: str, start_method: str | None = None) -> HazardResult:
    """Demonstrate one hazard, then its fix; an exception in either counts as not shown/held."""
    require_choice("hazard", name, tuple(HAZARDS))
    if start_method is None:
        start_method = platform_default_start_method()
    require_start_method(start_method)
    hazard = HAZARDS[name]
    ctx = multiprocessing.get_context(start_method)
    started = time.perf_counter()
    shown = _guarded(hazard.demonstrate, ctx)
    held = _guarded(hazard.repair, ctx)
    return HazardResult(
        name=name,
        what=hazard.what,
        fix=hazard.fix,
        start_method=start_method,
        shown=shown.held,
        evidence=shown.evidence,
        fix_held=held.held,
        fix_evidence=held.evidence,
        seconds=time.perf_counter() - started,
    )


def _guarded(step: Callable[[BaseContext], Finding], ctx: BaseContext) -> Finding:
    try:
        return step(ctx)
    except Exception as exc:  # a demonstration that broke shows nothing; say why
        return Finding(False, f"raised {type(exc).__name__}: {exc}")


def run_hazards(names: Sequence[str] = (), start_method: str | None = None) -> list[HazardResult]:
    """Run the named hazards (all of them if none are named), validating every name first."""
    chosen = list(names) or list(HAZARDS)
    for name in chosen:
        require_choice("hazard", name, tuple(HAZARDS))
    if start_method is not None:
        require_start_method(start_method)
    return [run_hazard(name, start_method) for name in chosen]


def format_result(result: HazardResult) -> str:
    """The human report of one hazard: shown or not, the evidence, and whether the fix held."""
    return "\n".join(
        [
            f"{result.name}: {'shown' if result.shown else 'NOT SHOWN'} ({result.seconds:.1f} s)",
            f"  what goes wrong: {result.what}",
            f"  evidence: {result.evidence}",
            f"  fix: {result.fix} -> {'held' if result.fix_held else 'DID NOT HOLD'}: "
            f"{result.fix_evidence}",
        ]
    )
