"""The guards against a strong model's answers: the `strong` suite's labelled answers (good ones
and subtly bad ones) replayed through the real drafting chain, each served as the model's first
answer by an OpenAI-compatible server on loopback (`crosssell eval replay`).

Targets: at least 97% of the good answers kept on the first attempt and at least 95% of the bad
ones stopped. Reported: both rates, per guard (false alarms on good answers, bad answers it
failed, the bad answers it was expected to stop and how many it did), per defect class, seconds
per answer and peak memory.
Run: `.venv/bin/python benchmarks/guards.py [--suite strong] [--answers FILE ...] [--output FILE]`
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.app.evals import Evals  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rates(run: dict) -> None:
    good, bad = run["good"], run["bad"]
    print(
        f"suite {run['suite']}, prompt {run['prompt_version']}: {good['n'] + bad['n']} answers "
        f"({good['n']} good, {bad['n']} bad), {len(run['skipped'])} not replayed"
    )
    for name, row, done in (("good kept", good, good["kept"]), ("bad stopped", bad, bad["stopped"])):
        target = run["targets"].get(name.replace(" ", "_"))
        rate = "–" if row["rate"] is None else f"{row['rate']:.1%}"
        wanted = "" if target is None else f", target {target['target']:.0%}"
        print(f"{name}: {done} of {row['n']} ({rate}{wanted})")


def _tables(run: dict) -> None:
    print("per guard: false alarms (good failed) | bad failed | expected to stop | of those stopped")
    for name, g in run["guards"].items():
        print(
            f"  {name:<12} {g['false_alarms']:>4} | {g['stopped']:>4} | {g['expected']:>4} | "
            f"{g['expected_stopped']:>4}"
        )
    print("per defect class: stopped of answers")
    for name, d in run["defects"].items():
        print(f"  {name:<24} {d['stopped']:>3} of {d['n']:<3} ({d['rate']:.0%})")
    for miss in run["misses"]:
        said = "; ".join(f"{g['name']}: {g['detail']}" for g in miss["guards"]) or miss["note"] or ""
        print(f"  miss: {miss['id']} ({miss['label']}, {miss['defect'] or 'no defect'}): {said}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="strong", help="the suite whose practice and targets are used")
    parser.add_argument(
        "--answers", type=Path, nargs="*", default=[], help="answers files instead of the suite's"
    )
    parser.add_argument("--output", type=Path, default=None, help="write the replay's JSON here")
    args = parser.parse_args()
    started = time.perf_counter()
    result = Evals().replay(args.suite, args.answers)
    wall = time.perf_counter() - started
    run = result.as_dict()
    _rates(run)
    _tables(run)
    timing = run["timing"]
    if timing["answers"]:
        print(
            f"time: {timing['per_answer']:.2f} s per answer (median {timing['median']:.2f} s, slowest "
            f"{timing['slowest']:.2f} s: the first loads the embedding model and indexes the pages); "
            f"{wall:.1f} s in all with the practice's import; peak {_peak_mb():.0f} MB"
        )
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for name, target in run["targets"].items():
        mark = {True: "met ", False: "MISSED", None: "n/a "}[target["met"]]
        print(f"{mark} {name} >= {target['target']:.0%}")
    if args.output is not None:
        args.output.write_text(
            json.dumps({**run, "wall_seconds": round(wall, 2), "peak_mb": round(_peak_mb())}, indent=2)
        )
        print(f"results: {args.output}")


if __name__ == "__main__":
    main()
