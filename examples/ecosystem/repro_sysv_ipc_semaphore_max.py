"""sysv_ipc: a System V semaphore counts only up to SEMVMX (32767 on Linux), so as a counter
its 32768th release() raises ValueError. One process, no race: the kernel's limit, which
sysv_ipc exposes as ``SEMAPHORE_VALUE_MAX``. Exits 1 when the limit is hit.

    python repro_sysv_ipc_semaphore_max.py
"""

from __future__ import annotations

import sys

import sysv_ipc


def main() -> int:
    semaphore = sysv_ipc.Semaphore(None, sysv_ipc.IPC_CREX, initial_value=0)
    try:
        for done in range(40_000):
            try:
                semaphore.release()
            except ValueError as exc:
                print(f"release() number {done + 1} raised ValueError: {exc}")
                print(f"value {semaphore.value}; SEMAPHORE_VALUE_MAX = {sysv_ipc.SEMAPHORE_VALUE_MAX}")
                return 1
        print(f"40000 releases, value {semaphore.value}")
        return 0
    finally:
        semaphore.remove()


if __name__ == "__main__":
    sys.exit(main())
