"""What a bench run measures: the size and name parsers and BenchSettings' own checks."""

from __future__ import annotations

import pytest

from ipccheck._validate import platform_default_start_method, supported_start_methods
from ipccheck.bench import BenchSettings, parse_names, parse_sizes


def test_parse_sizes_understands_k_and_m_and_sorts():
    """Suffixes are powers of two; the result is sorted and free of duplicates."""
    assert parse_sizes("1m, 8,64k,1024,1k") == [8, 1024, 65536, 1048576]


@pytest.mark.parametrize("text", ["", "8,,16", "abc", "0", "-8", "1.5k", "65m"])
def test_parse_sizes_rejects_bad_input_in_one_line(text):
    """Each bad size list is a ValueError whose message is one line."""
    with pytest.raises(ValueError) as info:
        parse_sizes(text)
    assert "\n" not in str(info.value)


def test_parse_names_keeps_the_known_order_and_rejects_strangers():
    """Names come back in the catalogue's order; an unknown one names the choices."""
    known = ("a", "b", "c")
    assert parse_names("c, a", known) == ["a", "c"]
    with pytest.raises(ValueError, match="unknown bench method 'x'; choose from: a, b, c"):
        parse_names("a,x", known)
    with pytest.raises(ValueError, match="at least one"):
        parse_names(" , ", known)


def test_the_default_start_method_is_the_platforms():
    """One start method by default, the platform's (read without fixing the global choice)."""
    assert BenchSettings().start_methods == (platform_default_start_method(),)


def test_start_methods_accept_all_and_drop_duplicates():
    """``"all"`` means every supported start method; a repeated name is measured once."""
    assert BenchSettings(start_methods="all").start_methods == supported_start_methods()
    assert BenchSettings(start_methods=("fork", "fork")).start_methods == ("fork",)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"channels": ("nope",)}, ValueError, "unknown bench channel 'nope'"),
        ({"state": ("queue",)}, ValueError, "unknown bench state method 'queue'"),
        ({"pools": ("queue",)}, ValueError, "unknown bench pool 'queue'"),
        ({"chunksizes": ()}, ValueError, "at least one chunksize"),
        ({"chunksizes": (0,)}, ValueError, "chunksize must be at least 1"),
        ({"chunksizes": (1.5,)}, TypeError, "chunksize must be an integer"),
        ({"sizes": ()}, ValueError, "at least one payload size"),
        ({"sizes": (0,)}, ValueError, "payload size must be at least 1"),
        ({"messages": 0}, ValueError, "messages must be at least 1"),
        ({"repeat": 1.5}, TypeError, "repeat must be an integer"),
        ({"start_methods": ("teleport",)}, ValueError, "unknown start method 'teleport'"),
        ({"start_methods": ()}, ValueError, "at least one start method"),
        ({"state_scale": 0.0}, ValueError, "state_scale must be above 0"),
        ({"state_scale": float("nan")}, TypeError, "state_scale must be a finite number"),
        ({"state_procs": (0,)}, ValueError, "state processes must be at least 1"),
        ({"start_repeat": 0}, ValueError, "start repeat must be at least 1"),
        ({"timeout": 0}, ValueError, "timeout must be above 0"),
    ],
)
def test_bad_settings_are_refused_before_anything_runs(fields, error, message):
    """Every field is checked when the settings are built, in one line."""
    with pytest.raises(error, match=message) as info:
        BenchSettings(**fields)
    assert "\n" not in str(info.value)
