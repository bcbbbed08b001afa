"""What a pool run promises when one of its tasks was made to fail (``Workload.fault``).

The fault strikes in task ``V = P × base + K``; the tasks sent and answered in one chunk with
it share its fate. By fault kind and call style, the caller must get exactly this:

- ``raise``, ``unpicklable``: one exception, the task's own (``InjectedFault``) or the pool's
  for a result it cannot send back (``MaybeEncodingError``; the executor raises the pickling
  error itself), where the style puts it; and every result the style still owes: none when the
  whole call fails (``map``, ``starmap``), every other task's when the iterator or the callbacks
  carry on, those before the chunk when ``Executor.map`` stops there. Nothing is lost.
- ``kill``, ``term`` on a ``Pool``: no exception, ever; exactly the chunk is lost (reported as
  ``task-lost``), its worker ended as the fault says, and every result the call can still give
  arrived: none for a whole call, those before the chunk for ``imap``, all others otherwise.
- ``kill``, ``term`` on the executor: ``BrokenProcessPool`` (reported as ``pool-broken``) for
  every call not answered before the break, the victim's among them; ``Executor.map`` gives the
  results before the break, then that one exception.

Whatever the fault, each result belongs to a task and arrives once (``input-order`` and the
deadline are checked as in a healthy run).
"""

from __future__ import annotations

from ..faults import TASK_FAULT_KINDS, Fault
from ..methods import POOLS
from ..methods.pooling import STOPS, WHOLE_CALL, CallStyle, chunk_of
from ..outcome import Outcome
from ..processes import exit_description
from .pools import BROKEN_POOL, delivered, misdelivered, style_of, tasks_in, tasks_named
from .violation import Violation, summarize


def place(number: int | None) -> str:
    return "the call as a whole" if number is None else f"task {number}"


def compare(got: set[int], owed: set[int], why: str) -> list[str]:
    """Evidence where the results that arrived differ from the ones the style owes."""
    evidence = []
    if owed - got:
        evidence.append(f"{tasks_named(owed - got)}: result never arrived, though {why}")
    if got - owed:
        evidence.append(f"{tasks_named(got - owed)}: result arrived, though {why}")
    return evidence


def task_failure(outcome: Outcome, style: CallStyle, fault: Fault, victim: int,
                 chunk: range) -> list[str]:
    """``raise`` or ``unpicklable``: the one exception, in its place, and the results owed."""
    pool = POOLS[outcome.workload.method]
    kind = "InjectedFault" if fault.kind == "raise" else pool.UNPICKLABLE_ERROR
    mark = f"task {victim} raised" if fault.kind == "raise" else f"result of task {victim}"
    if style.on_failure == WHOLE_CALL:
        where, owed = None, set()
    elif style.on_failure == STOPS:
        where, owed = chunk.start, set(range(chunk.start))
    else:
        where = victim if style.names_task else None
        owed = set(range(tasks_in(outcome))) - set(chunk)
    evidence = []
    if len(outcome.failed) != 1:
        evidence.append(f"the caller got {len(outcome.failed)} exceptions, expected one: "
                        f"{kind} for task {victim}")
    for number, what in outcome.failed:
        if not what.startswith(f"{kind}:") or mark not in what:
            evidence.append(f"{place(number)}: the caller got {what}; expected {kind} for task "
                            f"{victim}")
        elif number != where:
            evidence.append(f"the exception came for {place(number)}, expected {place(where)}")
    if outcome.lost:
        lost = [number for number, _ in outcome.lost]
        evidence.append(f"{tasks_named(lost)} lost, though fault {fault} leaves its worker alive")
    why = f"{style.call} owes exactly these after fault {fault}"
    return evidence + compare(delivered(outcome), owed, why)


def worker_died_and_pool_went_on(outcome: Outcome, style: CallStyle, fault: Fault, victim: int,
                                 chunk: range) -> list[str]:
    """``kill``/``term`` on a Pool: no exception, exactly the chunk lost, the rest delivered."""
    evidence = [f"{place(number)}: the caller got {what}, though a Pool never reports a task "
                "whose worker died" for number, what in outcome.failed]
    lost = {number for number, _ in outcome.lost}
    if lost != set(chunk):
        evidence.append(f"{tasks_named(lost) if lost else 'no task'} reported lost, expected "
                        f"{tasks_named(chunk)} (task {victim} and its chunk)")
    how = dict(outcome.lost).get(victim)
    if how is not None and exit_description(fault.exit_code) not in how:
        evidence.append(f"task {victim}: {how}; expected its worker "
                        f"{exit_description(fault.exit_code)}")
    if style.on_failure == WHOLE_CALL:
        owed: set[int] = set()
    elif style.ordered:
        owed = set(range(chunk.start))
    else:
        owed = set(range(tasks_in(outcome))) - set(chunk)
    why = f"{style.call} owes exactly these once task {victim} is lost"
    return evidence + compare(delivered(outcome), owed, why)


def worker_died_and_pool_broke(outcome: Outcome, style: CallStyle, fault: Fault, victim: int,
                               chunk: range) -> list[str]:
    """``kill``/``term`` on the executor: BrokenProcessPool for every call not yet answered."""
    evidence = [f"{place(number)}: the caller got {what}; expected {BROKEN_POOL}"
                for number, what in outcome.failed if not what.startswith(BROKEN_POOL)]
    if outcome.lost:
        lost = [number for number, _ in outcome.lost]
        evidence.append(f"{tasks_named(lost)} lost, though the executor fails every pending call")
    got = delivered(outcome)
    if style.on_failure == STOPS:
        if len(outcome.failed) != 1 or outcome.failed[0][0] is None:
            return evidence + [f"{style.call} raised {len(outcome.failed)} exceptions, expected "
                               "one, at the place the results stopped"]
        stopped = outcome.failed[0][0]
        if stopped > chunk.start:
            evidence.append(f"the exception came for task {stopped}, after the chunk of task "
                            f"{victim} (from {chunk.start}) whose worker died")
        return evidence + compare(got, set(range(stopped)), f"{style.call} stops at the break")
    failed = {number for number, _ in outcome.failed if number is not None}
    if victim not in failed:
        evidence.append(f"task {victim}: its call did not fail, though its worker died running it")
    if got & failed:
        evidence.append(f"{tasks_named(got & failed)}: both a result and an exception")
    neither = set(range(tasks_in(outcome))) - got - failed
    if neither:
        evidence.append(f"{tasks_named(neither)}: neither a result nor an exception")
    return evidence


def check_fault_delivery(outcome: Outcome) -> list[Violation]:
    """The caller got what the pool promises for this fault and call style (see above)."""
    workload, fault = outcome.workload, outcome.workload.fault
    if fault is None or workload.method not in POOLS:
        return []
    pool, style = POOLS[workload.method], style_of(outcome)
    victim = fault.victim * workload.base + fault.after
    chunk = chunk_of(victim, pool.chunksize(workload), tasks_in(outcome))
    evidence = misdelivered(outcome)
    if fault.kind == "raise" or fault.kind in TASK_FAULT_KINDS:
        evidence += task_failure(outcome, style, fault, victim, chunk)
    elif pool.BREAKS_WHEN_A_WORKER_DIES:
        evidence += worker_died_and_pool_broke(outcome, style, fault, victim, chunk)
    else:
        evidence += worker_died_and_pool_went_on(outcome, style, fault, victim, chunk)
    return summarize("fault-delivery", evidence)
