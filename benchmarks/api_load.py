"""API load on one machine: requests per second, p50 and p99 latency and errors, for 1 and 4 API
workers, on SQLite and (with --database-url) PostgreSQL, in one sitting.

A synthetic practice (default 10,000 patients) is imported, an admin's token issued, then
`crosssell serve --workers N --no-worker` is started on loopback and driven by keep-alive client
threads in this process, one scenario at a time, each bounded in requests and seconds:
  me     GET /v1/me: authentication and one read, the floor of every call
  push   POST /v1/events with one event line, as a booking system pushes a visit
  queue  GET /v1/queue: the week's scan, the coordinator's heaviest read
The client shares the machine's cores with the server, so the figures are a floor.
Run: `.venv/bin/python benchmarks/api_load.py [--database-url postgresql://.../EMPTY_DB]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2026-11-24"
PASSWORD = "benchmark password"


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    requests: int
    body: object = None  # a callable giving each request's body, or None

    def request(self) -> tuple[str, str, bytes | None]:
        body = self.body() if callable(self.body) else None
        return self.method, self.path, body


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        done = sorted(self.latencies)
        # statistics.quantiles needs two values; fewer give their one value (or 0) throughout
        quantile = statistics.quantiles(done, n=100) if len(done) >= 2 else (done or [0.0]) * 99
        return {
            "requests": len(done) + self.errors,
            "rps": round((len(done) + self.errors) / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(quantile[49] * 1000, 1),
            "p99_ms": round(quantile[98] * 1000, 1),
            "errors": self.errors,
        }


def prepare(home: Path, database_url: str | None, patients: int) -> tuple[str, list[str]]:
    """Imports a synthetic practice into `home` (and the database, if given); returns an admin's
    API token and the patient ids."""
    os.environ["CROSSSELL_HOME"] = str(home)
    os.environ["CROSSSELL_LLM"] = "none"
    if database_url:
        os.environ["CROSSSELL_DATABASE_URL"] = database_url
    else:
        os.environ.pop("CROSSSELL_DATABASE_URL", None)
    from assistant.app.drafting import Drafting
    from assistant.app.practice import Practice
    from assistant.app.review import Review
    from assistant.storage import schema
    from assistant.synthetic import write_practice

    source = home.parent / "practice.jsonl"
    write_practice(source, patients, date.fromisoformat(AS_OF), seed=11, events_per_patient=20)
    practice = Practice()
    report = practice.import_file(source)
    if report.rejected:
        raise SystemExit(f"the synthetic practice had {len(report.rejected)} rejected lines")
    review = Review(practice, Drafting(practice))
    _, token = review.accounts.add(f"bench{uuid.uuid4().hex[:6]}", "admin", PASSWORD)
    ids = sorted(practice.repository.ids(schema.patients))
    return token, ids


def drive(port: int, token: str, scenario: Scenario, concurrency: int, limit_s: float) -> Result:
    """`scenario.requests` requests from `concurrency` keep-alive threads, stopping early at
    `limit_s` seconds."""
    result, lock = Result(), threading.Lock()
    remaining = [scenario.requests]
    deadline = time.monotonic() + limit_s
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            method, path, body = scenario.request()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                ok = 200 <= answer.status < 300
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def scenarios(ids: list[str], scale: float) -> list[Scenario]:
    def event() -> bytes:
        patient = random.choice(ids)
        line = {
            "type": "event",
            "id": f"bench-{uuid.uuid4().hex}",
            "patient_id": patient,
            "at": f"{AS_OF}T10:00:00Z",
            "kind": "feedback",
            "score": 9,
            "comment": "lovely visit",
        }
        return json.dumps(line).encode()

    return [
        Scenario("me", "GET", "/v1/me", int(2000 * scale)),
        Scenario("push", "POST", "/v1/events", int(1000 * scale), event),
        Scenario("queue", "GET", f"/v1/queue?as_of={AS_OF}", max(4, int(20 * scale))),
    ]


def serve_and_drive(
    home: Path, database_url: str | None, workers: int, token: str, ids: list[str], args
) -> dict:
    from assistant.servers import api_command, free_port, running

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSSELL_TEST_")}
    env.update(CROSSSELL_HOME=str(home), CROSSSELL_LLM="none", CROSSSELL_CLOCK=f"{AS_OF}T15:00:00+00:00")
    if database_url:
        env["CROSSSELL_DATABASE_URL"] = database_url
    command = [*api_command("127.0.0.1", port), "--workers", str(workers), "--no-worker"]
    out: dict = {}
    log = home.parent / f"serve-{workers}.log"
    with running(command, f"http://127.0.0.1:{port}/v1/health", env=env, log=log, timeout=180):
        for scenario in scenarios(ids, args.scale):
            drive(port, token, dataclasses.replace(scenario, requests=4), 1, 60)  # warm up
            result = drive(port, token, scenario, args.concurrency, args.seconds)
            out[scenario.name] = result.summary()
            print(f"    {scenario.name:6} {json.dumps(out[scenario.name])}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database: measured beside SQLite (imported into)"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long per scenario")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies each scenario's requests")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.database_url:
        databases.append(("postgresql", args.database_url))
    results: dict = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "patients": args.patients,
        "concurrency": args.concurrency,
        "runs": [],
    }
    for name, url in databases:
        workdir = Path(tempfile.mkdtemp(prefix=f"crosssell-load-{name}-"))
        home = workdir / "home"
        print(f"{name}: importing {args.patients:,} patients ...", flush=True)
        token, ids = prepare(home, url, args.patients)
        for workers in args.workers:
            print(f"  {workers} worker(s):", flush=True)
            measured = serve_and_drive(home, url, workers, token, ids, args)
            results["runs"].append({"database": name, "workers": workers, **measured})
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
