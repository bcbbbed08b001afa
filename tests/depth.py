"""The ``deep`` tier: the sweeps the default run trims, and ``--tier`` to choose.

The default run (what the README's test command and CI run on every Python) still checks every
promise: each method, start method, detector and fault kind has a test in it. A test marked
``deep`` is a sweep over a cross-product whose promise a default-run test already checks. On 2
cores the sweeps cost minutes, so they run only when asked for:

- ``--tier default`` (the default): everything but what the deep tier adds;
- ``--tier deep``: only what the default run leaves out (``tox -e deep``; ``.ci/run`` runs it once);
- ``--tier all``: both, the whole suite.

Marking: ``@pytest.mark.deep`` makes the whole test deep; ``@pytest.mark.deep(sweep="start_method")``
keeps the cheapest selected start method (fork, then forkserver, then spawn) in the default run
and puts the others in the deep tier.
"""

from __future__ import annotations

import pytest

from ipccheck._validate import supported_start_methods
from ipccheck.pytest_plugin import selected_start_methods

MARKER = "deep"
TIERS = ("default", "deep", "all")
CHEAPEST_FIRST = ("fork", "forkserver", "spawn")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("ipccheck-suite", "choose what the ipccheck suite exercises").addoption(
        "--tier", choices=TIERS, default="default",
        help="default: the trimmed run; deep: only the sweeps it trims (tests marked deep); all: both")


def cheapest_start_method(config: pytest.Config) -> str | None:
    """The start method the default run keeps for a start-method sweep."""
    chosen = set(selected_start_methods(config)) & set(supported_start_methods())
    return next((method for method in CHEAPEST_FIRST if method in chosen), None)


def in_default_run(item: pytest.Item, cheapest: str | None) -> bool:
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return True
    sweep = marker.kwargs.get("sweep")
    if sweep is None:
        return False
    params = getattr(getattr(item, "callspec", None), "params", {})
    if sweep not in params:
        raise pytest.UsageError(f"{item.nodeid}: deep(sweep={sweep!r}) names no parameter of the test")
    return bool(params[sweep] == cheapest)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect what the chosen tier leaves out (reported as deselected, never skipped)."""
    tier = config.getoption("tier")
    if tier == "all":
        return
    cheapest = cheapest_start_method(config)
    keep, drop = [], []
    for item in items:
        (keep if in_default_run(item, cheapest) == (tier == "default") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
