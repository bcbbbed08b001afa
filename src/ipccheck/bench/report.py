"""The JSON of ``ipccheck bench``: every figure of a run, and reading a saved run back.

``ipccheck bench --json`` prints one document (``cli.options.json_document``)::

    {"command": "bench", "ok": true, "exit_code": 0,
     "machine": {...}, "settings": {...}, "limit": "os.pipe",
     "results": [{"start_method": "fork", "channels": [...], "state": [...], "pools": [...]},
                 ...],
     "start_cost": [...], "notes": [...]}

``results`` holds one record per start method measured. Every row record carries its own
fields (each repeat's raw ``seconds``) plus the figures derived from them, so the tables can be
printed again from the document alone (``read_document``), exactly as the run printed them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, asdict, fields
from typing import TYPE_CHECKING, Any, TypeVar

from .results import (
    LIMIT,
    BenchResults,
    ChannelResult,
    PoolResult,
    StartResult,
    StateResult,
    limit_rates,
    pool_ratio,
    ratio_to_limit,
)
from .settings import BenchSettings
from .stats import spread

if TYPE_CHECKING:  # typeshed's name for "any dataclass"; it exists for the type checker only
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")


def fields_json(record: DataclassInstance) -> dict[str, Any]:
    """A record's own fields, tuples as lists: the document is what JSON gives back."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(record).items()}


def channel_json(result: ChannelResult, limits: dict[tuple[str, int], float]) -> dict[str, Any]:
    return {
        **fields_json(result),
        "repeats": len(result.seconds),
        "items_per_s": result.items_per_second.to_dict(),
        "mb_per_s": result.megabytes_per_second.to_dict(),
        "ratio_to_os_pipe": ratio_to_limit(result, limits),
    }


def state_json(result: StateResult) -> dict[str, Any]:
    return {
        **fields_json(result),
        "repeats": len(result.seconds),
        "increments_per_s": result.increments_per_second.to_dict(),
    }


def pool_json(result: PoolResult, limits: dict[tuple[str, int], float]) -> dict[str, Any]:
    return {
        **fields_json(result),
        "repeats": len(result.seconds),
        "tasks_per_s": result.tasks_per_second.to_dict(),
        "ratio_to_os_pipe": pool_ratio(result, limits),
    }


def start_json(result: StartResult) -> dict[str, Any]:
    return {
        **fields_json(result),
        "repeats": len(result.seconds),
        "start_join_s": spread(result.seconds).to_dict(),
    }


def document_fields(settings: BenchSettings, results: BenchResults) -> dict[str, Any]:
    """Everything but ``command``/``ok``/``exit_code``: the run, its settings and its machine."""
    limits = limit_rates(results.channels)
    per_start_method = [
        {
            "start_method": method,
            "channels": [
                channel_json(r, limits) for r in results.channels if r.start_method == method
            ],
            "state": [state_json(r) for r in results.state if r.start_method == method],
            "pools": [pool_json(r, limits) for r in results.pools if r.start_method == method],
        }
        for method in settings.start_methods
    ]
    return {
        "machine": dict(results.machine),
        "settings": fields_json(settings),
        "limit": LIMIT,
        "results": per_start_method,
        "start_cost": [start_json(r) for r in results.starts],
        "notes": list(results.notes),
    }


def from_record(kind: type[Record], record: object) -> Record:
    """The dataclass ``kind`` from its JSON record: its own fields only, lists back to tuples."""
    if not isinstance(record, Mapping):
        raise ValueError(f"a {kind.__name__} record must be an object, got {record!r:.40}")
    values = {}
    for f in fields(kind):
        if f.name in record:
            value = record[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
        elif f.default is MISSING and f.default_factory is MISSING:
            raise ValueError(f"a {kind.__name__} record has no {f.name!r}")
    return kind(**values)


def read_document(document: object) -> tuple[BenchSettings, BenchResults]:
    """The settings and results of a saved ``ipccheck bench --json`` document.

    Raises ValueError/TypeError/KeyError on anything else; the caller turns that into one line.
    """
    if not isinstance(document, Mapping) or document.get("command") != "bench":
        raise ValueError("not an `ipccheck bench --json` document")
    settings = from_record(BenchSettings, document["settings"])
    groups = document["results"]
    results = BenchResults(
        channels=[from_record(ChannelResult, r) for g in groups for r in g["channels"]],
        state=[from_record(StateResult, r) for g in groups for r in g["state"]],
        starts=[from_record(StartResult, r) for r in document["start_cost"]],
        notes=[str(note) for note in document["notes"]],
        machine=dict(document["machine"]),
        # a run saved before the pool rows existed has none
        pools=[from_record(PoolResult, r) for g in groups for r in g.get("pools", [])],
    )
    return settings, results
