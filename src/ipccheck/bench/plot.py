"""Draw ``ipccheck bench`` results: throughput against payload size, one line per channel.

One figure, one row of two panels (messages/s, MB/s) per start method measured, on shared axes
so the start methods compare at a glance. matplotlib is an optional extra
(``pip install 'ipccheck[plot]'``); nothing else in ipccheck needs it, so it is imported only
here and only when a plot is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .results import LIMIT, ChannelResult
from .tables import first_seen, human_size

INSTALL_HINT = "--plot needs matplotlib: pip install 'ipccheck[plot]'"
# tab10 without its grey, which the limits use; a channel's colour stays put between runs.
COLOURS: tuple[str, ...] = (
    "tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
    "tab:olive", "tab:cyan", "navy", "darkgoldenrod",
)  # fmt: skip
LIMIT_STYLES = {"socketpair": "--", "memcpy": ":"}


def require_matplotlib() -> None:
    """Raise a one-line ValueError (exit code 2 from the command) if matplotlib is missing."""
    try:
        # The optional plot extra, only looked for here. Where it is missing mypy finds no
        # module; where it is installed the ignore is unused: hence both codes.
        import matplotlib  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        raise ValueError(INSTALL_HINT) from None


def series(results: Sequence[ChannelResult]) -> dict[str, list[ChannelResult]]:
    """Rows grouped by channel name, each group sorted by payload size."""
    grouped: dict[str, list[ChannelResult]] = {}
    for result in results:
        grouped.setdefault(result.name, []).append(result)
    return {name: sorted(rows, key=lambda r: r.size) for name, rows in grouped.items()}


def style(name: str, kind: str, colour: str) -> dict[str, Any]:
    """os.pipe thick and black, other limits grey and dashed, peers dotted with squares."""
    if name == LIMIT:
        return {"color": "black", "linewidth": 3, "label": f"{name} (limit)"}
    if kind == "limit":
        return {"color": "grey", "linestyle": LIMIT_STYLES.get(name, "-."), "label": f"{name} (limit)"}
    if kind == "peer":
        return {"color": colour, "linestyle": ":", "marker": "s", "label": f"{name} (peer)"}
    return {"color": colour, "marker": "o", "label": name}


def plot(results: Sequence[ChannelResult], path: str) -> None:
    """Messages/s and MB/s against payload size on log axes, raw os.pipe drawn as the limit."""
    require_matplotlib()
    # The optional plot extra (require_matplotlib says how to install it). Where it is missing,
    # mypy finds no module; where it is installed the ignore is unused: hence both codes.
    import matplotlib  # type: ignore[import-not-found,unused-ignore]

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt  # type: ignore[import-not-found,unused-ignore]

    methods = list(first_seen([r.start_method for r in results]))
    kinds = {r.name: r.kind for r in results}
    drawn_in_colour = [name for name in first_seen(list(kinds)) if kinds[name] != "limit"]
    colours = {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(drawn_in_colour)}
    figure, axes = plt.subplots(
        len(methods), 2, figsize=(12, 5 * len(methods)), sharex=True, sharey="col",
        squeeze=False, constrained_layout=True,
    )  # fmt: skip
    all_sizes = sorted({r.size for r in results})
    for (left, right), method in zip(axes, methods, strict=True):
        for name, rows in series([r for r in results if r.start_method == method]).items():
            sizes = [r.size for r in rows]
            drawn = style(name, rows[0].kind, colours.get(name, "grey"))
            for axis, values in (
                (left, [r.items_per_second for r in rows]),
                (right, [r.megabytes_per_second for r in rows]),
            ):
                medians = [v.median for v in values]
                below = [v.median - v.low for v in values]
                above = [v.high - v.median for v in values]
                axis.errorbar(sizes, medians, yerr=[below, above], capsize=2, **drawn)
        for axis, label in ((left, "messages (items) per second"), (right, "MB per second")):
            axis.set_xscale("log", base=2)
            axis.set_xticks(all_sizes, [human_size(size) for size in all_sizes])
            axis.set_yscale("log")
            axis.set_xlabel("payload size")
            axis.set_ylabel(label)
            axis.grid(True, which="both", alpha=0.3)
        left.set_title(f"{method}: messages/s (median, bars: min-max)")
        right.set_title(f"{method}: throughput")
        right.legend(fontsize="small", loc="best")
    which = "start methods" if len(methods) > 1 else "start method"
    figure.suptitle(f"ipccheck bench: one producer -> parent, {which} {', '.join(methods)}")
    figure.savefig(path, dpi=90)
    plt.close(figure)
