"""Workload validation: bad input is refused with a one-line ValueError or TypeError."""

from __future__ import annotations

import pytest

from ipccheck._validate import MAX_BASE, MAX_PROCS, supported_start_methods
from ipccheck.workload import Workload


def test_defaults_are_valid_and_expected_total_is_procs_times_base():
    """A default workload is accepted and expects procs x base."""
    workload = Workload("queue", procs=4, base=25)
    assert workload.expected_total == 100


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"procs": 0}, ValueError, "procs must be at least 1, got 0"),
        ({"procs": -3}, ValueError, "procs must be at least 1"),
        ({"procs": MAX_PROCS + 1}, ValueError, f"procs must be at most {MAX_PROCS}"),
        ({"base": -1}, ValueError, "base must be at least 0, got -1"),
        ({"base": MAX_BASE + 1}, ValueError, f"base must be at most {MAX_BASE}"),
        ({"procs": 2.0}, TypeError, "procs must be an integer, got float"),
        ({"procs": True}, TypeError, "procs must be an integer, got bool"),
        ({"base": "10"}, TypeError, "base must be an integer, got str"),
        ({"start_method": "thread"}, ValueError, "unknown start method 'thread'"),
        ({"start_method": None}, TypeError, "start method must be a string"),
        ({"mode": "batch"}, ValueError, "unknown mode 'batch'"),
        ({"timeout": 0}, ValueError, "timeout must be above 0"),
        ({"timeout": float("nan")}, ValueError, "timeout must be above 0"),
        ({"timeout": float("inf")}, ValueError, "at most 3600"),
        ({"timeout": "5"}, TypeError, "timeout must be a number of seconds"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(kwargs, error, words):
    """Each bad field raises the right exception type with a message naming the field."""
    with pytest.raises(error) as caught:
        Workload("queue", **kwargs)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_method_lists_the_known_ones():
    """An unknown method name is refused and the message lists the real names."""
    with pytest.raises(ValueError, match="unknown method 'tube'; choose from: value, raw-array"):
        Workload("tube")


def test_supported_start_methods_are_a_subset_in_canonical_order():
    """Only fork, spawn and forkserver are offered, in that order, and spawn is always there."""
    methods = supported_start_methods()
    assert "spawn" in methods
    assert list(methods) == [m for m in ("fork", "spawn", "forkserver") if m in methods]


# --- the edges the mutation run found untested (tox -e mutation) --------------------------------

def test_the_default_mode_is_the_methods_own_and_the_timeout_is_kept_as_seconds():
    assert Workload("queue").mode == "stream"
    assert Workload("pool").mode == "map"
    assert Workload("process-pool").mode == "submit"
    workload = Workload("queue", timeout=5)
    assert workload.timeout == 5.0 and isinstance(workload.timeout, float)


def test_a_fault_must_be_a_fault_object():
    with pytest.raises(TypeError, match="^fault must be a Fault, got str$"):
        Workload("queue", fault="kill:1@2")  # type: ignore[arg-type]
