"""The shared validators: one-line errors naming the field, and start methods read without
fixing the process-wide default."""

from __future__ import annotations

import multiprocessing

import pytest

from ipccheck import _validate
from ipccheck._validate import (
    ALL,
    MAX_TIMEOUT,
    platform_default_start_method,
    require_choice,
    require_count,
    require_start_method,
    require_start_methods,
    require_timeout,
    supported_start_methods,
)


def test_all_means_every_supported_start_method_in_order():
    """``all`` expands to this platform's start methods, in ipccheck's canonical order."""
    assert require_start_methods(ALL) == supported_start_methods()


def test_named_start_methods_are_deduplicated_and_checked():
    """A list keeps its order without repeats; an unknown name is a one-line ValueError."""
    assert require_start_methods(["spawn", "spawn"]) == ("spawn",)
    assert require_start_methods("spawn") == ("spawn",)
    with pytest.raises(ValueError, match="unknown start method 'thread'"):
        require_start_methods(["spawn", "thread"])
    with pytest.raises(ValueError, match="at least one start method"):
        require_start_methods([])


def test_the_platform_default_is_read_without_fixing_it():
    """The default is one of the supported ones, and is still unset afterwards if it was."""
    before = multiprocessing.get_start_method(allow_none=True)
    assert platform_default_start_method() in supported_start_methods()
    assert multiprocessing.get_start_method(allow_none=True) == before


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (0, ValueError, "timeout must be above 0"),
        (float("nan"), ValueError, "timeout must be above 0"),
        (float("inf"), ValueError, f"at most {MAX_TIMEOUT:g}"),
        (True, TypeError, "timeout must be a number of seconds, got bool"),
        ("5", TypeError, "got str"),
    ],
)
def test_bad_timeouts(value, error, words):
    """A timeout must be a positive, finite number of seconds."""
    with pytest.raises(error, match=words):
        require_timeout(value)


def test_counts_and_choices_name_the_field():
    """The message names the field and what was wrong with it, on one line."""
    with pytest.raises(ValueError, match="^procs must be at most 4, got 5$"):
        require_count("procs", 5, minimum=1, maximum=4)
    with pytest.raises(TypeError, match="^procs must be an integer, got float 2.0$"):
        require_count("procs", 2.0, minimum=1, maximum=4)
    with pytest.raises(ValueError, match="^unknown colour 'mauve'; choose from: red, blue$"):
        require_choice("colour", "mauve", ("red", "blue"))


# --- the edges the mutation run found untested (tox -e mutation) --------------------------------

def test_the_bounds_themselves_are_accepted():
    assert require_timeout(0.5) == 0.5
    assert require_timeout(MAX_TIMEOUT) == MAX_TIMEOUT
    assert isinstance(require_timeout(5), float)
    assert require_count("procs", 4, minimum=1, maximum=4) == 4
    assert require_count("procs", 1, minimum=1, maximum=4) == 1


def test_a_choice_that_is_not_a_string_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="^colour must be a string, got int 3$"):
        require_choice("colour", 3, ("red", "blue"))
    with pytest.raises(ValueError, match="^name at least one start method$"):
        require_start_methods([])


def test_a_start_method_this_platform_lacks_is_refused_by_name(monkeypatch):
    monkeypatch.setattr(_validate, "supported_start_methods", lambda: ("fork",))
    with pytest.raises(ValueError, match="^start method 'spawn' is not available on this platform$"):
        require_start_method("spawn")


def test_the_platform_default_is_the_chosen_one_else_the_first_offered(monkeypatch):
    """Asked with allow_none=True only (anything else would fix the choice)."""
    chosen: list[str | None] = [None]

    def get_start_method(allow_none: bool = False) -> str | None:
        assert allow_none is True, "this call would fix the process-wide start method"
        return chosen[0]

    monkeypatch.setattr(multiprocessing, "get_start_method", get_start_method)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods",
                        lambda: ["forkserver", "spawn", "fork"])
    assert platform_default_start_method() == "forkserver"
    chosen[0] = "spawn"
    assert platform_default_start_method() == "spawn"
