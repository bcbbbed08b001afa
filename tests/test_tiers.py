"""The ``processes`` marker cannot rot: an unmarked test that starts a child fails (tests/tiers.py)."""

from __future__ import annotations

import textwrap

import pytest

from .timing import seconds

pytestmark = pytest.mark.processes  # the inner runs below start (or try to start) children

STARTS = {
    "multiprocessing-spawn": """
        import multiprocessing
        multiprocessing.get_context("spawn").Process(target=print).start()
    """,
    "multiprocessing-fork": """
        import multiprocessing
        process = multiprocessing.get_context("fork").Process(target=print)
        process.start()
        process.join(SECONDS)
    """,
    "subprocess": """
        import subprocess, sys
        subprocess.run([sys.executable, "-c", "pass"], timeout=SECONDS, check=False)
    """,
}


def inner_test(body: str, marked: bool) -> str:
    lines = ["import pytest", f"SECONDS = {seconds(30)}", ""]
    if marked:
        lines.append("@pytest.mark.processes")
    lines.append("def test_it():")
    lines += textwrap.indent(textwrap.dedent(body).strip(), "    ").splitlines()
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("how", list(STARTS))
def test_an_unmarked_test_that_starts_a_child_fails_naming_the_marker(pytester, how):
    pytester.makepyfile(inner_test(STARTS[how], marked=False))
    result = pytester.runpytest_inprocess("-p", "tests.tiers", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_it*"])  # ERRORS come before FAILURES
    result.stdout.fnmatch_lines(
        ["*ProcessesNotMarked: this test starts child processes but is not marked 'processes'*"]
    )


def test_an_unmarked_test_that_swallows_the_refusal_still_fails(pytester):
    pytester.makepyfile(inner_test("""
        import multiprocessing
        try:
            multiprocessing.get_context("spawn").Process(target=print).start()
        except RuntimeError:
            pass
    """, marked=False))
    result = pytester.runpytest_inprocess("-p", "tests.tiers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*this test starts child processes but is not marked 'processes'*"])


@pytest.mark.parametrize("how", ["multiprocessing-fork", "subprocess"])
def test_a_marked_test_starts_children_freely(pytester, how):
    pytester.makepyfile(inner_test(STARTS[how], marked=True))
    result = pytester.runpytest_inprocess("-p", "tests.tiers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
