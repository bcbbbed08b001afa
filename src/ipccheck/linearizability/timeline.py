"""A history as people read it: one column per process, one row per call or return.

Lincheck prints a failing scenario as a table with one column per thread; this does the same
for a real history and adds when each event happened (microseconds after the first call).
A call shows as ``put(2)``, its return as ``put(2): None`` on a later row, so an operation's
interval is the rows between the two. The operation with no valid linearization point is
marked with ``<-- X``.
"""

from __future__ import annotations

from .history import History, Operation, process_label

MARK = "  <-- X"
MIN_WIDTH = 12


def render(history: History, culprit: Operation | None = None) -> str:
    """The timeline table of ``history``, marking ``culprit``."""
    processes = history.processes
    column = {process: index for index, process in enumerate(processes)}
    events: list[tuple[int, int, int, str]] = []  # (time, returns after calls, column, text)
    for op in history:
        events.append((op.call, 0, column[op.process], op.invocation()))
        text = str(op) + (MARK if op is culprit else "")
        events.append((op.ret, 1, column[op.process], text))
    events.sort()
    titles = [process_label(process) for process in processes]
    width = max([MIN_WIDTH, *(len(text) for *_, text in events), *(len(t) for t in titles)])
    lines = [f"{'µs':>10}  " + "  ".join(f"{title:<{width}}" for title in titles).rstrip()]
    lines.append(f"{'-' * 10}  " + "  ".join("-" * width for _ in titles))
    for when, _, index, text in events:
        cells = [""] * len(titles)
        cells[index] = text
        row = "  ".join(f"{cell:<{width}}" for cell in cells).rstrip()
        lines.append(f"{(when - history.start) / 1000:>10.1f}  {row}")
    return "\n".join(lines)
