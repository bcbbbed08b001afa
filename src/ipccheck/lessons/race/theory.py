"""Which final values can a race on a counter leave, and how to grade the one a trial left.

Pure arithmetic, no processes: this is what lets ``ipccheck race`` tell an expected lost update
from an impossible value.

Which final values are possible? (``lowest_reachable``)
  Model each increment as an atomic read of the counter followed by an atomic write of
  ``read + 1`` (true for all three counters: ``Value`` locks each step, a manager serializes
  each call, and an aligned 8-byte ``RawValue`` load or store is not torn). The counter
  starts at 0 and there are ``W = procs * iterations`` writes.

  * Upper bound ``W``: every write stores one more than a value written earlier (or the
    initial 0), so the k-th write in the counter's order stores at most k.
  * One worker (``procs == 1``): nothing interleaves, the result is exactly ``iterations``.
  * Lower bound 1: the last write stores ``read + 1 >= 1``.
  * ``iterations == 1``: 1 is reachable: every worker reads 0, then every worker writes 1.
  * ``iterations >= 2`` (and ``procs >= 2``): the lowest value is 2, not 1. Whoever writes
    last, worker A say, did so in its final iteration, and the read of that iteration comes
    after A's own earlier write. From then on the counter holds at least 1 (every write stores
    at least 1), so A read at least 1 and wrote at least 2.
    And 2 is reachable: A reads 0; the other workers run all but B's last increment; A writes 1
    (wiping them out); B reads 1; A runs its remaining ``iterations - 1`` increments; B writes 2.

  So a final value outside ``[lowest_reachable, procs * iterations]`` is FORBIDDEN: no
  interleaving produces it, and seeing one means the counter itself is broken (torn or
  wrapped values, or a lost write of a kind ``+=`` cannot explain).
"""

from __future__ import annotations

RACE_MODES: tuple[str, ...] = ("forced", "free", "locked")

# Grades of one final value, after jcstress: the first three are acceptable outcomes.
EXACT = "exact"  # no update lost
LOST_UPDATES = "lost updates"  # free mode: reachable by some interleaving; the interesting result
AS_FORCED = "as forced"  # forced mode: exactly the loss the barrier forces
UNEXPECTED = "UNEXPECTED"  # reachable by a race, but this mode must not race
FORBIDDEN = "FORBIDDEN"  # no interleaving of read-then-write can produce this value
FAILED = "FAILED"  # the trial did not finish (deadline) or raised
ACCEPTABLE: frozenset[str] = frozenset({EXACT, LOST_UPDATES, AS_FORCED})


def lowest_reachable(procs: int, iterations: int) -> int:
    """The smallest final value any interleaving of unlocked ``+= 1`` can leave (see above)."""
    if procs == 1 or iterations == 0:
        return iterations
    if iterations == 1:
        return 1
    return 2


def exact_value(mode: str, procs: int, iterations: int) -> int | None:
    """The one value ``mode`` must produce; None for ``free``, where any reachable value may."""
    if mode == "forced":
        return iterations
    if mode == "locked":
        return procs * iterations
    return None


def grade(mode: str, procs: int, iterations: int, observed: int) -> str:
    """Judge one final value: exact, lost updates, as forced, UNEXPECTED or FORBIDDEN."""
    if not lowest_reachable(procs, iterations) <= observed <= procs * iterations:
        return FORBIDDEN
    if mode == "forced":
        return AS_FORCED if observed == iterations else UNEXPECTED
    if observed == procs * iterations:
        return EXACT
    return LOST_UPDATES if mode == "free" else UNEXPECTED
