"""``python -m assistant.synthetic [OUT] [N] [AS_OF] [EVENTS_PER_PATIENT]``: write a practice file."""

from __future__ import annotations

import argparse
import pathlib
import time
from datetime import date

from assistant.synthetic import write_practice


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.synthetic", description="Write a synthetic practice in the import contract."
    )
    parser.add_argument("out", nargs="?", type=pathlib.Path, default=pathlib.Path("practice.jsonl"))
    parser.add_argument("patients", nargs="?", type=int, default=200)
    parser.add_argument("as_of", nargs="?", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("events_per_patient", nargs="?", type=float, default=None)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    lines = write_practice(args.out, args.patients, args.as_of, events_per_patient=args.events_per_patient)
    print(f"{lines} lines to {args.out} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
