"""A user's queue, pipe or counter dressed as an ipccheck method, so the core runner can run it.

Each class has what ``runner.run(workload, method)`` needs (``FAMILY`` and ``execute``) and
mirrors the reference method it stands in for (``methods/queue.py``, ``methods/pipe.py``,
``methods/value.py``): the same producers, the same ``channel.collect``, the same Observation.
The only difference is where the channel comes from: the user's factory, called once per run
with the context the runner hands ``execute`` (see ``contexts`` for how a factory receives it).

Every process that receives the object says when it is done with it (``finish``): after its
last ``put`` (the end marker, ``(producer, END)``), its last ``send`` or its last
``increment()``, a producer or worker calls the object's ``flush()`` and then its ``close()``,
whichever it has, before it exits; an exception from either is that child's exception. The
parent closes its own copy last, after the run, on every path (``factory.release``).
"""

from __future__ import annotations

import contextlib
import gc
import random
import time
from collections.abc import Callable
from multiprocessing.context import BaseContext
from typing import Any

from ..channel import collect, drain_leftovers, getter, messages, put_producer
from ..processes import Deadline, ProcessGroup
from ..protocol import CHANNEL, STATE, Message, Observation, WorkSpec, producer_role, worker_role
from .factory import get_takes_timeout, make, release

# How long to nap when nothing is ready before looking again.
NAP_SECONDS = 0.001
# After every producer exited (so the kernel has closed its end), how long a pipe end may
# take to report EOF. It is immediate in practice; this only absorbs scheduling noise.
EOF_SECONDS = 0.5


# What a producer or worker calls on its copy of the object once it is done, in this order.
FINISHED_HOOKS = ("flush", "close")


def finish(thing: Any) -> None:
    """This process is done with ``thing``: call its ``flush()``, then its ``close()``, if it has them.

    The hook of a batching or asynchronous sender (a buffer to write out, a feeder thread to
    join, a socket to linger on): without it, items still buffered when the child exits are lost.
    """
    for name in FINISHED_HOOKS:
        hook = getattr(thing, name, None)
        if callable(hook):
            hook()


def queue_producer(channel: Any, producer_id: int, base: int, mode: str) -> None:
    """Put every item and the end marker, then say this producer is finished with the queue."""
    put_producer(channel, producer_id, base, mode)
    finish(channel)


class CorruptMessage(Exception):
    """A message arrived with content other than what was sent (e.g. a truncated payload)."""


class MissingEOF(Exception):
    """A pipe end whose writer closed and exited never reported end-of-file."""


def polling_getter(channel: Any) -> Callable[[float], Message | None]:
    """A receive function for queues whose ``get()`` cannot time out: get only when not empty."""

    def receive(timeout: float) -> Message | None:
        give_up = time.monotonic() + timeout
        while channel.empty():
            if time.monotonic() >= give_up:
                return None
            time.sleep(NAP_SECONDS)
        message: Message = channel.get()
        return message

    return receive


class QueueUnderTest:
    """Run a user's queue as the ``queue`` method runs ``multiprocessing.Queue``."""

    FAMILY = CHANNEL

    def __init__(self, factory: Callable[..., Any]) -> None:
        self.factory = factory

    def execute(
        self,
        workload: WorkSpec,
        ctx: BaseContext,
        group: ProcessGroup,
        deadline: Deadline,
        observation: Observation,
    ) -> None:
        channel = make(self.factory, "queue", ctx)
        try:
            self.exchange(channel, workload, group, deadline, observation)
        finally:
            release(channel)
            channel = None
            # A proxy caught in a reference cycle (a manager queue's queue.Empty traceback
            # refers to the proxy) would keep its manager process alive until collected.
            gc.collect()

    @staticmethod
    def exchange(
        channel: Any,
        workload: WorkSpec,
        group: ProcessGroup,
        deadline: Deadline,
        observation: Observation,
    ) -> None:
        for index in range(workload.procs):
            args = (channel, index, workload.base, workload.mode)
            group.start(queue_producer, args, role=producer_role(index))
        receive = getter(channel) if get_takes_timeout(channel) else polling_getter(channel)
        collect(receive, workload.procs, group, deadline, observation)
        group.join(deadline)  # drain first, join second: a producer may wait for the reader
        drain_leftovers(receive, observation)


def payload(producer_id: int, seq: int, size: int) -> bytes:
    """The large body one pipe message carries: reproducible in both processes, never uniform."""
    return random.Random(f"{producer_id}-{seq}").randbytes(size)


def pipe_producer(writer: Any, producer_id: int, base: int, size: int) -> None:
    """Send every item, the middle one with a ``size``-byte payload, then finish with the end."""
    try:
        for item_producer, n in messages(producer_id, base, "stream"):
            if size and n == base // 2:
                writer.send((item_producer, n, payload(item_producer, n, size)))
            else:
                writer.send((item_producer, n))
    except Exception:
        with contextlib.suppress(Exception):
            writer.close()  # the reader must still see EOF; the send's exception is the news
        raise
    finish(writer)


class PipeReceiver:
    """Receive from whichever pipe end is ready, check payloads, and track which reached EOF."""

    def __init__(self, readers: list[Any], size: int = 0) -> None:
        self.readers = list(readers)
        self.open = list(readers)
        self.size = size

    def __call__(self, timeout: float) -> Message | None:
        give_up = time.monotonic() + timeout
        while self.open:
            for reader in list(self.open):
                if not reader.poll(0):
                    continue
                try:
                    return self.unpack(reader.recv())
                except EOFError:
                    self.open.remove(reader)
            if time.monotonic() >= give_up:
                return None
            time.sleep(NAP_SECONDS)
        return None

    def unpack(self, message: Any) -> Message:
        """``(producer, n)``, after checking a payload-carrying message's payload."""
        if len(message) == 3:
            producer_id, n, body = message
            where = f"producer {producer_id}, item {n}"
            if len(body) != self.size:
                raise CorruptMessage(
                    f"{where}: a {self.size}-byte payload arrived as {len(body)} bytes"
                )
            if body != payload(producer_id, n, self.size):
                raise CorruptMessage(f"{where}: the {self.size}-byte payload arrived altered")
            return (producer_id, n)
        producer_id, n = message
        return (producer_id, n)

    def expect_eof(self, deadline: Deadline) -> None:
        """Every writer has closed and exited, so every reader must now report end-of-file."""
        give_up = time.monotonic() + min(EOF_SECONDS, deadline.remaining())
        while self.open and time.monotonic() < give_up:
            self(NAP_SECONDS)  # anything still arriving is recorded by drain, not here
        if self.open:
            which = ", ".join(str(self.readers.index(reader)) for reader in self.open)
            raise MissingEOF(
                f"pipe(s) {which}: the child closed its end and exited, but recv() never "
                f"raised EOFError within {EOF_SECONDS:g} s"
            )


class PipeUnderTest:
    """Run one user pipe per producer, as the ``pipe`` method runs ``Pipe(duplex=False)``.

    The factory's second end goes to the child, which sends; the parent reads the first end.
    ``size`` > 0 makes each producer's middle item carry a payload of that many bytes.
    """

    FAMILY = CHANNEL

    def __init__(self, factory: Callable[..., Any], size: int = 0) -> None:
        self.factory = factory
        self.size = size

    def execute(
        self,
        workload: WorkSpec,
        ctx: BaseContext,
        group: ProcessGroup,
        deadline: Deadline,
        observation: Observation,
    ) -> None:
        readers: list[Any] = []
        try:
            for index in range(workload.procs):
                reader, writer = make(self.factory, "pipe", ctx)
                readers.append(reader)
                args = (writer, index, workload.base, self.size)
                group.start(pipe_producer, args, role=producer_role(index))
                writer.close()  # only the producer may hold the write end, or EOF never comes
            receive = PipeReceiver(readers, self.size)
            collect(receive, workload.procs, group, deadline, observation)
            group.join(deadline)
            drain_leftovers(receive, observation)
            receive.expect_eof(deadline)
        finally:
            for reader in readers:
                reader.close()


def counter_worker(counter: Any, start: Any, increments: int, timeout: float) -> None:
    """Wait until every worker is ready, increment as fast as possible, then finish."""
    start.wait(timeout)
    for _ in range(increments):
        counter.increment()
    finish(counter)


class CounterUnderTest:
    """Run a user's counter as the ``value`` method runs a locked ``Value``.

    A barrier releases every worker at once, so their increments overlap as much as the
    machine allows: that is what gives a lost update its chance to happen.
    """

    FAMILY = STATE

    def __init__(self, factory: Callable[..., Any]) -> None:
        self.factory = factory

    def execute(
        self,
        workload: WorkSpec,
        ctx: BaseContext,
        group: ProcessGroup,
        deadline: Deadline,
        observation: Observation,
    ) -> None:
        counter = make(self.factory, "counter", ctx)
        try:
            # Annotated Any: another library's context has its own Barrier (typeshed's has a
            # signature of its own per context).
            start: Any = ctx.Barrier(workload.procs)
            for index in range(workload.procs):
                args = (counter, start, workload.base, workload.timeout)
                group.start(counter_worker, args, role=worker_role(index))
            group.join(deadline)
            observation.state_total = counter.value
        finally:
            release(counter)
            counter = start = None
            gc.collect()  # the counter's and the barrier's semaphores go now, not at exit
