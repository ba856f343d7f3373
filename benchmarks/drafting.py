"""Drafting a weekly queue of 200 ready patients: template drafter with retrieval, cold and warm,
and an LLM backend (the bundled model on a local llama.cpp server) for concurrency and prompt size.

Targets on a 2-core machine: the 200-patient queue with the template drafter, retrieval
included, under 60 s on a cold index (fresh process, empty vector store) and under 10 s warm;
with an LLM backend at least 8 requests in flight and at most 1,500 prompt tokens per request.
Run: `.venv/bin/python benchmarks/drafting.py` (add --help for options).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _build(home: str, patients: int, as_of: str) -> dict:
    from assistant.app.demo import build_demo

    _, report, scan = build_demo(Path(home), date.fromisoformat(as_of), patients, seed=7)
    return {"patients": patients, "events": report.added["events"], "ready": scan.total_ready}


def _draft(home: str, as_of: str, queue: int, backend: str, rounds: int) -> dict:
    """Drafts the queue `rounds` times in one process: the first on whatever index there is."""
    os.environ["CROSSSELL_HOME"] = home
    os.environ["CROSSSELL_LLM"] = backend
    from assistant.app.drafting import open_drafting
    from assistant.app.practice import Practice

    runs = []
    started = time.perf_counter()
    with open_drafting(Practice()) as drafting:
        opened = time.perf_counter() - started
        for _ in range(rounds):
            began = time.perf_counter()
            week = drafting.draft_week(date.fromisoformat(as_of), limit=queue)
            seconds = time.perf_counter() - began
            attempts = [a for d in week.drafts for a in d.attempts]
            model_calls = [a for a in attempts if a.drafter != "template"]
            runs.append(
                {
                    "seconds": round(seconds, 2),
                    "drafts": len(week.drafts),
                    "passed": sum(d.passed for d in week.drafts),
                    "by_template": sum(d.drafter == "template" for d in week.drafts),
                    "model_requests": len(model_calls),
                    "max_prompt_tokens": max((a.usage.prompt_tokens for a in model_calls), default=0),
                    "mean_prompt_tokens": round(
                        sum(a.usage.prompt_tokens for a in model_calls) / max(1, len(model_calls))
                    ),
                    "max_prompt_tokens_per_draft": max(
                        (d.usage.prompt_tokens for d in week.drafts), default=0
                    ),
                }
            )
        peak = getattr(drafting.model, "peak_in_flight", 0)
    return {
        "open_seconds": round(opened, 2),
        "runs": runs,
        "peak_in_flight": peak,
        "concurrency": drafting.settings.draft_concurrency,
        "peak_mb": round(_peak_mb()),
    }


PHASES = {"build": _build, "draft": _draft}


def _phase(name: str, *args) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--patients", type=int, default=1500, help="practice size; large enough for a 200-patient ready queue"
    )
    parser.add_argument("--queue", type=int, default=200, help="ready patients to draft")
    parser.add_argument(
        "--llm-queue", type=int, default=16, help="patients drafted through the local model (0 to skip)"
    )
    parser.add_argument("--as-of", default="2026-11-24")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, *rest = args.phase
        if name == "build":
            print(json.dumps(_build(rest[0], int(rest[1]), rest[2])))
        else:
            print(json.dumps(_draft(rest[0], rest[1], int(rest[2]), rest[3], int(rest[4]))))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="crosssell-draft-bench-"))
    home = workdir / "home"
    built = _phase("build", home, args.patients, args.as_of)
    print(
        f"practice: {built['patients']:,} patients, {built['events']:,} events, "
        f"{built['ready']} ready as of {args.as_of}",
        flush=True,
    )
    template = _phase("draft", home, args.as_of, args.queue, "none", 2)
    cold, warm = template["runs"]
    print(
        f"template, cold index (fresh process, empty store): {cold['seconds']:.1f} s for "
        f"{cold['drafts']} drafts ({cold['passed']} passed every guard); model load and store "
        f"open {template['open_seconds']:.1f} s before that",
        flush=True,
    )
    print(f"template, warm: {warm['seconds']:.1f} s; peak {template['peak_mb']} MB", flush=True)
    summary = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "practice": built,
        "template": template,
    }
    targets = {
        "cold < 60 s": cold["seconds"] + template["open_seconds"] < 60,
        "warm < 10 s": warm["seconds"] < 10,
    }
    if args.llm_queue:
        local = _phase("draft", home, args.as_of, args.llm_queue, "local", 1)
        run = local["runs"][0]
        print(
            f"local model: {run['drafts']} drafts, {run['model_requests']} requests in "
            f"{run['seconds']:.1f} s, peak {local['peak_in_flight']} in flight, prompt tokens "
            f"max {run['max_prompt_tokens']} / mean {run['mean_prompt_tokens']} per request, "
            f"{run['by_template']} fell back to the template",
            flush=True,
        )
        summary["local"] = local
        targets["8 requests in flight"] = local["peak_in_flight"] >= 8
        targets["<= 1,500 prompt tokens per request"] = run["max_prompt_tokens"] <= 1500
    (workdir / "results.json").write_text(json.dumps(summary, indent=2))
    for name, met in targets.items():
        print(f"{'met ' if met else 'MISSED'} {name}")
    print(f"results: {workdir / 'results.json'}")


if __name__ == "__main__":
    main()
