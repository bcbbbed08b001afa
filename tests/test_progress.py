"""The shared progress line: rewritten in place on a terminal, a few short lines in a log."""

from __future__ import annotations

import io

from ipccheck.progress import Progress


def test_progress_log_lines_are_rate_limited_and_a_terminal_line_is_cut_to_fit():
    now = [0.0]
    log = io.StringIO()
    progress = Progress("ipccheck run", 4, log, log_seconds=10, clock=lambda: now[0])
    for seconds in (1, 9, 11, 15):
        now[0] = seconds
        progress.step(f"at {seconds}")
    assert log.getvalue() == "ipccheck run [3/4] at 11\n"  # a short run says nothing in a log

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Terminal()
    progress = Progress("ipccheck check", stream=tty)
    progress.step("x" * 1000)
    assert "\n" not in tty.getvalue() and len(tty.getvalue()) < 1000
    progress.clear()
    assert tty.getvalue().endswith("\r")
