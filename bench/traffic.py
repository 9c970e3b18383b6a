"""`make bench`, traffic: the same endpoints served with the traffic middlewares (client
address, IP rules, the batched request log) and without them, alternating in rounds.
Target (issue 7): >= 0.90 x the throughput without them."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: server, wrk and environment helpers

TARGET = 0.90
PATHS = [("bare JsonResponse", run.FLOOR), ("profile detail (REST)", "/api/v1/users/amara"), ("home page", "/")]


def start(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    run.PORT = port
    return run.start_server(env)


def rps(wrk: str, port: int, path: str, seconds: int = run.SECONDS) -> float:
    run.PORT = port
    return run.requests_per_second(wrk, path, seconds=seconds)


def main() -> int:
    wrk = run.ensure_wrk()
    env, column = run.bench_env()
    print(f"Traffic bench: {column}; middlewares on (port {run.PORT}) vs off (port {run.PORT + 1}).", flush=True)
    run.manage(env, "migrate", "--noinput")
    run.manage(env, "collectstatic", "--noinput")
    run.manage(env, "nexus_demo")
    on_port, off_port = run.PORT, run.PORT + 1
    on = start({**env, "NEXUS_TRAFFIC_LOG": "true"}, on_port)
    off = start({**env, "NEXUS_TRAFFIC_MIDDLEWARE": "false"}, off_port)
    failures = 0
    try:
        for _, path in PATHS:
            for port in (on_port, off_port):
                # A cold worker takes seconds on its first request (URL conf, schemas): one
                # patient request each before wrk, whose runs are too short to wait for it.
                run.PORT = port
                for _ in range(run.WORKERS * 2):
                    run.check(path)
                rps(wrk, port, path, seconds=2)
        print(f"{'endpoint':28} {'off rps':>9} {'on rps':>9} {'ratio':>7}  target")
        for name, path in PATHS:
            with_log, without = [], []
            for _ in range(run.ROUNDS):
                without.append(rps(wrk, off_port, path))
                with_log.append(rps(wrk, on_port, path))
            if not statistics.median(without):
                sys.exit(f"{path}: no requests answered without the middlewares; is port {off_port} serving?")
            ratio = statistics.median(with_log) / statistics.median(without)
            verdict = "ok" if ratio >= TARGET else "BELOW"
            failures += verdict != "ok"
            print(
                f"{name:28} {statistics.median(without):9.0f} {statistics.median(with_log):9.0f} {ratio:7.2f}  "
                f"{verdict} (>= {TARGET:.2f} x without the traffic middlewares)",
                flush=True,
            )
    finally:
        for server in (on, off):
            server.terminate()
            server.wait(timeout=10)
    return 1 if failures and os.environ.get("BENCH_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
