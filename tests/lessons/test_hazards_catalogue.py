"""lessons.hazards.catalogue: the registry, the plan of start methods, and running one hazard.

No test here starts a process: fake hazards stand in for the real demonstrations.
"""

from __future__ import annotations

import importlib
import pkgutil
from multiprocessing.context import BaseContext

import pytest

from ipccheck._validate import platform_default_start_method, supported_start_methods
from ipccheck.lessons import hazards
from ipccheck.lessons.hazards import CATALOGUE, HAZARDS, Finding, Hazard
from ipccheck.lessons.hazards.catalogue import by_name


def shows(ctx: BaseContext) -> Finding:
    return Finding(True, f"shown under {ctx.get_start_method()}")


def broken(_ctx: BaseContext) -> Finding:
    raise RuntimeError("boom")


def test_every_hazard_module_is_registered():
    """A module of the package that defines HAZARDS is in the catalogue: none is forgotten."""
    registered = set(CATALOGUE)
    for info in pkgutil.iter_modules(hazards.__path__):
        module = importlib.import_module(f"{hazards.__name__}.{info.name}")
        for hazard in getattr(module, "HAZARDS", ()):
            if isinstance(hazard, Hazard):
                assert hazard in registered, f"{info.name}: {hazard.name} is not in CATALOGUE"
    assert list(HAZARDS) == [hazard.name for hazard in CATALOGUE]


def test_a_name_used_twice_is_refused():
    """Two hazards with one name would hide one of them: the registry refuses it."""
    twin = Hazard("value-typecodes", "w", "f", shows, shows)
    with pytest.raises(ValueError, match="two hazards are named 'value-typecodes'"):
        by_name([*CATALOGUE, twin])


def test_plan_runs_a_start_method_independent_hazard_once(monkeypatch):
    """Under several start methods, a per-start-method hazard runs under each, the others once."""
    monkeypatch.setitem(HAZARDS, "each", Hazard("each", "w", "f", shows, shows))
    monkeypatch.setitem(HAZARDS, "once", Hazard("once", "w", "f", shows, shows, per_start_method=False))
    methods = supported_start_methods()
    plan = hazards.plan_hazards(["each", "once"], "all")
    assert plan == [("each", methods), ("once", methods[:1])]
    assert hazards.plan_hazards(["each"]) == [("each", (platform_default_start_method(),))]
    assert [name for name, _ in hazards.plan_hazards()] == list(HAZARDS)


def test_run_hazard_records_its_start_method(monkeypatch):
    """A result says which start method it is for, and whether that matters."""
    monkeypatch.setitem(HAZARDS, "once", Hazard("once", "w", "f", shows, shows, per_start_method=False))
    method = supported_start_methods()[-1]
    result = hazards.run_hazard("once", method)
    assert (result.start_method, result.per_start_method, result.ok) == (method, False, True)
    assert result.evidence == f"shown under {method}"
    assert result.to_dict()["start_method"] == method


def test_a_broken_demonstration_counts_as_not_shown(monkeypatch):
    """An exception inside a demonstration is reported as not shown, with the reason."""
    monkeypatch.setitem(HAZARDS, "fake", Hazard("fake", "w", "f", broken, shows))
    result = hazards.run_hazard("fake")
    assert not result.shown and result.fix_held and not result.ok
    assert "RuntimeError: boom" in result.evidence


def test_report_names_the_start_method_of_each_result(monkeypatch):
    """The text report labels each result with its start method, or says it ran once."""
    monkeypatch.setitem(HAZARDS, "each", Hazard("each", "w", "f", shows, broken))
    monkeypatch.setitem(HAZARDS, "once", Hazard("once", "w", "f", shows, shows, per_start_method=False))
    methods = supported_start_methods()
    each = hazards.format_hazard([hazards.run_hazard("each", method) for method in methods])
    for method in methods:
        assert f"  {method}: shown" in each
    assert "fix DID NOT HOLD: raised RuntimeError: boom" in each
    once = hazards.format_hazard([hazards.run_hazard("once", methods[0])])
    assert f"any start method (the same under each; run once, with {methods[0]}): shown" in once


@pytest.mark.parametrize(
    ("names", "start_method", "error"),
    [
        (["nope"], None, "unknown hazard 'nope'"),
        ([], "vfork", "unknown start method 'vfork'"),
        ([], [], "name at least one start method"),
    ],
)
def test_bad_input_is_a_one_line_value_error(names, start_method, error):
    """Unknown hazards or start methods are refused before anything runs."""
    with pytest.raises(ValueError, match=error):
        hazards.run_hazards(names, start_method)
