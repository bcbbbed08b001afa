"""A sweep of generated bad command lines: each gives exit 2, one line on stderr, no traceback."""

from __future__ import annotations

import contextlib
import io
import math

from hypothesis import example, given
from hypothesis import strategies as st

from ipccheck._validate import MAX_BASE, MAX_PROCS, MAX_TIMEOUT, START_METHODS
from ipccheck.cli import main
from ipccheck.faults import Fault
from ipccheck.methods import METHODS
from ipccheck.workload import MODES


def _int_in(text: str, low: int, high: int) -> bool:
    try:
        return low <= int(text) <= high  # the same parse argparse's type=int uses
    except ValueError:
        return False


def _seconds_ok(text: str) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and 0 < value <= MAX_TIMEOUT


def _fault_ok(text: str) -> bool:
    try:
        fault = Fault.parse(text)
    except ValueError:
        return False
    return fault.victim == 0 and fault.after == 0  # fits every workload below


def _not_an_option(text: str) -> bool:
    return not text.startswith("-")


numbers = st.one_of(st.integers(-(10**12), 10**12).map(str), st.text(max_size=12),
                    st.sampled_from(["nan", "inf", "-inf", "1e309", "0x10", "1.5", ""]))
BAD = {
    "--procs": numbers.filter(lambda t: not _int_in(t, 1, MAX_PROCS)),
    "--base": numbers.filter(lambda t: not _int_in(t, 0, MAX_BASE)),
    "--timeout": numbers.filter(lambda t: not _seconds_ok(t)),
    "--start-method": st.text(max_size=12).filter(lambda t: t not in (*START_METHODS, "all")),
    "--mode": st.text(max_size=12).filter(lambda t: t not in MODES),
    "--fault": st.one_of(
        st.text(max_size=12), st.from_regex(r"[a-z]{3,6}:\d{1,3}@\d{1,9}", fullmatch=True)
    ).filter(lambda t: not _fault_ok(t)),
}
# Cheap good values, so that an input this test wrongly thinks bad still finishes at once.
GOOD = {"--procs": "1", "--base": "0", "--timeout": "5", "--start-method": "fork",
        "--mode": "summary", "--fault": "raise:0@0"}
bad_methods = st.text(min_size=1, max_size=12).filter(
    lambda t: t not in METHODS and _not_an_option(t)
)
unknown_options = st.from_regex(r"--[a-z]{1,10}", fullmatch=True).filter(
    lambda t: not any(option.startswith(t) for option in (*GOOD, "--json", "--help"))
)


@st.composite
def bad_argv(draw) -> list[str]:  # type: ignore[no-untyped-def]
    """``run`` with each option at most once (a later good copy would mend an earlier bad one)."""
    argv: list[str] = []
    choices = {option: draw(st.sampled_from(["bad", "good", "absent"])) for option in BAD}
    extra = draw(st.sampled_from(["none", "bad method", "unknown option"]))
    if "bad" not in choices.values() and extra == "none":
        choices[draw(st.sampled_from(sorted(BAD)))] = "bad"
    methods = draw(st.lists(st.sampled_from(["pipe", "manager-tcp"]), max_size=2, unique=True))
    if extra == "bad method":
        methods.insert(draw(st.integers(0, len(methods))), draw(bad_methods))
    for option, choice in choices.items():
        if choice == "bad":
            argv += [option, draw(BAD[option])]
        elif choice == "good":
            argv += [option, GOOD[option]]
    if extra == "unknown option":
        argv.append(draw(unknown_options))
    return ["run", *methods, *argv]


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """main(argv) in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:
            code = exit_.code  # type: ignore[assignment]
    return code, out.getvalue(), err.getvalue()


@given(argv=bad_argv())
@example(argv=["run", "pipe", "--procs", "1", "a\nb"])
@example(argv=["run", "--fault", "kill:3@0"])
def test_every_bad_command_line_is_one_line_and_exit_2(argv):
    """Whatever is wrong, the command says it in one line on stderr, exits 2, and runs nothing."""
    code, out, err = run_main(argv)
    assert code == 2, (argv, out, err)
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert err.startswith("ipccheck")
