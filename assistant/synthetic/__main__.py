"""``python -m assistant.synthetic [OUT] [N] [AS_OF] [EVENTS_PER_PATIENT]``: write a practice file."""

from __future__ import annotations

import pathlib
import sys
import time
from datetime import date

from assistant.synthetic import write_practice


def main() -> None:
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("practice.jsonl")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    as_of = date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 else date(2026, 11, 24)
    epp = float(sys.argv[4]) if len(sys.argv) > 4 else None
    started = time.perf_counter()
    lines = write_practice(out, n, as_of, events_per_patient=epp)
    print(f"{lines} lines to {out} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
