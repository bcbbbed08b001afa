"""The ``deep`` tier: the sweeps the default run trims, and ``--tier`` to choose.

The default run (what the README's test command and CI run on every Python) checks every
promise once, under the cheapest start method that can show it; the deep tier holds the
sweeps that check the same promises again across a cross-product. On 2 cores the sweeps cost
minutes, so they run only when asked for:

- ``--tier default`` (the default): everything but what the deep tier adds;
- ``--tier deep``: only what the default run leaves out (``tox -e deep``);
- ``--tier all``: both, the whole suite.

Two rules put a test in the deep tier:

- a test parametrized over ``start_method`` keeps, in the default run, the cheapest start
  method of its own sweep (fork, then forkserver, then spawn) for each of its other
  parameters; the other start methods are deep. Methods named ``..._under_fork``,
  ``..._under_spawn``, ``..._under_forkserver`` (what ipccheck's base classes give a
  subclass) are such a sweep too;
- ``@pytest.mark.deep`` (on the test, or ``marks=pytest.mark.deep`` on one parameter) makes it
  deep whatever it is parametrized by.

A test whose promise is about one start method (spawn's pickling, say) is written for that
start method, not as a sweep, and stays in the default run.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from ipccheck._validate import START_METHODS, supported_start_methods

MARKER = "deep"
TIERS = ("default", "deep", "all")
CHEAPEST_FIRST = ("fork", "forkserver", "spawn")
SWEPT = "start_method"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ipccheck-suite", "choose what the ipccheck suite exercises").addoption(
        "--tier", choices=TIERS, default="default",
        help="default: the trimmed run; deep: only the sweeps it trims; all: both")


# The base classes users subclass (conformance.testing, linearizability.testing) give one
# method per start method, ``test_..._under_spawn``: a sweep too.
UNDER = re.compile(r"^(?P<test>.+)_under_(?P<start_method>fork|spawn|forkserver)$")


def _params(item: pytest.Item) -> dict[str, object]:
    params = dict(getattr(getattr(item, "callspec", None), "params", {}))
    under = UNDER.match(item.name)
    if under and SWEPT not in params:
        params[SWEPT] = under["start_method"]
    return params


def _sweep_key(item: pytest.Item) -> tuple[str, str] | None:
    """What the other cells of ``item``'s start-method sweep share: the test and its other parameters."""
    params = _params(item)
    if params.get(SWEPT) not in START_METHODS:
        return None
    others = sorted((name, repr(value)) for name, value in params.items() if name != SWEPT)
    test = item.nodeid.split("[", 1)[0]
    under = UNDER.match(test)
    return (under["test"] if under else test), repr(others)


def default_run(items: list[pytest.Item]) -> list[bool]:
    """For each item: is it in the default run?"""
    present: dict[tuple[str, str], set[str]] = defaultdict(set)
    here = supported_start_methods()  # a start method this platform lacks is skipped: never the one kept
    for item in items:
        key = _sweep_key(item)
        marked = item.get_closest_marker(MARKER) is not None
        if key is not None and not marked and _params(item)[SWEPT] in here:
            present[key].add(str(_params(item)[SWEPT]))
    keep = []
    for item in items:
        if item.get_closest_marker(MARKER) is not None:
            keep.append(False)
            continue
        key = _sweep_key(item)
        if key is None:
            keep.append(True)
            continue
        cheapest = next((method for method in CHEAPEST_FIRST if method in present[key]), None)
        keep.append(cheapest is None or _params(item)[SWEPT] == cheapest)
    return keep


@pytest.hookimpl(trylast=True)  # after the plugin has dropped the start methods not chosen
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect what the chosen tier leaves out (reported as deselected, never skipped)."""
    tier = config.getoption("tier")
    if tier == "all":
        return
    keep, drop = [], []
    for item, default in zip(items, default_run(items), strict=True):
        (keep if default == (tier == "default") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def examples(default: int, deep: int) -> pytest.MarkDecorator:
    """Parametrize a test's ``examples``: ``default`` Hypothesis examples in the default run, ``deep`` deep.

    For a process-free property test whose examples are its cost: the default run tries a few,
    the deep tier the full count. The test applies it to its inner ``@given`` function with
    ``@settings(max_examples=examples)``.
    """
    return pytest.mark.parametrize("examples", [
        pytest.param(default, id=f"{default}-examples"),
        pytest.param(deep, id=f"{deep}-examples", marks=pytest.mark.deep),
    ])
