"""Run the whole test suite N times in a row and report how many runs failed.

A gate that fails one run in twenty is a gate people learn to re-run; this counts that rate.
Usage: python tools/flake.py [--runs N] [-- PYTEST ARGS...]. Exit 1 if any run failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="how many runs (default 20)")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest after --")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    failed = []
    started = time.perf_counter()
    for number in range(1, args.runs + 1):
        run_started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", *args.pytest_args], check=False)
        seconds = time.perf_counter() - run_started
        verdict = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        print(f"flake run {number}/{args.runs}: {verdict} in {seconds:.1f} s", flush=True)
        if result.returncode != 0:
            failed.append(number)
    total = time.perf_counter() - started
    print(f"flake: {len(failed)} of {args.runs} runs failed {failed or ''} in {total:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
