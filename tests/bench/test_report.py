"""The bench's JSON, checked on made-up results: every figure is in it, and it reads back."""

from __future__ import annotations

import json

import pytest

from ipccheck.bench import BenchResults, BenchSettings, document_fields, read_document, render
from ipccheck.bench.results import ChannelResult, PoolResult, StartResult, StateResult
from ipccheck.cli.options import json_document

SETTINGS = BenchSettings(
    channels=("pipe-send",), state=("locked-value",), sizes=(8,), repeat=2,
    start_methods=("fork", "spawn"),
)  # fmt: skip


def made_up_run() -> BenchResults:
    rows = []
    for method, limit_seconds in (("fork", 0.001), ("spawn", 0.002)):
        rows.append(ChannelResult("os.pipe", "limit", method, 8, 1000, (limit_seconds,) * 2, (0.01, 0.02)))
        rows.append(ChannelResult("pipe-send", "channel", method, 8, 1000, (0.005, 0.005), (0.01, 0.03)))
        rows.append(ChannelResult("memcpy", "limit", method, 8, 1000, (0.0001, 0.0001)))
    return BenchResults(
        channels=rows,
        state=[StateResult("locked-value", m, 2, 1000, (0.001, 0.002)) for m in ("fork", "spawn")],
        starts=[StartResult("fork", (0.001, 0.002)), StartResult("spawn", (0.03, 0.04))],
        notes=["faster-fifo skipped: not installed (pip install faster-fifo adds it as a row)"],
        machine={"cpu_count": 2, "python": "3.11.7"},
        pools=[PoolResult("pool-map", m, 16, 8, 1000, (0.004, 0.005)) for m in ("fork", "spawn")],
    )


def document() -> dict[str, object]:
    return json_document("bench", 0, **document_fields(SETTINGS, made_up_run()))


def test_one_document_with_one_record_per_start_method():
    """Top level: what ran and on what; ``results``: one record per start method, in order."""
    doc = document()
    assert list(doc) == [
        "command", "ok", "exit_code", "machine", "settings", "limit", "results", "start_cost",
        "notes",
    ]  # fmt: skip
    assert doc["command"] == "bench" and doc["ok"] is True and doc["limit"] == "os.pipe"
    results = doc["results"]
    assert [group["start_method"] for group in results] == ["fork", "spawn"]
    assert {row["start_method"] for row in results[1]["channels"]} == {"spawn"}
    assert json.loads(json.dumps(doc)) == doc  # nothing that JSON cannot carry


def test_each_row_has_its_raw_seconds_and_its_ratio_to_its_own_limit():
    """Every repeat's seconds and the derived figures; spawn rows divide by spawn's os.pipe."""
    fork, spawn = document()["results"]
    rows = {row["name"]: row for row in spawn["channels"]}
    assert rows["pipe-send"]["seconds"] == [0.005, 0.005]
    assert rows["pipe-send"]["start_seconds"] == [0.01, 0.03]
    assert rows["pipe-send"]["repeats"] == 2
    assert rows["pipe-send"]["items_per_s"]["median"] == pytest.approx(200_000)
    assert rows["pipe-send"]["mb_per_s"]["median"] == pytest.approx(1.6)
    assert rows["pipe-send"]["ratio_to_os_pipe"] == pytest.approx(0.4)  # 200 k / spawn's 500 k
    assert {row["name"]: row["ratio_to_os_pipe"] for row in fork["channels"]}["pipe-send"] == (
        pytest.approx(0.2)
    )
    assert rows["memcpy"]["start_seconds"] == []  # memcpy starts no process
    rate = spawn["state"][0]["increments_per_s"]["median"]
    assert rate == pytest.approx(1_500_000)  # the median of 2 M and 1 M
    pool = spawn["pools"][0]
    assert (pool["name"], pool["chunksize"], pool["seconds"]) == ("pool-map", 16, [0.004, 0.005])
    assert pool["tasks_per_s"]["median"] == pytest.approx(225_000)  # median of 250 k and 200 k
    assert pool["ratio_to_os_pipe"] == pytest.approx(0.45)  # over spawn's 500 k records/s
    start = document()["start_cost"]
    assert [(s["start_method"], s["start_join_s"]["median"]) for s in start] == [
        ("fork", pytest.approx(0.0015)),
        ("spawn", pytest.approx(0.035)),
    ]


def test_a_saved_document_prints_the_same_tables_as_the_run():
    """Reading the JSON back gives the same settings and results: the same text, to the byte."""
    saved = json.loads(json.dumps(document()))
    settings, results = read_document(saved)
    assert settings == SETTINGS
    assert results == made_up_run()
    assert render(results, settings) == render(made_up_run(), SETTINGS)


def test_a_run_saved_before_the_pool_rows_reads_back_without_them():
    """Older documents have no "pools": they read back with none, and print their tables."""
    saved = json.loads(json.dumps(document()))
    for group in saved["results"]:
        del group["pools"]
    settings, results = read_document(saved)
    assert results.pools == []
    assert "pools:" not in render(results, settings)
    assert "pools:" in render(made_up_run(), SETTINGS)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda doc: doc.update(command="run"), "not an `ipccheck bench --json` document"),
        (lambda doc: doc.pop("start_cost"), "start_cost"),
        (lambda doc: doc["results"][0]["channels"][0].pop("seconds"), "has no 'seconds'"),
        (lambda doc: doc["settings"].update(repeat=0), "repeat must be at least 1"),
        (lambda doc: doc["results"][0].update(state=[7]), "must be an object"),
    ],
)
def test_anything_but_a_bench_document_is_refused(change, message):
    """A document that is not a complete bench run is a one-line error, never a half-read."""
    saved = json.loads(json.dumps(document()))
    change(saved)
    with pytest.raises((ValueError, TypeError, KeyError), match=message):
        read_document(saved)
