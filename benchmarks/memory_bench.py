"""Resident memory of a web worker under ``make serve``'s configuration: RSS after a warm-up, then after
10,000 more requests (pages, API reads, probes, metrics); the growth must stay under 10 %.

    .venv/bin/python benchmarks/memory_bench.py               # 10,000 requests
    .venv/bin/python benchmarks/memory_bench.py --scale 0.1   # bench-quick: 1,000
"""

import argparse
import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from doc import section_write  # noqa: E402

BEGIN, END = "<!-- memory_bench begin -->", "<!-- memory_bench end -->"
PATHS = [
    "/",
    "/integrity/",
    "/api/v1/matters",
    "/api/v1/calendar/working-days?from=2026-01-05&add=3",
    "/healthz",
    "/metrics",
]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 10,000 requests")
    args = parser.parse_args()
    total = int(10_000 * args.scale)
    work = Path(tempfile.mkdtemp(prefix="xinyipi-memory-"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINYIPI_") and k != "DATABASE_URL"}
    env.update(
        {
            "XINYIPI_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "XINYIPI_FIELD_KEY": "ab" * 32,
            "XINYIPI_HTTPS": "0",
            "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
            "XINYIPI_STATIC_ROOT": str(work / "static"),
            "XINYIPI_MEDIA_ROOT": str(work / "media"),
            "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
            "XINYIPI_WEB_WORKERS": "1",
            "XINYIPI_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT / "src"),
        }
    )
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    # The demo data refuses production; loaded in development mode into the same file (the matters and pages
    # read here hold no encrypted field).
    demo_env = {k: v for k, v in env.items() if k not in {"XINYIPI_ENV", "SECRET_KEY", "XINYIPI_FIELD_KEY"}}
    subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=demo_env, check=True, capture_output=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    gunicorn = Path(python).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "-c", "python:xinyipi.conf.gunicorn", "--bind", f"127.0.0.1:{port}", "xinyipi.wsgi"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(200):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            [worker] = _children(server.pid)
            for i in range(500):  # warm-up: imports, template and URL caches, connections
                client.get(PATHS[i % len(PATHS)])
            before = _rss_kib(worker)
            started = time.perf_counter()
            statuses: dict[int, int] = {}
            for i in range(total):
                status = client.get(PATHS[i % len(PATHS)]).status_code
                statuses[status] = statuses.get(status, 0) + 1
            seconds = time.perf_counter() - started
            after = _rss_kib(worker)
            assert _children(server.pid) == [worker], "the worker was replaced during the run"
    finally:
        server.terminate()
        server.wait(timeout=30)
    growth = (after - before) / before * 100
    routes = ", ".join("`" + path.split("?")[0] + "`" for path in PATHS)
    lines = [
        "",
        f"## Web worker memory — {dt.date.today().isoformat()}",
        "",
        f"One gunicorn sync worker (`src/xinyipi/conf/gunicorn.py`, no `max_requests`), demo data on SQLite; "
        f"{total:,} requests cycling over {routes} after 500 warm-up requests.",
        "",
        "| RSS after warm-up | RSS after the run | growth | requests/s (one client) | answers |",
        "|---|---|---|---|---|",
        f"| {before / 1024:.1f} MiB | {after / 1024:.1f} MiB | {growth:+.1f} % (goal < 10 %) | "
        f"{total / seconds:.0f} | {', '.join(f'{k}×{v}' for k, v in sorted(statuses.items()))} |",
        "",
        f"Measured by `benchmarks/memory_bench.py{'' if args.scale == 1 else f' --scale {args.scale:g}'}`.",
        "",
    ]
    print("\n".join(lines))
    section_write(BEGIN, END, lines)
    if growth >= 10:
        sys.exit(f"resident memory grew {growth:.1f} % (goal < 10 %)")


if __name__ == "__main__":
    main()
