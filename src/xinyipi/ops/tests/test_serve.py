"""``make serve``: gunicorn on a free port answers /healthz and serves a hashed static file for a year."""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from xinyipi.conf import env

ROOT = Path(__file__).resolve().parents[4]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_serve_answers_healthz_and_serves_static_files_with_a_far_future_cache(tmp_path):
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if k not in {v.name for v in env.VARIABLES}}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.update(
        {
            "XINYIPI_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "XINYIPI_FIELD_KEY": "ab" * 32,
            "XINYIPI_HTTPS": "0",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "XINYIPI_STATIC_ROOT": str(tmp_path / "static"),
            "XINYIPI_MEDIA_ROOT": str(tmp_path / "media"),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "XINYIPI_WEB_WORKERS": "2",
        }
    )
    # The test runs in an installed environment: serve with its interpreter, without reinstalling.
    command = ["make", "-o", "install", "serve", f"BIN={Path(sys.executable).parent}", f"PORT={port}"]
    server = subprocess.Popen(command, cwd=ROOT, env=clean, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health is not None, server.stdout.read().decode(errors="replace")[-3000:]
        assert health.status_code == 200 and health.json() == {"status": "ok", "database": "ok"}
        assert health.headers["Server"].startswith("gunicorn")

        hashed = next(p for p in (tmp_path / "static" / "css").iterdir() if re.search(r"\.[0-9a-f]{12}\.css$", p.name))
        static = httpx.get(f"{base}/static/css/{hashed.name}", headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200
        assert "immutable" in static.headers["Cache-Control"]
        assert int(re.search(r"max-age=(\d+)", static.headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
        assert static.headers.get("Content-Encoding") == "gzip"
    finally:
        server.terminate()
        server.wait(timeout=30)
