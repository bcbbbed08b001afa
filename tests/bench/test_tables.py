"""The bench's text tables, checked on made-up results: alignment, order, ratios, side by side."""

from __future__ import annotations

import pytest

from ipccheck.bench import tables
from ipccheck.bench.results import ChannelResult, PoolResult, StartResult, StateResult, limit_rates


def channel(
    name: str,
    size: int,
    rate: float,
    kind: str = "channel",
    repeats: int = 3,
    start_method: str = "fork",
) -> ChannelResult:
    """A row whose every repeat ran at ``rate`` items/s (1000 items each)."""
    seconds = (1000 / rate,) * repeats
    return ChannelResult(name, kind, start_method, size, 1000, seconds, (0.002,) * repeats)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_520_000, "1.52 M"),
        (999, "999"),
        (1000, "1 k"),
        (12_345, "12.3 k"),
        (2.5e9, "2.5 G"),
        (0.25, "0.25"),
    ],
)
def test_human_rates_have_three_significant_figures(value, text):
    """Rates print with a k/M/G suffix and three significant figures."""
    assert tables.human(value) == text


def test_human_size_uses_binary_units_only_when_exact():
    """Whole KiB and MiB get a unit; anything else stays in bytes."""
    assert [tables.human_size(s) for s in (8, 1024, 65536, 1048576, 1500)] == [
        "8 B",
        "1 KiB",
        "64 KiB",
        "1 MiB",
        "1500 B",
    ]


def test_table_aligns_columns_and_rejects_ragged_rows():
    """Left columns pad right, right columns pad left, and a short row is an error."""
    text = tables.table(("name", "n"), [["a", "1"], ["long", "100"]], (False, True))
    assert text.splitlines() == ["name    n", "---------", "a       1", "long  100"]
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        tables.table(("name", "n"), [["a"]], (False, True))


def test_channel_table_groups_by_size_with_limits_first_and_ratios():
    """Rows sort by size then kind; each shows its ratio to os.pipe at its own size."""
    rows = [
        channel("queue", 8, 100_000),
        channel("os.pipe", 8, 1_000_000, kind="limit"),
        channel("queue", 1024, 50_000),
        channel("os.pipe", 1024, 200_000, kind="limit"),
    ]
    lines = tables.channel_table(rows).splitlines()
    body = [line.split() for line in lines[2:]]
    assert [(cells[0] + cells[1], cells[2]) for cells in body] == [
        ("8B", "os.pipe"),
        ("8B", "queue"),
        ("1KiB", "os.pipe"),
        ("1KiB", "queue"),
    ]
    assert [cells[-2] for cells in body] == ["1.00x", "0.10x", "1.00x", "0.25x"]
    assert "start method" not in lines[0]  # one start method: no column for it
    assert len({len(line) for line in lines[:2]}) == 1  # the rule is as wide as the header


def test_channel_table_puts_start_methods_side_by_side():
    """Several start methods: a start-method column, one method's rows next to each other."""
    rows = [
        channel("os.pipe", 8, 1_000_000, kind="limit", start_method="fork"),
        channel("queue", 8, 100_000, start_method="fork"),
        channel("os.pipe", 8, 500_000, kind="limit", start_method="spawn"),
        channel("queue", 8, 100_000, start_method="spawn"),
    ]
    lines = tables.channel_table(rows).splitlines()
    assert lines[0].split()[3:5] == ["start", "method"]
    body = [line.split() for line in lines[2:]]
    assert [(cells[2], cells[4]) for cells in body] == [
        ("os.pipe", "fork"),
        ("os.pipe", "spawn"),
        ("queue", "fork"),
        ("queue", "spawn"),
    ]
    assert [cells[-2] for cells in body] == ["1.00x", "1.00x", "0.10x", "0.20x"]


def test_channel_table_without_a_limit_shows_no_ratio():
    """A size where os.pipe failed gets '-' instead of a made-up ratio."""
    body = tables.channel_table([channel("queue", 8, 100_000)]).splitlines()[2]
    assert body.split()[-2] == "-"


def test_state_table_has_a_column_pair_per_process_count():
    """Each process count gets a rate and a range column; a missing run shows '-'."""
    rows = [
        StateResult("locked-value", "fork", 2, 1000, (0.001,)),
        StateResult("locked-value", "fork", 4, 1000, (0.004,)),
        StateResult("manager-value", "fork", 2, 10, (0.001,)),
    ]
    lines = tables.state_table(rows).splitlines()
    assert lines[0].split() == [
        "method",
        "incr/s",
        "@2",
        "min-max",
        "@2",
        "incr/s",
        "@4",
        "min-max",
        "@4",
    ]
    assert lines[2].split()[:3] == ["locked-value", "2", "M"]
    assert lines[3].split()[-2:] == ["-", "-"]


def test_state_table_puts_start_methods_side_by_side():
    """Several start methods: one row per method and start method, adjacent."""
    rows = [
        StateResult("locked-value", "fork", 2, 1000, (0.001,)),
        StateResult("manager-value", "fork", 2, 10, (0.001,)),
        StateResult("locked-value", "spawn", 2, 1000, (0.002,)),
    ]
    lines = tables.state_table(rows).splitlines()
    assert lines[0].split()[:3] == ["method", "start", "method"]
    assert [line.split()[:2] for line in lines[2:]] == [
        ["locked-value", "fork"],
        ["locked-value", "spawn"],
        ["manager-value", "fork"],
        ["manager-value", "spawn"],
    ]
    assert lines[3].split()[2:4] == ["1", "M"]
    assert lines[5].split()[2:] == ["-", "-"]


def test_start_table_is_in_milliseconds():
    """Start costs print in ms with their range."""
    lines = tables.start_table([StartResult("spawn", (0.03, 0.02, 0.04))]).splitlines()
    assert lines[2].split() == ["spawn", "30.0", "20.0-40.0"]


def test_batched_headline_compares_items_with_limit_records():
    """The batched row's items/s is divided by os.pipe's records/s at the smallest shared size."""
    rows = [
        channel("os.pipe", 8, 1_000_000, kind="limit"),
        channel("batched", 8, 3_000_000),
        channel("batched", 1024, 9_000_000),
    ]
    assert tables.batched_headlines(rows) == [
        "batched at 8 B items: 3 M items/s = 3.00x the raw os.pipe's 1 M records/s"
    ]
    assert tables.batched_headlines(rows[:1]) == []


def test_batched_headline_per_start_method():
    """Several start methods: one headline each, against that start method's own limit."""
    rows = [
        channel("os.pipe", 8, 1_000_000, kind="limit", start_method="fork"),
        channel("batched", 8, 3_000_000, start_method="fork"),
        channel("os.pipe", 8, 2_000_000, kind="limit", start_method="spawn"),
        channel("batched", 8, 3_000_000, start_method="spawn"),
    ]
    assert tables.batched_headlines(rows) == [
        "batched at 8 B items (fork): 3 M items/s = 3.00x the raw os.pipe's 1 M records/s",
        "batched at 8 B items (spawn): 3 M items/s = 1.50x the raw os.pipe's 2 M records/s",
    ]


def test_pool_table_orders_by_pool_then_chunksize_with_ratios_to_its_own_limit():
    """Each pool's chunksizes in order, start methods adjacent, each divided by its os.pipe."""
    limits = limit_rates([channel("os.pipe", 8, 1_000_000, kind="limit"),
                          channel("os.pipe", 8, 500_000, kind="limit", start_method="spawn")])
    rows = [
        PoolResult("pool-map", "fork", 16, 8, 1000, (0.005,)),  # 200 k tasks/s
        PoolResult("pool-map", "fork", 1, 8, 1000, (0.1,)),  # 10 k tasks/s
        PoolResult("executor-map", "fork", 1, 8, 1000, (0.2,)),
        PoolResult("pool-map", "spawn", 1, 8, 1000, (0.1,)),
    ]
    lines = tables.pool_table(rows, limits).splitlines()
    assert lines[0].split() == ["pool", "start", "method", "chunksize", "tasks/s", "min-max",
                                "x", "os.pipe"]
    assert [line.split()[:3] for line in lines[2:]] == [
        ["pool-map", "fork", "1"], ["pool-map", "spawn", "1"], ["pool-map", "fork", "16"],
        ["executor-map", "fork", "1"],
    ]
    assert lines[2].split()[3:5] == ["10", "k"] and lines[2].split()[-1] == "0.01x"
    assert lines[3].split()[-1] == "0.02x"  # 10 k over spawn's own 500 k
    assert lines[4].split()[-1] == "0.20x"


def test_pool_table_without_a_limit_shows_no_ratio():
    one = tables.pool_table([PoolResult("pool-map", "fork", 1, 8, 1000, (0.1,))], {})
    assert one.splitlines()[2].split() == ["pool-map", "1", "10", "k", "10", "k-10", "k", "-"]
