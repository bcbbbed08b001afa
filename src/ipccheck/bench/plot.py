"""Draw ``ipccheck bench`` results: throughput against payload size, one line per channel.

matplotlib is an optional extra (``pip install 'ipccheck[plot]'``); nothing else in ipccheck
needs it, so it is imported only here and only when a plot is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

from .stats import LIMIT, ChannelResult, human_size

INSTALL_HINT = "--plot needs matplotlib: pip install 'ipccheck[plot]'"
# tab10 without its grey, which the limits use; a channel's colour stays put between runs.
COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink")
COLOURS += ("tab:olive", "tab:cyan", "navy", "darkgoldenrod")
LIMIT_STYLES = {"socketpair": "--", "memcpy": ":"}


def require_matplotlib() -> None:
    """Raise a one-line ValueError (exit code 2 from the command) if matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ValueError(INSTALL_HINT) from None


def series(results: Sequence[ChannelResult]) -> dict[str, list[ChannelResult]]:
    """Rows grouped by channel name, each group sorted by payload size."""
    grouped: dict[str, list[ChannelResult]] = {}
    for result in results:
        grouped.setdefault(result.name, []).append(result)
    return {name: sorted(rows, key=lambda r: r.size) for name, rows in grouped.items()}


def plot(results: Sequence[ChannelResult], path: str, title: str = "") -> None:
    """Messages/s and MB/s against payload size on log axes, raw os.pipe drawn as the limit."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    colours = iter(COLOURS * 3)
    for name, rows in series(results).items():
        sizes = [r.size for r in rows]
        kind = rows[0].kind
        if name == LIMIT:
            style = {"color": "black", "linewidth": 3, "label": f"{name} (limit)"}
        elif kind == "limit":
            dash = LIMIT_STYLES.get(name, "-.")
            style = {"color": "grey", "linestyle": dash, "label": f"{name} (limit)"}
        elif kind == "peer":
            style = {
                "color": next(colours),
                "linestyle": ":",
                "marker": "s",
                "label": f"{name} (peer)",
            }
        else:
            style = {"color": next(colours), "marker": "o", "label": name}
        for axis, values in (
            (left, [r.items_per_second for r in rows]),
            (right, [r.megabytes_per_second for r in rows]),
        ):
            medians = [v.median for v in values]
            below = [v.median - v.low for v in values]
            above = [v.high - v.median for v in values]
            axis.errorbar(sizes, medians, yerr=[below, above], capsize=2, **style)
    all_sizes = sorted({r.size for r in results})
    for axis, label in ((left, "messages (items) per second"), (right, "MB per second")):
        axis.set_xscale("log", base=2)
        axis.set_xticks(all_sizes, [human_size(size) for size in all_sizes])
        axis.set_yscale("log")
        axis.set_xlabel("payload size")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    left.set_title("messages/s (median, bars: min-max)")
    right.set_title("throughput")
    right.legend(fontsize="small", loc="best")
    if title:
        figure.suptitle(f"ipccheck bench: one producer -> parent, {title}")
    figure.savefig(path, dpi=90)
    plt.close(figure)
