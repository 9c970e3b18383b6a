"""`make bench`: requests/s of Nexus endpoints against a bare Django floor, in one run.

Starts gunicorn with production settings (PostgreSQL and Redis when they answer, else the
embedded default), then measures with wrk, alternating the floor (a bare JsonResponse
view served by the same processes) and each endpoint in rounds, so a noisy neighbour
slows both sides alike. Prints the median requests/s of each and the ratio against the
floor, next to the target from DESIGN.md section 6.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nexus.web.demo import DEMO_PASSWORD  # noqa: E402
from tools.services_probe import answers  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8799"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nexus_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

FLOOR = "/_bench/floor"
THREAD_PAGE = "/h/amara/caching-strategies/"
TOKEN: dict[str, str] = {}
GRAPHQL_LIST = urllib.parse.quote(
    "{ entries(limit: 20) { id title kind author { username profile { displayName } } topics { slug } "
    "technologies { slug } tags } }"
)
# (name, path, target ratio against the floor, what the target means); {entry} is a demo
# entry's id, {entry_url} the path of its page
ENDPOINTS = [
    ("profile detail (REST, uncached)", "/api/v1/users/amara", 0.40, "issue 2: >= 0.40 x floor on PostgreSQL"),
    ("member list, 20 (REST)", "/api/v1/users?page_size=20", 0.30, ">= 0.30 x floor"),
    ("profile page (HTML)", "/u/amara/", 0.25, ">= 0.25 x floor"),
    ("entry detail (REST, anonymous, cached)", "/api/v1/entries/{entry}", 0.60, "P1: >= 0.60 x floor"),
    # "signed-in:" requests carry a JWT, so they never read the anonymous readers' cache
    # (a signed-in entry detail is never cached; a member's lists are cached for them alone).
    ("entry detail (REST, signed in)", "signed-in:/api/v1/entries/{entry}", 0.40, "P2: >= 0.40 x floor"),
    ("entry list, 20 (REST, anonymous)", "/api/v1/entries?page_size=20", 0.30, "P3: >= 0.30 x floor"),
    ("entry list, 20 (REST, signed in)", "signed-in:/api/v1/entries?page_size=20", 0.30, "P3, the member's cache"),
    # "fresh:" gives every request a URL of its own (an ignored parameter), so each is a
    # cache miss: the list computed, as GraphQL computes it. No target of its own.
    ("entry list, 20 (REST, signed in, miss)", "signed-in:fresh:/api/v1/entries?page_size=20", 0.0, "G1's REST side"),
    # G1's own target (>= 0.5 x the REST list, both computed) is printed on a line of its own.
    ("entry list, 20 (GraphQL, nested)", f"/graphql/?query={GRAPHQL_LIST}", 0.15, ">= 0.15 x floor"),
    # {entry_url} is the same entry's page; anonymous pages are rendered per request.
    ("entry page (HTML, anonymous)", "{entry_url}", 0.25, "P4: >= 0.25 x floor"),
    # A discussion of 200 comments (community_bench_thread below) under a demo entry.
    ("entry page, 200 comments (anonymous)", THREAD_PAGE, 0.30, "issue 6: within P3, >= 0.30 x floor"),
]


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk from Debian's packages ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        path = shutil.which("wrk")
    if not path:
        sys.exit("make bench needs wrk (Debian: apt-get install wrk).")
    return path


def bench_env() -> tuple[dict[str, str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_"))}
    env.update(
        NEXUS_ENV="production",
        DJANGO_SETTINGS_MODULE="nexus.settings.base",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        NEXUS_BENCH_ENDPOINTS="1",
        NEXUS_VAR_DIR=tempfile.mkdtemp(prefix="nexus-bench-"),
        # The limits protect production; here they would cap the very thing measured.
        THROTTLE_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    column = "embedded default (SQLite, local memory)"
    if answers(PG_URL) and answers(REDIS_URL):
        env.update(DATABASE_URL=PG_URL, REDIS_URL=REDIS_URL)
        column = "PostgreSQL + Redis"
        create_database(PG_URL)
    return env, column


def create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_server(env: dict[str, str]) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "nexus.wsgi:application", "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start within 30 s")


def split_auth(path: str) -> tuple[str, dict[str, str]]:
    headers = {}
    if path.startswith("signed-in:"):
        path, headers = path.removeprefix("signed-in:"), {"Authorization": f"Bearer {TOKEN['access']}"}
    return path.removeprefix("fresh:"), headers


# wrk sends each request with the run's start and a counter in its query string, so no URL
# of an earlier round (still cached) comes back.
FRESH_SCRIPT = """local run = os.time()
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "&fresh=" .. run .. "-" .. counter)
end
"""


def check(path: str) -> None:
    path, headers = split_auth(path)
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers=headers)
    # Generous: a worker imports the URL conf and builds the GraphQL schema on its first request.
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        if response.status != 200:
            sys.exit(f"{path} answered {response.status}")


def demo_token() -> str:
    """An access token of a demo learner, for the signed-in rows."""
    body = json.dumps({"username": "amara", "password": DEMO_PASSWORD}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return str(json.load(response)["access"])


def demo_entry() -> tuple[int, str]:
    """The id and page path of the newest public demo entry."""
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/entries?page_size=1", timeout=60) as response:
        entry = json.load(response)["results"][0]
        return int(entry["id"]), str(entry["url"])


def requests_per_second(wrk: str, path: str, seconds: int = SECONDS) -> float:
    fresh = "fresh:" in path
    path, headers = split_auth(path)
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    if fresh:
        script = Path(tempfile.gettempdir()) / "nexus-bench-fresh.lua"
        script.write_text(FRESH_SCRIPT)
        header_args += ["-s", str(script)]
    result = subprocess.run(
        [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", *header_args, f"http://127.0.0.1:{PORT}{path}"],
        capture_output=True,
        text=True,
        check=True,
    )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        sys.exit(f"{path}: {errors.group(1)} error responses during the run:\n{result.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if not match:
        sys.exit(f"could not read wrk's output:\n{result.stdout}")
    return float(match.group(1))


def main() -> int:
    wrk = ensure_wrk()
    env, column = bench_env()
    print(f"Nexus bench: {column}; gunicorn {WORKERS} sync workers; wrk 1 thread, {CONNECTIONS} connections;")
    print(f"{ROUNDS} alternating rounds of {SECONDS}s per endpoint, medians reported.\n", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "nexus_demo")
    manage(env, "community_bench_thread", "amara", "caching-strategies", "--comments", "200")
    server = start_server(env)
    try:
        entry, entry_url = demo_entry()
        TOKEN["access"] = demo_token()
        # BENCH_ONLY=text measures only the rows whose name contains it (each still against
        # the floor, in the same run).
        only = os.environ.get("BENCH_ONLY", "")
        endpoints = [
            (name, path.replace("{entry}", str(entry)).replace("{entry_url}", entry_url), target, meaning)
            for name, path, target, meaning in ENDPOINTS
            if only in name
        ]
        for _, path, _, _ in [("floor", FLOOR, 0, ""), *endpoints]:
            check(path)
            requests_per_second(wrk, path, seconds=2)  # warm-up: connections, imports, caches
        failures = 0
        measured: dict[str, float] = {}
        print(f"{'endpoint':44} {'floor rps':>10} {'rps':>10} {'ratio':>7}  target")
        for name, path, target, meaning in endpoints:
            floor_runs, runs = [], []
            for _ in range(ROUNDS):
                floor_runs.append(requests_per_second(wrk, FLOOR))
                runs.append(requests_per_second(wrk, path))
            floor, rps = statistics.median(floor_runs), statistics.median(runs)
            ratio = rps / floor
            verdict = "ok" if ratio >= target else "BELOW"
            failures += verdict != "ok"
            print(f"{name:44} {floor:10.0f} {rps:10.0f} {ratio:7.2f}  {verdict} ({meaning})", flush=True)
            measured[name] = rps
        graphql, rest = "entry list, 20 (GraphQL, nested)", "entry list, 20 (REST, signed in, miss)"
        if graphql in measured and rest in measured:
            g1 = measured[graphql] / measured[rest]
            failures += g1 < 0.5
            verdict = "ok" if g1 >= 0.5 else "BELOW"
            print(f"{'G1: GraphQL list / REST list, both computed':44} {'':10} {'':10} {g1:7.2f}  {verdict} (>= 0.50)")
        return 1 if failures and os.environ.get("BENCH_STRICT") == "1" else 0
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
