"""The one command: generate the site, serve it, run every contender, print and save the table.

    python bench/run.py --pages 5000                  # everything (advertools takes minutes)
    python bench/run.py --pages 1000 --skip advertools
    python bench/run.py --pages 5000 --only audit,ceiling --write-results

Contenders (keys for --only/--skip): fetch-aiohttp, fetch-httpx, ceiling, audit,
advertools, wget. Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from contenders import CONTENDERS, Contender, Job, available
from environment import BENCH, ensure_bench_deps, machine, peers_python, versions
from generate_site import ensure_site, read_marker
from measure import machine_busy_seconds, run_measured
from report import Row, markdown, ratios, write_json, write_results_md
from server import Served, free_port, serve


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="site size (default 5000)")
    parser.add_argument("--concurrency", type=int, default=32, help="for every contender")
    parser.add_argument("--only", default="", help="comma-separated contender keys")
    parser.add_argument("--skip", default="", help="comma-separated contender keys")
    parser.add_argument("--port", type=int, default=18765, help="preferred loopback port")
    parser.add_argument("--sites", type=Path, default=BENCH / ".sites", help="where sites live")
    parser.add_argument("--python-server", action="store_true", help="skip nginx (fallback)")
    parser.add_argument("--write-results", action="store_true", help="add to bench/RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the contenders' outputs")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=20.0,
        help="before each contender, wait up to this many seconds for other jobs to calm down",
    )
    return parser.parse_args()


def selected(args: argparse.Namespace) -> list[Contender]:
    only = {key for key in args.only.split(",") if key}
    skip = {key for key in args.skip.split(",") if key}
    known = {contender.key for contender in CONTENDERS}
    if unknown := (only | skip) - known:
        sys.exit(f"unknown contender(s): {', '.join(sorted(unknown))}; known: {sorted(known)}")
    chosen = [c for c in CONTENDERS if (not only or c.key in only) and c.key not in skip]
    return [c for c in chosen if available(c) or c.key in only]


def prepare_site(sites: Path, pages: int, preferred_port: int) -> tuple[Path, int]:
    """The generated site for ``pages`` and the free port it was generated for.

    Pages carry absolute URLs (canonical, og:url, JSON-LD), so the site is
    regenerated when the preferred port is taken and another one is used.
    """
    port = free_port(preferred_port)
    if port != preferred_port:
        print(f"port {preferred_port} is taken: using {port}", file=sys.stderr)
    site = sites / str(pages)
    ensure_site(site, pages, f"http://127.0.0.1:{port}")
    return site, port


def warm_up(served: Served) -> None:
    """Fetch every page once, unmeasured: page cache and nginx's open-file cache get warm."""
    script = str(BENCH / "fetch_loops.py")
    subprocess.run(
        [sys.executable, script, "fetch", served.base_url + "/"], check=True, capture_output=True
    )


def wait_quiet(max_wait: float, threshold: float = 0.3) -> float:
    """Wait (up to ``max_wait`` s) until other processes use < ``threshold`` cores; return it."""
    deadline = time.monotonic() + max_wait
    while True:
        before = machine_busy_seconds()
        time.sleep(1.0)
        load = machine_busy_seconds() - before
        if load < threshold or time.monotonic() >= deadline:
            return load


def run_one(contender: Contender, job: Job, served: Served) -> Row:
    plan = contender.plan(job)
    usage = run_measured(plan.command, env=plan.env, server_pid=served.pid)
    pages = plan.count(usage)
    if usage.returncode not in (0, 8) or not pages:  # wget exits 8 after a 404
        print(
            f"  {contender.key} exited {usage.returncode}:\n{usage.stderr[-2000:]}", file=sys.stderr
        )
    row = Row(
        key=contender.key,
        label=contender.label,
        pages=pages,
        wall_s=round(usage.wall_s, 3),
        cpu_s=round(usage.cpu_s, 3),
        max_rss_mb=round(usage.max_rss_mb, 1),
        tree_rss_mb=round(usage.tree_rss_mb, 1),
        server_cpu_s=round(usage.server_cpu_s, 3),
        other_cpu_s=round(usage.other_cpu_s, 3),
        returncode=0 if contender.key == "wget" and usage.returncode == 8 else usage.returncode,
        note=plan.note,
    )
    print(
        f"  {contender.key}: {row.pages} pages in {row.wall_s:.1f} s = {row.pages_per_s:.0f}/s, "
        f"{row.cpu_ms_per_page:.2f} CPU ms/page, {row.max_rss_mb:.0f} MB",
        file=sys.stderr,
    )
    return row


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so the server is stopped and the work folder removed


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    args = parse_args()
    contenders = selected(args)
    ensure_bench_deps()
    if any(c.key == "advertools" for c in contenders):
        peers_python()
    site, port = prepare_site(args.sites, args.pages, args.port)
    marker = read_marker(site) or {}
    started = datetime.now(UTC)
    rows: list[Row] = []
    work_root = BENCH / ".runs"
    work_root.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=started.strftime("%Y%m%dT%H%M%S-"), dir=work_root))
    try:
        with serve(site, port, use_nginx=not args.python_server) as served:
            print(f"{served.server} serving {site} at {served.base_url}/", file=sys.stderr)
            warm_up(served)
            for contender in contenders:
                if args.quiet_wait and (load := wait_quiet(args.quiet_wait)) >= 0.3:
                    print(f"  machine busy ({load:.1f} cores used by others)", file=sys.stderr)
                workdir = work / contender.key
                workdir.mkdir()
                job = Job(served.base_url, args.pages, args.concurrency, workdir)
                rows.append(run_one(contender, job, served))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    meta = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "pages": args.pages,
        "avg_page_kb": marker.get("html_bytes", 0) / max(args.pages, 1) / 1024,
        "site_generator": marker.get("version"),
        "server": served.server,
        "concurrency": args.concurrency,
        "machine": machine(),
        "versions": versions(),
        "ratios": ratios(rows),
    }
    table = markdown(rows, meta)
    print(table)
    result = BENCH / "results" / f"{started:%Y-%m-%d-%H%M}-{args.pages}.json"
    write_json(result, rows, meta)
    print(f"wrote {result.relative_to(BENCH.parent)}", file=sys.stderr)
    if args.write_results:
        write_results_md(BENCH / "RESULTS.md", table, meta)
        print("added a section to bench/RESULTS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
