"""The bench's arithmetic and output format, checked on made-up durations: nothing here is timed."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipccheck.bench import stats
from ipccheck.bench.stats import ChannelResult, StartResult, StateResult

durations = st.floats(min_value=1e-6, max_value=1e3, allow_nan=False, allow_infinity=False)


def channel(
    name: str, size: int, rate: float, kind: str = "channel", repeats: int = 3
) -> ChannelResult:
    """A row whose every repeat ran at ``rate`` items/s (1000 items each)."""
    return ChannelResult(name, kind, size, 1000, (1000 / rate,) * repeats, (0.002,) * repeats)


def test_spread_takes_median_min_and_max():
    """Median (not mean: one slow outlier must not move it), min and max, whatever the order."""
    assert stats.spread([10.0, 1.0, 2.0]) == stats.Spread(2.0, 1.0, 10.0)
    assert stats.spread([4.0, 1.0, 2.0, 30.0]).median == 3.0


def test_spread_of_nothing_is_an_error():
    """An empty list of repeats is a bug upstream, reported as such."""
    with pytest.raises(ValueError, match="at least one sample"):
        stats.spread([])


@given(st.lists(durations, min_size=1, max_size=20))
def test_spread_median_lies_within_its_range(samples):
    """low <= median <= high for any samples."""
    s = stats.spread(samples)
    assert s.low <= s.median <= s.high


def test_rates_divide_count_by_each_duration():
    """1000 items in 0.5 s is 2000 items/s; each repeat gets its own rate."""
    assert stats.rates(1000, [0.5, 2.0]) == [2000.0, 500.0]


def test_megabytes_per_second_are_decimal():
    """1 M items/s of 1 KiB is 1024 MB/s (decimal megabytes)."""
    assert stats.megabytes_per_second(1_000_000, 1024) == 1024.0


def test_ratio_without_a_reference_is_none():
    """No limit measured (or a zero one) gives no ratio rather than a division error."""
    assert stats.ratio(5.0, 2.0) == 2.5
    assert stats.ratio(5.0, None) is None
    assert stats.ratio(5.0, 0.0) is None


def test_messages_for_small_sizes_is_the_message_count():
    """Small payloads send exactly ``messages`` items."""
    assert stats.messages_for(8, 20_000, 64 * 1024 * 1024) == 20_000


def test_messages_for_big_sizes_keeps_to_the_byte_budget():
    """1 MiB payloads under a 64 MiB budget send 64 items."""
    assert stats.messages_for(1024 * 1024, 20_000, 64 * 1024 * 1024) == 64


def test_messages_for_never_drops_below_the_minimum():
    """A payload bigger than the whole budget still sends a few items, but never more than asked."""
    assert stats.messages_for(1024 * 1024, 20_000, 1024, minimum=16) == 16
    assert stats.messages_for(1024 * 1024, 5, 1024, minimum=16) == 5


def test_messages_for_rejects_empty_payloads():
    """A zero-byte payload has no meaningful MB/s."""
    with pytest.raises(ValueError, match="at least 1 byte"):
        stats.messages_for(0, 100, 100)


def test_parse_sizes_understands_k_and_m_and_sorts():
    """Suffixes are powers of two; the result is sorted and free of duplicates."""
    assert stats.parse_sizes("1m, 8,64k,1024,1k") == [8, 1024, 65536, 1048576]


@pytest.mark.parametrize("text", ["", "8,,16", "abc", "0", "-8", "1.5k", "65m"])
def test_parse_sizes_rejects_bad_input_in_one_line(text):
    """Each bad size list is a ValueError whose message is one line."""
    with pytest.raises(ValueError) as info:
        stats.parse_sizes(text)
    assert "\n" not in str(info.value)


def test_parse_names_keeps_the_known_order_and_rejects_strangers():
    """Names come back in the catalogue's order; an unknown one names the choices."""
    known = ("a", "b", "c")
    assert stats.parse_names("c, a", known) == ["a", "c"]
    with pytest.raises(ValueError, match="unknown bench method 'x'; choose from: a, b, c"):
        stats.parse_names("a,x", known)
    with pytest.raises(ValueError, match="at least one"):
        stats.parse_names(" , ", known)


def test_channel_result_rates_and_megabytes():
    """2000 items of 1 KiB in 1 s and 4 s: median 1250 items/s, min 500, max 2000, MB/s scaled."""
    row = ChannelResult("queue", "channel", 1024, 2000, (1.0, 4.0))
    assert row.items_per_second == stats.Spread(1250.0, 500.0, 2000.0)
    assert row.megabytes_per_second.median == pytest.approx(1250 * 1024 / 1e6)


def test_state_result_counts_every_worker():
    """4 workers x 1000 increments in 0.5 s is 8000 increments/s."""
    assert StateResult("locked-value", 4, 1000, (0.5,)).increments_per_second.median == 8000.0


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
    assert stats.human(value) == text


def test_human_size_uses_binary_units_only_when_exact():
    """Whole KiB and MiB get a unit; anything else stays in bytes."""
    assert [stats.human_size(s) for s in (8, 1024, 65536, 1048576, 1500)] == [
        "8 B",
        "1 KiB",
        "64 KiB",
        "1 MiB",
        "1500 B",
    ]


def test_table_aligns_columns_and_rejects_ragged_rows():
    """Left columns pad right, right columns pad left, and a short row is an error."""
    text = stats.table(("name", "n"), [["a", "1"], ["long", "100"]], (False, True))
    assert text.splitlines() == ["name    n", "---------", "a       1", "long  100"]
    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        stats.table(("name", "n"), [["a"]], (False, True))


def test_channel_table_groups_by_size_with_limits_first_and_ratios():
    """Rows sort by size then kind; each shows its ratio to os.pipe at its own size."""
    rows = [
        channel("queue", 8, 100_000),
        channel("os.pipe", 8, 1_000_000, kind="limit"),
        channel("queue", 1024, 50_000),
        channel("os.pipe", 1024, 200_000, kind="limit"),
    ]
    lines = stats.channel_table(rows).splitlines()
    body = [line.split() for line in lines[2:]]
    assert [(cells[0] + cells[1], cells[2]) for cells in body] == [
        ("8B", "os.pipe"),
        ("8B", "queue"),
        ("1KiB", "os.pipe"),
        ("1KiB", "queue"),
    ]
    assert [cells[-2] for cells in body] == ["1.00x", "0.10x", "1.00x", "0.25x"]
    assert len({len(line) for line in lines[:2]}) == 1  # the rule is as wide as the header


def test_channel_table_without_a_limit_shows_no_ratio():
    """A size where os.pipe failed gets '-' instead of a made-up ratio."""
    body = stats.channel_table([channel("queue", 8, 100_000)]).splitlines()[2]
    assert body.split()[-2] == "-"


def test_state_table_has_a_column_pair_per_process_count():
    """Each process count gets a rate and a range column; a missing run shows '-'."""
    rows = [
        StateResult("locked-value", 2, 1000, (0.001,)),
        StateResult("locked-value", 4, 1000, (0.004,)),
        StateResult("manager-value", 2, 10, (0.001,)),
    ]
    lines = stats.state_table(rows).splitlines()
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


def test_start_table_is_in_milliseconds():
    """Start costs print in ms with their range."""
    lines = stats.start_table([StartResult("spawn", (0.03, 0.02, 0.04))]).splitlines()
    assert lines[2].split() == ["spawn", "30.0", "20.0-40.0"]


def test_batched_headline_compares_items_with_limit_records():
    """The batched row's items/s is divided by os.pipe's records/s at the smallest shared size."""
    rows = [
        channel("os.pipe", 8, 1_000_000, kind="limit"),
        channel("batched", 8, 3_000_000),
        channel("batched", 1024, 9_000_000),
    ]
    assert stats.batched_headline(rows) == (
        "batched at 8 B items: 3 M items/s = 3.00x the raw os.pipe's 1 M records/s"
    )
    assert stats.batched_headline(rows[:1]) is None


def test_report_json_has_every_figure_and_a_ratio_for_every_row():
    """The JSON names machine, settings and every row, each with its ratio, and serialises."""
    rows = [channel("os.pipe", 8, 1_000_000, kind="limit"), channel("pipe-send", 8, 250_000)]
    document = stats.report_json(
        {"cpu_count": 2},
        {"repeat": 3},
        rows,
        [StateResult("locked-value", 2, 1000, (0.001,))],
        [StartResult("fork", (0.001,))],
        ["faster-fifo skipped"],
    )
    assert set(document) == {
        "machine",
        "settings",
        "limit",
        "channels",
        "state",
        "start_cost",
        "notes",
    }
    assert [row["ratio_to_os_pipe"] for row in document["channels"]] == [1.0, 0.25]
    assert document["channels"][1]["items_per_s"]["median"] == pytest.approx(250_000)
    assert document["channels"][1]["mb_per_s"]["median"] == pytest.approx(2.0)
    assert document["state"][0]["increments_per_s"]["median"] == pytest.approx(2_000_000)
    assert document["start_cost"][0]["seconds"]["median"] == 0.001
    assert json.loads(json.dumps(document)) == document


@given(st.lists(durations, min_size=1, max_size=5), st.sampled_from([8, 1024, 65536]))
def test_the_limit_row_is_always_exactly_one(seconds, size):
    """Whatever it measured, os.pipe divided by itself is 1."""
    row = ChannelResult("os.pipe", "limit", size, 100, tuple(seconds))
    assert stats.ratio_to_limit(row, stats.limit_rates([row])) == 1.0
