"""The conformance kit on third-party queues, pipes and counters: one table, re-runnable.

    python tools/ecosystem.py                 # every row, in a throwaway virtual environment
    python tools/ecosystem.py --only billiard # the rows of one library (repeatable)
    python tools/ecosystem.py --venv DIR      # reuse (or create and keep) that environment

Installs the pinned versions below and this checkout of ipccheck (with the ``conformance``
extra) into a new virtual environment, runs ``ipccheck check ... --json`` once per row from
``examples/ecosystem`` (where the adapters are), and prints the table in Markdown, then the
evidence of every failure. Not part of the CI gate: it installs from the package index and runs
for several minutes. Each row is one command, printed above its result, to re-run it alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = ROOT / "examples" / "ecosystem"
START_METHODS = ("fork", "spawn", "forkserver")
ROW_SECONDS = 900  # one row's limit; a row that passes it is reported as such, never waited on

# The versions the published table was measured with.
PINS = {
    "billiard": "billiard==4.3.2",
    "multiprocess": "multiprocess==0.70.19",
    "aioprocessing": "aioprocessing==2.0.1",
    "faster-fifo": "faster-fifo==1.5.2",
    "quick-queue": "quick-queue==1.0.7",
    "posix_ipc": "posix_ipc==1.3.2",
    "sysv_ipc": "sysv_ipc==1.2.0",
    "pyzmq": "pyzmq==27.3.0",
    "diskcache": "diskcache==5.6.3",
    "shared-memory-dict": "shared-memory-dict==0.7.2",
    "UltraDict": "UltraDict==0.0.6",
}
# multiprocess's pickler; UltraDict's shared lock (shared_lock=True); the kit's search
SUPPORT = ["dill==0.4.1", "atomics==1.0.3", "hypothesis==6.170.17"]


@dataclass(frozen=True)
class Row:
    library: str
    obj: str  # what is checked, in words
    kind: str
    factory: str
    options: tuple[str, ...] = ()

    def command(self) -> list[str]:
        return ["ipccheck", "check", self.kind, self.factory, *self.options, "--json"]


ROWS = [
    Row("billiard", "Queue", "queue", "adapt_forks:make_queue", ("--context", "billiard")),
    Row("billiard", "Pipe", "pipe", "adapt_forks:make_pipe", ("--context", "billiard")),
    Row("billiard", "Value under its lock", "counter", "adapt_forks:LockedValue", ("--context", "billiard")),
    Row("multiprocess", "Queue", "queue", "adapt_forks:make_queue", ("--context", "multiprocess")),
    Row("multiprocess", "Queue, standard-library children", "queue", "adapt_forks:make_multiprocess_queue"),
    Row("multiprocess", "Pipe", "pipe", "adapt_forks:make_pipe", ("--context", "multiprocess")),
    Row("aioprocessing", "AioQueue", "queue", "adapt_forks:make_aio_queue", ("--context", "multiprocess")),
    Row("faster-fifo", "Queue", "queue", "adapt_faster_fifo:make_queue"),
    Row("quick-queue", "QuickQueue, `put_remain()` as `flush()`", "queue", "adapt_quick_queue:Bucketed"),
    Row("posix_ipc", "MessageQueue", "queue", "adapt_posix_ipc:MessageQueue"),
    Row("posix_ipc", "SharedMemory + Semaphore counter", "counter", "adapt_posix_ipc:Counter"),
    Row("sysv_ipc", "MessageQueue", "queue", "adapt_sysv_ipc:MessageQueue"),
    Row("sysv_ipc", "Semaphore as a counter", "counter", "adapt_sysv_ipc:SemaphoreCounter"),
    Row("pyzmq", "PUSH/PULL over `ipc://`", "queue", "adapt_pyzmq:make_queue"),
    Row("diskcache", "Deque", "queue", "adapt_diskcache:DequeQueue"),
    Row("diskcache", "`Cache.incr`", "counter", "adapt_diskcache:IncrCounter",
        ("--increments", "2000", "--timeout", "120")),
    Row("shared-memory-dict", "`d['count'] += 1`", "counter", "adapt_shared_dicts:SharedMemoryDictCounter"),
    Row("UltraDict", "`d['count'] += 1` under its shared lock", "counter",
        "adapt_shared_dicts:UltraDictCounter", ("--increments", "20000", "--timeout", "120")),
]


@dataclass
class Result:
    row: Row
    seconds: float
    exit_code: int
    document: dict[str, object] = field(default_factory=dict)
    stderr: str = ""


def make_venv(where: Path) -> Path:
    """A virtual environment at ``where`` with the pins and this checkout installed; its python."""
    python = where / "bin" / "python"
    if not python.exists():
        venv.create(where, with_pip=True)
    pins = [*PINS.values(), *SUPPORT, f"{ROOT}[conformance]"]
    subprocess.run([str(python), "-m", "pip", "install", "-q", *pins], check=True)
    return python


def versions(python: Path) -> dict[str, str]:
    """Installed version of each library, as the environment reports it, and its Python's."""
    code = (
        "import importlib.metadata as m, json, platform, sys; "
        "found = {n: m.version(n) for n in sys.argv[1:]}; "
        "found['Python'] = platform.python_version(); "
        "print(json.dumps(found))"
    )
    out = subprocess.run([str(python), "-c", code, *PINS], capture_output=True, text=True, check=True)
    found: dict[str, str] = json.loads(out.stdout)
    return found


def run_row(python: Path, row: Row) -> Result:
    command = [str(python), "-m", "ipccheck", *row.command()[1:]]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ADAPTERS, capture_output=True, text=True, timeout=ROW_SECONDS
        )
    except subprocess.TimeoutExpired:
        return Result(row, time.perf_counter() - started, -1, stderr=f"over {ROW_SECONDS} s")
    seconds = time.perf_counter() - started
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        document = {}
    return Result(row, seconds, done.returncode, document, done.stderr.strip())


def verdicts(result: Result) -> dict[str, dict[str, object]]:
    records = result.document.get("results") or [{}]
    assert isinstance(records, list)
    return {v["start_method"]: v for v in records[0].get("verdicts", [])}


def cell(verdict: dict[str, object] | None) -> str:
    if verdict is None:
        return "—"
    if verdict["ok"]:
        return "pass"
    invariants = verdict["invariants"]
    assert isinstance(invariants, list)
    return "**" + ", ".join(invariants) + "**"


def table(results: list[Result], found: dict[str, str]) -> str:
    lines = [
        "| library | version | object | command (in `examples/ecosystem/`) | fork | spawn | forkserver "
        "| seconds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        row = result.row
        by_method = verdicts(result)
        cells = [cell(by_method.get(method)) for method in START_METHODS]
        if not by_method:
            cells = [f"exit {result.exit_code}: {result.stderr[-120:]}"] + ["", ""]
        lines.append(
            f"| {row.library} | {found.get(row.library, '?')} | {row.obj} | "
            f"`{' '.join(row.command()[:-1])}` | "
            + " | ".join(cells) + f" | {result.seconds:.0f} |"
        )
    return "\n".join(lines)


def evidence(results: list[Result]) -> str:
    lines = []
    for result in results:
        for method, verdict in verdicts(result).items():
            if verdict["ok"]:
                continue
            lines.append(f"### {result.row.library}: {result.row.obj}, {method}\n")
            lines.append("```")
            command = " ".join(result.row.command()[:-1])
            lines.append(f"$ (cd examples/ecosystem && {command} --start-method {method})")
            lines.append(f"minimal case: {verdict['case']}  (first failing: {verdict['first_case']})")
            violations = verdict["violations"]
            assert isinstance(violations, list)
            lines += [f"  {line}" for line in violations]
            if verdict["note"]:
                lines.append(str(verdict["note"]))
            lines.append("```\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="LIBRARY")
    parser.add_argument("--venv", type=Path, default=None, help="keep the environment here")
    args = parser.parse_args(argv)
    rows = [row for row in ROWS if not args.only or row.library in args.only]
    if not rows:
        libraries = ", ".join(dict.fromkeys(row.library for row in ROWS))
        parser.error(f"no rows for {args.only}; libraries: {libraries}")
    with tempfile.TemporaryDirectory(prefix="ipccheck-ecosystem-") as scratch:
        python = make_venv(args.venv or Path(scratch) / "venv")
        found = versions(python)
        results = []
        for row in rows:
            print(f"$ (cd examples/ecosystem && {' '.join(row.command())})", file=sys.stderr)
            results.append(run_row(python, row))
            done = results[-1]
            print(f"  exit {done.exit_code} in {done.seconds:.0f} s", file=sys.stderr, flush=True)
    measured = time.strftime("%Y-%m-%d", time.gmtime())
    print(f"Python {found['Python']}, measured {measured}\n")
    print(table(results, found))
    print()
    print(evidence(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
