"""The schedule explorer: make the interleaving an input, shrink it, replay it on real processes.

>>> from ipccheck.explore import ready_program, find_bad, conduct
>>> program = ready_program("unlocked-increment", procs=2)
>>> find_bad(program)                      # Hypothesis searches and shrinks on the model
(0, 1, 0, 1)
>>> conduct(program, (0, 1, 0, 1)).final   # real processes follow it step by step
1

Modules: ``steps`` (the step language), ``model`` (pure prediction), ``conductor`` (real
processes), ``search`` (Hypothesis and exhaustive search) and ``timeline``; the command is
``ipccheck.cli.explore``.
"""

from __future__ import annotations

from .conductor import Conductor, ConductorError, conduct
from .model import Run, Turn, serial_finals
from .model import run as predict
from .search import exhaustive, find_bad, judge, resolve
from .steps import READY, Program, Step, parse_step, ready_program, user_program

__all__ = [
    "READY",
    "Conductor",
    "ConductorError",
    "Program",
    "Run",
    "Step",
    "Turn",
    "conduct",
    "exhaustive",
    "find_bad",
    "judge",
    "parse_step",
    "predict",
    "ready_program",
    "resolve",
    "serial_finals",
    "user_program",
]
