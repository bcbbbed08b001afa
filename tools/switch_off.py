"""Switch one detector off, run the tests that should notice, and list the ones that failed.

A detector that can be switched off with the suite green is not tested. Each row of ROWS is
the smallest edit that disables exactly one detector (one text replaced in one file) and the
test files that cover it; the file is restored afterwards, whatever happens.
Usage: python tools/switch_off.py ROW [ROW...] [-- PYTEST ARGS...], or ``all``; ``--list``
names the rows. Exit 1 if some row left every test green.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import subprocess
import sys

WATCH = "src/ipccheck/leftovers/watch.py"
LIVE = "src/ipccheck/leftovers/live.py"
IPC = "src/ipccheck/leftovers/ipc.py"
HEALTHY = "src/ipccheck/invariants/healthy.py"
COMMON = "src/ipccheck/invariants/common.py"
PLUGIN = "src/ipccheck/pytest_plugin.py"

LEFTOVER_TESTS = ("tests/test_detectors.py", "tests/test_leftovers.py", "tests/test_pytest_plugin.py")
IPC_TESTS = ("tests/test_leftovers_ipc.py", "tests/test_leftovers.py", "tests/test_detectors.py")
INVARIANT_TESTS = ("tests/invariants", "tests/test_detectors.py")
PLUGIN_TESTS = ("tests/test_pytest_plugin.py",)


def _plugin_ignores(words: str) -> tuple[str, str, str, tuple[str, ...]]:
    """The pytest plugin's guard drops the lines of one kind of leftover before failing a test."""
    return (PLUGIN, "    lines = left.evidence()\n",
            f"    lines = [line for line in left.evidence() if {words!r} not in line]\n", PLUGIN_TESTS)


# name: (file, text, replacement, test paths)
ROWS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "child": (LIVE, "return {pid: describe_pid(pid, known) for pid in sorted(child_pids() - excluded)}",
              "return {}", LEFTOVER_TESTS),
    "thread": (LIVE, "return tuple(describe_thread(thread) for thread in started if thread.is_alive())",
               "return ()", LEFTOVER_TESTS),
    "fd": ("src/ipccheck/leftovers/descriptors.py",
           "return tuple(sorted(fd for fd, *file in after - before if tuple(file) not in arena_files))",
           "return ()", LEFTOVER_TESTS),
    "segment": (WATCH, "segments=tuple(sorted(segments)),", "segments=(),", LEFTOVER_TESTS),
    "path": (WATCH, "paths=tuple(sorted(left_paths)),", "paths=(),", LEFTOVER_TESTS),
    "mqueue": (IPC, 'return [f"POSIX message queue not unlinked: /{name}" '
                    "for name in sorted(new & (named | held))]", "return []", IPC_TESTS),
    "sysv": (IPC, "return [str(entry) for entry in sorted(tied, key=lambda e: (e.kind, e.ident))]",
             "return []", IPC_TESTS),
    "sysv-watch": (WATCH, "+ new_sysv(self.evidence, self.sysv, sysv_entries(), "
                          "{*self.own_pids, os.getpid()})", "+ []", (*LEFTOVER_TESTS, IPC_TESTS[0])),
    "deadline": (COMMON, "    if not outcome.timed_out:\n        return []\n    alive",
                 "    return []\n    alive", INVARIANT_TESTS),
    "exit-code": (HEALTHY, "        if child.exitcode != 0\n    ]", "        if False\n    ]",
                  INVARIANT_TESTS),
    "lost": (HEALTHY, 'evidence.append(f"producer {producer}, item {seq}: never received")', "pass",
             INVARIANT_TESTS),
    "duplicate": (HEALTHY, 'evidence.append(f"item ({producer}, {seq}) received {count} times")', "pass",
                  INVARIANT_TESTS),
    "reorder": (COMMON, 'evidence.append(f"producer {producer}: item {previous} arrived before item {seq}")',
                "pass", INVARIANT_TESTS),
    "after-sentinel": (HEALTHY, "        if late:\n", "        if late and False:\n", INVARIANT_TESTS),
    "missing-sentinel": (HEALTHY, 'evidence.append(f"producer {producer}: sentinel never received")', "pass",
                         INVARIANT_TESTS),
    "total": (HEALTHY, "    if outcome.observed == outcome.expected or (outcome.timed_out and not "
                       "outcome.is_channel):\n", "    if True:\n", INVARIANT_TESTS),
    "plugin-child": _plugin_ignores("process still alive"),
    "plugin-thread": _plugin_ignores("thread still running"),
    "plugin-fd": _plugin_ignores("file descriptor(s) leaked"),
    "plugin-segment": _plugin_ignores("shared-memory segment not unlinked"),
    "conformance": ("src/ipccheck/conformance/runs.py", "tuple(check(outcome))",
                    'tuple(v for v in check(outcome) if v.invariant != "left-behind")',
                    ("tests/test_detectors.py", "tests/conformance/test_verify.py")),
}


def switch_off(name: str, pytest_args: list[str]) -> list[str]:
    """Run row ``name``; return the outer run's failed and erroring tests, one per line."""
    path, text, replacement, tests = ROWS[name]
    source = pathlib.Path(path)
    original = source.read_text()
    if original.count(text) != 1:
        raise SystemExit(f"{name}: the text to replace occurs {original.count(text)} times in {path}")
    source.write_text(original.replace(text, replacement))
    try:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE",
                   *pytest_args, *tests]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        source.write_text(original)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    print(f"{name}: {path} switched off; {' '.join(tests)}: {summary}", flush=True)
    # pytester prints the inner runs' summaries too; only the outer run's ids start with tests/
    return sorted(set(re.findall(r"^((?:FAILED|ERROR) tests/\S+)", result.stdout, re.M)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", help="row names, or all")
    parser.add_argument("--list", action="store_true", help="name the rows and exit")
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args, pytest_args = parser.parse_args(argv[:split]), argv[split + 1:]
    if args.list:
        print("\n".join(ROWS))
        return 0
    names = list(ROWS) if args.rows == ["all"] else args.rows
    unknown = [name for name in names if name not in ROWS]
    if unknown or not names:
        parser.error(f"unknown row(s) {unknown}; --list names them" if unknown else "name a row")
    green = []
    for name in names:
        failed = switch_off(name, pytest_args)
        print("".join(f"  {line}\n" for line in failed) or "  nothing failed\n", flush=True)
        if not failed:
            green.append(name)
    if green:
        print(f"left every test green: {', '.join(green)}")
    return 1 if green else 0


if __name__ == "__main__":
    sys.exit(main())
