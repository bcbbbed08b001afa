"""Generated scenarios are well formed and never leave a blocking get without an item."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipccheck.linearizability import COUNTER, DICT, QUEUE, Call, Scenario, scenario
from ipccheck.linearizability.generate import build, scenarios
from ipccheck.linearizability.scenario import parse_call

from ..depth import examples

QUEUE_SETS = [("put", "get"), ("put", "get", "get_nowait"), ("put", "get", "empty"),
              ("put", "get_nowait", "qsize")]


def sure_of_an_item(plan: Scenario) -> bool:
    """Every parallel get is covered by a put no get waits for, net of what get_nowait takes."""
    sure = sum(c.name == "put" for c in plan.setup)
    for part in plan.parallel:
        names = [c.name for c in part]
        before = names[: names.index("get")] if "get" in names else names
        sure += before.count("put")
    names = [c.name for part in plan.parallel for c in part]
    return names.count("get") == 0 or names.count("get") <= sure - names.count("get_nowait")


@examples(40, 200)
def test_queue_scenarios_are_safe_to_run(examples):

    @settings(max_examples=examples, deadline=None)
    @given(data=st.data(), operations=st.sampled_from(QUEUE_SETS))
    def safe(data, operations):
        plan = data.draw(scenarios(QUEUE, operations, max_procs=3, max_calls=4))
        calls = plan.calls()
        assert {c.name for c in calls} <= set(operations)
        assert all(c.name != "get" for c in plan.setup)  # the parent alone must never wait
        values = [c.args[0] for c in calls if c.name == "put"]
        assert values == list(range(1, len(values) + 1))  # unique, numbered in order
        assert sure_of_an_item(plan)
        assert 1 <= len(plan.parallel) <= 3 and all(1 <= len(p) <= 4 for p in plan.parallel)

    safe()


@examples(10, 50)
def test_counter_and_dict_scenarios_have_arguments_of_the_right_shape(examples):

    @settings(max_examples=examples, deadline=None)
    @given(data=st.data())
    def shaped(data):
        counter = data.draw(scenarios(COUNTER, COUNTER.operations, max_procs=2, max_calls=3))
        assert all(len(c.args) == (c.name == "fetch_add") for c in counter.calls())
        table = data.draw(scenarios(DICT, DICT.operations, max_procs=2, max_calls=3))
        shapes = {"get": 1, "set": 2, "cas": 3}
        assert all(len(c.args) == shapes[c.name] and c.args[0] in "ab" for c in table.calls())

    shaped()


def test_a_get_that_could_wait_for_ever_is_replaced():
    """Both processes get before they put: neither get is sure of an item."""
    plan = build(QUEUE, [], [[Call("get"), Call("put", (0,))], [Call("get"), Call("put", (0,))]],
                 [Call("get"), Call("get"), Call("get")], 0, ("put", "get", "empty"))
    assert [[str(c) for c in part] for part in plan.parallel] == [
        ["empty()", "put(1)"], ["empty()", "put(2)"]]
    assert [str(c) for c in plan.teardown] == ["get()", "get()", "empty()"]  # two items left


def test_scenarios_are_written_as_text():
    plan = scenario(["put", "get"], ["set('a', 1)"], setup=["put"], teardown=["get_nowait"])
    assert str(plan) == ("setup:     put(1)\nprocess 0: put(2), get()\n"
                         "process 1: set('a', 1)\nteardown:  get_nowait()")
    assert parse_call("fetch_add(2)") == Call("fetch_add", (2,))
    for bad in ("put(", "1put", "get(x)"):
        with pytest.raises(ValueError):
            parse_call(bad)
    with pytest.raises(ValueError, match="processes must be at least 1"):
        Scenario(())
