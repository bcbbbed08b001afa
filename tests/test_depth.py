"""The tiers split the suite exactly: default + deep = all, and nothing is run twice (tests/depth.py)."""

from __future__ import annotations

import pytest

INNER = """
import pytest

def test_plain():
    pass

@pytest.mark.deep
def test_whole_sweep():
    pass

@pytest.mark.parametrize("start_method", ["spawn", "fork", "forkserver"])
def test_start_methods(start_method):
    pass

@pytest.mark.parametrize("size", [1, 2])
@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_sizes(start_method, size):
    pass

@pytest.mark.parametrize("start_method", ["spawn", pytest.param("fork", marks=pytest.mark.deep)])
def test_one_cell_marked(start_method):
    pass

class TestLikeABaseClass:
    def test_it_under_spawn(self):
        pass

    def test_it_under_forkserver(self):
        pass
"""


def collected(pytester: pytest.Pytester, *args: str) -> set[str]:
    result = pytester.runpytest_inprocess("-p", "tests.depth", "-p", "no:cacheprovider",
                                          "--collect-only", "-q", *args)
    return {line.split("::", 1)[1] for line in result.outlines if "::" in line}


@pytest.mark.parametrize("start_methods", [(), ("--start-method", "spawn", "--start-method", "forkserver")])
def test_default_and_deep_split_the_suite(pytester, start_methods):
    """The default run keeps the cheapest start method of each sweep; deep holds the rest."""
    pytester.makepyfile(INNER)
    cheapest = "forkserver" if start_methods else "fork"
    default = collected(pytester, *start_methods)
    deep = collected(pytester, "--tier", "deep", *start_methods)
    everything = collected(pytester, "--tier", "all", *start_methods)
    assert default == {
        "test_plain", f"test_start_methods[{cheapest}]",
        "test_sizes[forkserver-1]", "test_sizes[forkserver-2]",  # the cheapest of that sweep's own
        "test_one_cell_marked[spawn]",
        "TestLikeABaseClass::test_it_under_forkserver",
    }
    assert default | deep == everything and not default & deep
    assert "test_whole_sweep" in deep
    assert ("test_one_cell_marked[fork]" in deep) == (not start_methods)  # when fork was chosen
