"""Import, scan and push speed on a large practice: 100,000 patients and about 2 million events.

Targets on a 2-core machine: import at least 100,000 events/s, a scan of the whole practice
under 5 s, peak memory under 2 GB, and a push of one event (the booking system's call, through
the desk that audits it) under 15 ms median. Each phase runs in its own process so that its
peak memory is its own. SQLite in the work folder by default; `--database-url` names an empty
PostgreSQL database instead. Run: `.venv/bin/python benchmarks/practice_scale.py` (add --help).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    """This process's peak, or its largest worker's if that was larger (import uses workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


def _generate(path: str, patients: int, as_of: str, events_per_patient: float) -> dict:
    from assistant.synthetic import write_practice

    started = time.perf_counter()
    lines = write_practice(
        Path(path), patients, date.fromisoformat(as_of), seed=11, events_per_patient=events_per_patient
    )
    return {"lines": lines, "seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def _import(path: str, home: str) -> dict:
    os.environ["CROSSSELL_HOME"] = home
    from assistant.app.practice import Practice

    practice = Practice()
    started = time.perf_counter()
    report = practice.import_file(Path(path))
    seconds = time.perf_counter() - started
    events = sum(
        report.added[t] + report.updated[t] + report.unchanged[t] for t in ("events", "offers", "outcomes")
    )
    return {
        "seconds": seconds,
        "events": events,
        "events_per_s": events / seconds,
        "rejected": len(report.rejected),
        "peak_mb": _peak_mb(),
    }


def _push(home: str, as_of: str, pushes: int) -> dict:
    """`pushes` one-event pushes, each a visit's feedback for a random stored patient."""
    os.environ["CROSSSELL_HOME"] = home
    from assistant.app.drafting import Drafting
    from assistant.app.practice import Practice
    from assistant.app.review import Review
    from assistant.storage import schema

    practice = Practice()
    review = Review(practice, Drafting(practice))
    admin, _ = review.accounts.add(f"bench-{random.randrange(10**9)}", "admin", "benchmark password")
    ids = sorted(practice.repository.ids(schema.patients))
    chosen = random.Random(5)
    seconds = []
    for number in range(pushes):
        line = {
            "type": "event",
            "id": f"bench-push-{number}-{chosen.randrange(10**9)}",
            "patient_id": chosen.choice(ids),
            "at": f"{as_of}T10:00:00Z",
            "kind": "feedback",
            "score": 9,
            "comment": "lovely visit",
        }
        started = time.perf_counter()
        report = review.push(admin, [json.dumps(line).encode()])
        seconds.append(time.perf_counter() - started)
        if report.rejected:
            raise SystemExit(f"a benchmark push was rejected: {report.rejected[0]}")
    quantiles = statistics.quantiles(seconds, n=100)
    return {
        "pushes": pushes,
        "p50_ms": quantiles[49] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "peak_mb": _peak_mb(),
    }


def _scan(home: str, as_of: str) -> dict:
    os.environ["CROSSSELL_HOME"] = home
    from assistant.app.practice import Practice

    started = time.perf_counter()
    result = Practice().scan(date.fromisoformat(as_of))
    return {
        "seconds": time.perf_counter() - started,
        "ready": result.total_ready,
        "suppressed": len(result.suppressed),
        "peak_mb": _peak_mb(),
    }


PHASES = {"generate": _generate, "import": _import, "scan": _scan, "push": _push}


def _phase(function, *args) -> dict:
    """Runs one phase in a fresh process, so that its peak memory is its own."""
    name = next(k for k, v in PHASES.items() if v is function)
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--events-per-patient", type=float, default=20.0)
    parser.add_argument("--as-of", default="2026-11-24")
    parser.add_argument("--pushes", type=int, default=200, help="one-event pushes to time")
    parser.add_argument(
        "--database-url",
        help="an empty PostgreSQL database to import into (default: SQLite in the work folder)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the practice file and database go (default: a temp dir)",
    )
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        function = PHASES[name]
        if name == "generate":
            rest = [rest[0], int(rest[1]), rest[2], float(rest[3])]
        if name == "push":
            rest = [rest[0], rest[1], int(rest[2])]
        print(json.dumps(function(*rest)))
        return
    if args.database_url:
        os.environ["CROSSSELL_DATABASE_URL"] = args.database_url  # the phases' processes inherit it
    else:
        os.environ.pop("CROSSSELL_DATABASE_URL", None)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="crosssell-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source, home = workdir / "practice.jsonl", workdir / "home"
    print(f"generating {args.patients:,} patients into {source} ...", flush=True)
    generated = _phase(_generate, str(source), args.patients, args.as_of, args.events_per_patient)
    print(f"  {generated['lines']:,} lines in {generated['seconds']:.1f} s", flush=True)
    imported = _phase(_import, str(source), str(home))
    print(
        f"import: {imported['events']:,} events in {imported['seconds']:.1f} s = "
        f"{imported['events_per_s']:,.0f} events/s, peak {imported['peak_mb']:,.0f} MB",
        flush=True,
    )
    cold = _phase(_scan, str(home), args.as_of)
    print(
        f"scan (cold, first run embeds new goal words): {cold['seconds']:.2f} s, "
        f"{cold['ready']:,} ready, peak {cold['peak_mb']:,.0f} MB",
        flush=True,
    )
    warm = _phase(_scan, str(home), args.as_of)
    print(
        f"scan (warm): {warm['seconds']:.2f} s, {warm['ready']:,} ready, peak {warm['peak_mb']:,.0f} MB",
        flush=True,
    )
    pushed = _phase(_push, str(home), args.as_of, args.pushes)
    print(
        f"push (one event, audited): p50 {pushed['p50_ms']:.1f} ms, p99 {pushed['p99_ms']:.1f} ms "
        f"over {pushed['pushes']} pushes",
        flush=True,
    )
    summary = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "database": "postgresql" if args.database_url else "sqlite",
        "patients": args.patients,
        "generated": generated,
        "import": imported,
        "scan_cold": cold,
        "scan_warm": warm,
        "push": pushed,
    }
    (workdir / "results.json").write_text(json.dumps(summary, indent=2))
    targets = {
        "import >= 100,000 events/s": imported["events_per_s"] >= 100_000,
        "scan < 5 s (warm)": warm["seconds"] < 5,
        "peak memory < 2 GB": max(imported["peak_mb"], cold["peak_mb"]) < 2048,
        "one-event push < 15 ms (median)": pushed["p50_ms"] < 15,
    }
    for name, met in targets.items():
        print(f"{'met ' if met else 'MISSED'} {name}")
    print(f"results: {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
