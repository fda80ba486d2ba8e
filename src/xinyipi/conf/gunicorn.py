"""gunicorn's configuration for ``make serve`` (and for the HTTP benchmark, which starts the server the same way).

``gunicorn -c python:xinyipi.conf.gunicorn xinyipi.wsgi`` with ``--bind HOST:PORT``. Workers: one per CPU core
unless ``XINYIPI_WEB_WORKERS`` says otherwise; sync workers, since a request is a short burst of database work.
Metrics of every worker are added up through prometheus-client's multiprocess mode (``ops.metrics``).
"""

import os
import shutil
from pathlib import Path

from xinyipi.conf import env

workers = int(env.get("XINYIPI_WEB_WORKERS") or os.cpu_count() or 1)
worker_class = "sync"
timeout = env.integer("XINYIPI_WEB_TIMEOUT")
graceful_timeout = 30
keepalive = 5
max_requests = env.integer("XINYIPI_WEB_MAX_REQUESTS")
max_requests_jitter = max_requests // 10
# The Django logging configuration writes the JSON request lines; gunicorn's own access log would repeat them.
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "xinyipi-web"

# The directory must exist, and be empty, before the first worker imports prometheus_client; the master
# sets it in its own environment, which every worker inherits.
_metrics_dir = env.get("PROMETHEUS_MULTIPROC_DIR") or str(env.BASE_DIR / "var" / "metrics")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, _metrics_dir)
