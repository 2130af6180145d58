"""How long `audit check page.html` takes, interpreter start included.

Runs the installed console script N times on one saved page (the generated
site's home page by default, else the bundled demo page) and prints the wall
time: the first run (cold cache: the schema.org index is built and cached) and
the median, p90 and best of the rest. Also prints the biggest imports
(``python -X importtime``), since start-up is most of a spot check.

    python bench/check_latency.py [--runs 15] [PAGE]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from environment import BENCH

DEMO_PAGE = BENCH.parent / "tests" / "sites" / "seedclinic" / "index.html"


def timed_run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def biggest_imports(page: Path, env: dict[str, str], top: int) -> list[tuple[int, str]]:
    """(cumulative µs, module) of the slowest top-level imports of one spot check."""
    command = [sys.executable, "-X", "importtime", "-c", "from audit.cli import main; main()"]
    done = subprocess.run(
        [*command, "check", str(page)], env=env, capture_output=True, text=True, check=False
    )
    found = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            found.append((int(parts[1]), parts[2].strip()))
    return sorted(found, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", nargs="?", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    page = args.page or next(
        (p for p in (BENCH / ".sites" / "1000" / "index.html", DEMO_PAGE) if p.exists()), None
    )
    script = shutil.which("audit") or sys.exit("the audit console script is not installed")
    if page is None:
        sys.exit("no page to check: pass one")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "AUDIT_CACHE_DIR": cache}
        command = [script, "check", str(page)]
        cold = timed_run(command, env)
        warm = sorted(timed_run(command, env) for _ in range(args.runs))
        imports = biggest_imports(page, env, top=8)
    print(f"`audit check {page.name}` ({page.stat().st_size / 1024:.0f} KB), {args.runs} runs\n")
    print("| run | wall s |\n|---|---:|")
    print(f"| first (empty cache) | {cold:.3f} |")
    print(f"| median | {statistics.median(warm):.3f} |")
    print(f"| p90 | {warm[int(0.9 * (len(warm) - 1))]:.3f} |")
    print(f"| best | {warm[0]:.3f} |")
    print("\nSlowest top-level imports (cumulative):\n")
    for micros, module in imports:
        print(f"- {module}: {micros / 1000:.0f} ms")


if __name__ == "__main__":
    main()
