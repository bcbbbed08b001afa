"""Run one Workload with its method and record an Outcome, whatever happens.

The runner owns everything a method should not have to think about: the start-method
context, the deadline, cleanup on every path, and the watch (``leftovers.Watch``) that
finds what the run left behind (processes, threads, descriptors, segments, temp paths) by
comparing before and after, without relying on what the method reports about itself.
A method that hangs or raises still yields an Outcome (with ``timed_out`` or ``error`` set),
as does one whose channel a dying producer broke (``broken``), and leaves no child behind.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time

from .leftovers import Watch, warm_up
from .methods import METHODS
from .outcome import Outcome, describe_deaths, observed_total
from .processes import Deadline, DeadlineExceeded
from .protocol import FAMILIES, ChannelBroken, Method, Observation
from .workload import Workload


def run(workload: Workload, method: Method | None = None) -> Outcome:
    """Run ``workload`` once and return what happened (never raises for a failed run).

    ``method`` defaults to ``METHODS[workload.method]``. Passing another implementation (any
    ``protocol.Method``: a ``FAMILY`` and ``execute(workload, ctx, group, deadline,
    observation)``) runs it in that method's place under the same deadline, cleanup and
    leftover checks; the conformance kit uses this to run a user's queue as if it were the
    ``queue`` method.
    """
    if not isinstance(workload, Workload):
        raise TypeError(f"run() needs a Workload, got {type(workload).__name__}")
    if method is None:
        method = METHODS[workload.method]
    elif getattr(method, "FAMILY", None) not in FAMILIES or not callable(
        getattr(method, "execute", None)
    ):
        raise TypeError(f"run() needs a method with FAMILY and execute(), got {method!r}")
    ctx = multiprocessing.get_context(workload.start_method)
    observation = Observation()
    timed_out = False
    alive_at_deadline: list[str] = []
    error: str | None = None
    broken: str | None = None
    warm_up(ctx)
    with Watch() as watch:
        started = time.perf_counter()
        group = watch.group(ctx)
        try:
            with group:
                try:
                    method.execute(workload, ctx, group, Deadline(workload.timeout), observation)
                except DeadlineExceeded as exc:
                    timed_out = True
                    alive_at_deadline = list(exc.alive)
                    error = str(exc)
                except ChannelBroken as exc:  # leaving the block stops the producers it strands
                    broken = str(exc)
        except Exception as exc:  # a broken run is a finding to report, not a crash of the checker
            error = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        left = watch.finish(group.unreaped, observation.shm_names, observation.paths)
    outcome = Outcome(
        workload=workload,
        family=method.FAMILY,
        expected=workload.expected_total,
        observed=observed_total(workload, method.FAMILY, observation),
        received=tuple(observation.received),
        sentinels=tuple(observation.sentinels),
        slots=None if observation.slots is None else tuple(observation.slots),
        children=group.children() + tuple(observation.children),
        seconds=seconds,
        timed_out=timed_out,
        alive_at_deadline=tuple(alive_at_deadline),
        left_processes=left.processes,
        left_threads=left.threads,
        left_shm=left.segments,
        left_paths=left.paths,
        leaked_fds=left.fds,
        error=error,
        broken=broken,
        failed=tuple(observation.failed),
        lost=tuple(observation.lost),
    )
    return dataclasses.replace(outcome, died=describe_deaths(outcome))

