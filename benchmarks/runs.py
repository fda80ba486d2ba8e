"""What every benchmark reports alongside its figures: timing percentiles and the machine they were taken on."""

import datetime as dt
import os
import platform
import statistics
from pathlib import Path


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def pick(q):
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50_ms": pick(0.5), "p99_ms": pick(0.99), "max_ms": ordered[-1], "mean_ms": statistics.fmean(values)}


def machine() -> dict:
    """CPU, cores, memory, Python, system and the local date of the run, for the report's machine line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }
