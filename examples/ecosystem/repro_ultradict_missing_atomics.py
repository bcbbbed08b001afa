"""UltraDict: without the ``atomics`` package, ``UltraDict(shared_lock=True)`` raises
MissingDependency after it has created its shared memory segments, and leaves them in
/dev/shm: the caller gets no object to unlink them with. Hides ``atomics`` from the import (as
if it were not installed), names the dict so that only its own segments are looked at, removes
whatever it left, and exits 1 if anything was left.

    python repro_ultradict_missing_atomics.py
"""

from __future__ import annotations

import gc
import os
import sys
import uuid

sys.modules["atomics"] = None  # type: ignore[assignment]  # "import atomics" now fails: not installed

from UltraDict import UltraDict  # noqa: E402  (after hiding atomics, on purpose)

SHM = "/dev/shm"


def main() -> int:
    left_any = False
    for auto_unlink in (False, True):
        name = f"repro-ultradict-{uuid.uuid4().hex[:8]}"
        try:
            UltraDict(name=name, shared_lock=True, auto_unlink=auto_unlink)
        except Exception as exc:  # MissingDependency, from UltraDict's own module
            raised = f"{type(exc).__name__}: {exc}"
        else:
            raised = "nothing"
        gc.collect()
        left = sorted(entry for entry in os.listdir(SHM) if entry.startswith(name))
        print(f"auto_unlink={auto_unlink}: raised {raised}; left in {SHM}: {left or 'nothing'}")
        for entry in left:
            os.unlink(os.path.join(SHM, entry))
        left_any |= bool(left)
    return 1 if left_any else 0


if __name__ == "__main__":
    sys.exit(main())
