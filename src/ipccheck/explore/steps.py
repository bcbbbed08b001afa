"""The step language: what one worker does, one atomic step at a time.

A worker program is a list of steps on one shared integer (a ``multiprocessing.Value``) and a
few named locks. Each step is atomic *by construction*: the conductor lets exactly one worker
take one step at a time. So a race is visible only where a program splits what should be one
action into several steps -- which is exactly what ``counter.value += 1`` does (a read, then a
write) and what ``if value == 0: value += 1`` does (a check, then an act).

Steps, as JSON objects or as short strings:

==========================================  ===============  ====================================
object                                      string           meaning
==========================================  ===============  ====================================
``{"op": "read"}``                          ``read``         register := value
``{"op": "write"}``                         ``write``        value := register + 1
``{"op": "write", "add": 2}``               ``write +2``     value := register + 2
``{"op": "write", "value": 5}``             ``write =5``     value := 5
``{"op": "lock", "name": "a"}``             ``lock a``       take lock ``a`` (blocks while held)
``{"op": "unlock", "name": "a"}``           ``unlock a``     release lock ``a``
``{"op": "check", "equals": 0}``            ``check 0``      flag := (value == 0)
``{"op": "act"}``                           ``act``          if flag: value := value + 1
``{"op": "act", "add": 2}``                 ``act +2``       if flag: value := value + 2
==========================================  ===============  ====================================

``act`` adds to the value *as it is now* (as if that one statement were protected), so what goes
wrong in check-then-act is only the stale check: two workers both see 0 and both act.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .._validate import require_choice, require_count

OPS: tuple[str, ...] = ("read", "write", "lock", "unlock", "check", "act")
MAX_PROCS = 6  # every serial order is checked: 6! = 720 orders
MAX_ITERATIONS = 50
MAX_STEPS = 400  # all workers together
MAX_CONSTANT = 10**12  # far inside the 64-bit Value
_LOCK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,31}")


@dataclass(frozen=True)
class Step:
    """One atomic step. ``arg`` is the amount to add, the constant, the lock name or the check."""

    op: str
    arg: int | str | None = None
    absolute: bool = False  # write only: value := arg instead of register + arg

    @property
    def number(self) -> int:
        """The integer a write, act or check step carries (an amount, a constant, a value)."""
        if isinstance(self.arg, bool) or not isinstance(self.arg, int):
            raise TypeError(f"step {self} carries no number")
        return self.arg

    @property
    def lock(self) -> str:
        """The lock a lock or unlock step names."""
        if not isinstance(self.arg, str):
            raise TypeError(f"step {self} names no lock")
        return self.arg

    def __str__(self) -> str:
        if self.op == "read":
            return "read"
        if self.op in ("lock", "unlock"):
            return f"{self.op} {self.arg}"
        if self.op == "check":
            return f"check {self.arg}"
        if self.absolute:
            return f"{self.op} ={self.arg}"
        return self.op if self.arg == 1 else f"{self.op} +{self.arg}"


def _number(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an integer, got {type(value).__name__} {value!r}")
    if abs(value) > MAX_CONSTANT:
        raise ValueError(f"{what} must be within ±{MAX_CONSTANT}, got {value}")
    return value


def _lock_name(value: object) -> str:
    if not isinstance(value, str) or not _LOCK_NAME.fullmatch(value):
        raise ValueError(f"lock name must be a short identifier like 'a', got {value!r}")
    return value


def parse_step(item: object) -> Step:
    """A Step from its string or object form; a one-line ValueError/TypeError otherwise."""
    if isinstance(item, Step):
        return item
    if isinstance(item, str):
        return _parse_text(item)
    if isinstance(item, dict):
        return _parse_object(item)
    raise TypeError(f"a step must be a string or an object, got {type(item).__name__} {item!r}")


def _parse_text(text: str) -> Step:
    words = text.split()
    if not words:
        raise ValueError("empty step")
    op, rest = words[0], words[1:]
    if op not in OPS:
        raise ValueError(f"unknown step {op!r}; choose from: {', '.join(OPS)}")
    if len(rest) > 1:
        raise ValueError(f"step {text!r} has too many words")
    arg = rest[0] if rest else None
    if op == "read":
        if arg is not None:
            raise ValueError(f"step 'read' takes no argument, got {text!r}")
        return Step("read")
    if op in ("lock", "unlock"):
        if arg is None:
            raise ValueError(f"step {op!r} needs a lock name, e.g. '{op} a'")
        return Step(op, _lock_name(arg))
    if op == "check":
        if arg is None:
            raise ValueError("step 'check' needs the value to compare with, e.g. 'check 0'")
        return Step("check", _number("check value", _int(arg, text)))
    # write / act
    if arg is None:
        return Step(op, 1)
    if arg.startswith("=") and op == "write":
        return Step("write", _number("write value", _int(arg[1:], text)), absolute=True)
    if arg.startswith("+"):
        return Step(op, _number(f"{op} amount", _int(arg[1:], text)))
    form = "'write +N' or 'write =N'" if op == "write" else "'act +N'"
    raise ValueError(f"cannot read step {text!r}; write it as {form}")


def _int(text: str, step: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"step {step!r}: {text!r} is not an integer") from None


def _parse_object(item: dict) -> Step:  # type: ignore[type-arg]
    op = item.get("op")
    if not isinstance(op, str) or op not in OPS:
        raise ValueError(f'step {item!r} needs "op", one of: {", ".join(OPS)}')
    allowed = {
        "read": set(),
        "write": {"add", "value"},
        "lock": {"name"},
        "unlock": {"name"},
        "check": {"equals"},
        "act": {"add"},
    }[op]
    extra = set(item) - allowed - {"op"}
    if extra:
        raise ValueError(f"step {op!r} does not take {', '.join(sorted(extra))}")
    if op == "read":
        return Step("read")
    if op in ("lock", "unlock"):
        return Step(op, _lock_name(item.get("name")))
    if op == "check":
        if "equals" not in item:
            raise ValueError("step 'check' needs \"equals\"")
        return Step("check", _number("check value", item["equals"]))
    if "value" in item:
        if "add" in item:
            raise ValueError('step \'write\' takes "add" or "value", not both')
        return Step("write", _number("write value", item["value"]), absolute=True)
    return Step(op, _number(f"{op} amount", item.get("add", 1)))


@dataclass(frozen=True)
class Program:
    """What every worker runs: one step list per worker, and the shared value's start."""

    name: str
    workers: tuple[tuple[Step, ...], ...]
    initial: int = 0
    # What a bad schedule breaks, in words (for the report); deadlock is always bad.
    breaks: str = "a final value that no serial order gives"

    def __post_init__(self) -> None:
        require_count("procs", len(self.workers), minimum=1, maximum=MAX_PROCS)
        _number("initial value", self.initial)
        total = sum(len(steps) for steps in self.workers)
        if total > MAX_STEPS:
            raise ValueError(f"program has {total} steps in all; at most {MAX_STEPS} are explored")
        for index, steps in enumerate(self.workers):
            validate_worker(index, steps)

    @property
    def procs(self) -> int:
        return len(self.workers)

    @property
    def total_steps(self) -> int:
        return sum(len(steps) for steps in self.workers)

    @property
    def lock_names(self) -> tuple[str, ...]:
        names = {str(s.arg) for steps in self.workers for s in steps if s.op == "lock"}
        return tuple(sorted(names))


def validate_worker(index: int, steps: Sequence[Step]) -> None:
    """Reject a worker that would break on its own, whatever the others do.

    A worker that takes a lock it holds, releases one it does not hold, or ends holding one,
    would hang or fail even when run alone; so would ``write`` before any ``read`` (no register
    yet) and ``act`` before any ``check``. Rejecting these keeps "serial runs always finish"
    true, which is what lets the explorer call any other outcome a bug of the interleaving.
    """
    if not steps:
        raise ValueError(f"worker {index} has no steps")
    held: set[str] = set()
    has_read = has_check = False
    for position, step in enumerate(steps, start=1):
        where = f"worker {index} step {position} ({step})"
        if step.op == "lock":
            if step.arg in held:
                raise ValueError(f"{where} takes a lock it already holds (would block forever)")
            held.add(str(step.arg))
        elif step.op == "unlock":
            if step.arg not in held:
                raise ValueError(f"{where} releases a lock it does not hold")
            held.discard(str(step.arg))
        elif step.op == "read":
            has_read = True
        elif step.op == "check":
            has_check = True
        elif step.op == "write" and not step.absolute and not has_read:
            raise ValueError(f"{where} writes register + n before any read")
        elif step.op == "act" and not has_check:
            raise ValueError(f"{where} acts before any check")
    if held:
        raise ValueError(f"worker {index} ends holding lock(s) {', '.join(sorted(held))}")


def _repeat(body: Sequence[str], iterations: int) -> tuple[Step, ...]:
    return tuple(parse_step(text) for _ in range(iterations) for text in body)


def ready_program(name: str, procs: int = 2, iterations: int = 1) -> Program:
    """One of the classics, for ``procs`` workers each running its body ``iterations`` times."""
    require_choice("program", name, tuple(READY))
    require_count("procs", procs, minimum=1, maximum=MAX_PROCS)
    require_count("iterations", iterations, minimum=1, maximum=MAX_ITERATIONS)
    if name == "lock-order":
        # Even workers take a then b, odd workers b then a: the classic lock-order inversion.
        ab = ["lock a", "lock b", "read", "write", "unlock b", "unlock a"]
        ba = ["lock b", "lock a", "read", "write", "unlock a", "unlock b"]
        workers = tuple(_repeat(ab if w % 2 == 0 else ba, iterations) for w in range(procs))
    else:
        workers = tuple(_repeat(READY[name][0], iterations) for _ in range(procs))
    return Program(name=name, workers=workers, breaks=READY[name][1])


# name -> (body every worker runs, what a bad schedule breaks)
READY: dict[str, tuple[tuple[str, ...], str]] = {
    "unlocked-increment": (("read", "write"), "an update was lost"),
    "locked-increment": (("lock c", "read", "write", "unlock c"), "an update was lost"),
    "check-then-act": (("check 0", "act"), "more than one worker acted on the same check"),
    "lock-order": ((), "a final value that no serial order gives"),
}
DESCRIPTIONS: dict[str, str] = {
    "unlocked-increment": "each worker: read, write register+1 (value += 1 without a lock)",
    "locked-increment": "each worker: lock c, read, write register+1, unlock c",
    "check-then-act": "each worker: check value == 0, then act (value += 1) if it was",
    "lock-order": "even workers lock a then b, odd workers b then a, then increment",
}


def user_program(data: object, procs: int | None = None, iterations: int = 1) -> Program:
    """A Program from a user's list of steps (every worker runs it) or list of lists (one each).

    ``data`` may also be an object ``{"steps": [...]}`` or ``{"workers": [[...], ...]}`` with an
    optional ``"initial"`` value.
    """
    require_count("iterations", iterations, minimum=1, maximum=MAX_ITERATIONS)
    initial: object = 0
    if isinstance(data, dict):
        extra = set(data) - {"steps", "workers", "initial"}
        if extra or ("steps" in data) == ("workers" in data):
            raise ValueError(
                'a program object needs exactly one of "steps" or "workers" '
                '(and optionally "initial")'
            )
        initial = data.get("initial", 0)
        data = data["steps"] if "steps" in data else data["workers"]
        if not isinstance(data, list):
            raise TypeError(f"steps/workers must be a list, got {type(data).__name__}")
    if not isinstance(data, (list, tuple)) or not data:
        raise ValueError("a program must be a non-empty list of steps (or of step lists)")
    if all(isinstance(item, (list, tuple)) for item in data):
        if procs is not None and procs != len(data):
            raise ValueError(f"the program lists {len(data)} workers but --procs is {procs}")
        bodies = [[parse_step(s) for s in body] for body in data]
    else:
        body = [parse_step(s) for s in data]
        bodies = [body] * (
            2 if procs is None else require_count("procs", procs, minimum=1, maximum=MAX_PROCS)
        )
    workers = tuple(tuple(body) * iterations for body in bodies)
    return Program(name="program", workers=workers, initial=_number("initial value", initial))
