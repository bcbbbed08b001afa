"""The bench's arithmetic and result records, checked on made-up durations: nothing is timed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipccheck.bench import stats
from ipccheck.bench.results import (
    ChannelResult,
    StateResult,
    limit_rates,
    ratio_to_limit,
)

durations = st.floats(min_value=1e-6, max_value=1e3, allow_nan=False, allow_infinity=False)


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


def test_channel_result_rates_and_megabytes():
    """2000 items of 1 KiB in 1 s and 4 s: median 1250 items/s, min 500, max 2000, MB/s scaled."""
    row = ChannelResult("queue", "channel", "fork", 1024, 2000, (1.0, 4.0))
    assert row.items_per_second == stats.Spread(1250.0, 500.0, 2000.0)
    assert row.megabytes_per_second.median == pytest.approx(1250 * 1024 / 1e6)


def test_state_result_counts_every_worker():
    """4 workers x 1000 increments in 0.5 s is 8000 increments/s."""
    result = StateResult("locked-value", "fork", 4, 1000, (0.5,))
    assert result.increments_per_second.median == 8000.0


def test_a_row_is_divided_by_the_limit_of_its_own_start_method():
    """Side by side, a spawn row is compared with spawn's os.pipe, never with fork's."""
    rows = [
        ChannelResult("os.pipe", "limit", "fork", 8, 1000, (0.001,)),  # 1 M/s
        ChannelResult("os.pipe", "limit", "spawn", 8, 1000, (0.004,)),  # 250 k/s
        ChannelResult("queue", "channel", "spawn", 8, 1000, (0.01,)),  # 100 k/s
    ]
    limits = limit_rates(rows)
    assert limits == {("fork", 8): pytest.approx(1e6), ("spawn", 8): pytest.approx(250e3)}
    assert ratio_to_limit(rows[2], limits) == pytest.approx(0.4)
    missing = ChannelResult("queue", "channel", "forkserver", 8, 1000, (0.01,))
    assert ratio_to_limit(missing, limits) is None


@given(st.lists(durations, min_size=1, max_size=5), st.sampled_from([8, 1024, 65536]))
def test_the_limit_row_is_always_exactly_one(seconds, size):
    """Whatever it measured, os.pipe divided by itself is 1."""
    row = ChannelResult("os.pipe", "limit", "fork", size, 100, tuple(seconds))
    assert ratio_to_limit(row, limit_rates([row])) == 1.0
