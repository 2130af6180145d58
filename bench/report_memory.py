"""Peak memory and time of the post-crawl phase, replayed from a run's saved state file.

After a crawl, ``audit crawl`` runs the site rules over the whole crawl and
writes every table and report (``runner.write_results``). This script replays
exactly that from the ``.state.sqlite`` of a run (kept after an interrupted
run, or saved from a benchmark crawl), without crawling again:

    python bench/report_memory.py STATE.sqlite [--runs 2] [--out DIR] [--keep]

Each run is a fresh child process (so one run's heap does not inflate the
next). Runs write into the same site folder, so the second and later ones
are compared with the previous run (the diff, as in a scheduled audit). For
each run it prints the RSS when the phase starts, its peak (the kernel's
``VmHWM``, reset at the start of the phase, so nothing is missed between
samples), the RSS at the end and the wall time; then a timeline of the steps
(functions of the reporting layer, wrapped while the run lasts) with the RSS
before and after each one and the peak sampled while it ran.

The state file is copied to a temporary folder first: opening it writes (the
site findings are recomputed, indexes are built). Site rules read the page
facts and links from it, as in a crawl; the sitemap's URLs, which the state
does not keep, are taken to be the pages marked ``in_sitemap``.

A state file written before the store numbered its layout (page rows and
facts as JSON objects, ``PRAGMA user_version`` 0, such as the 100,000-page
state of 2026-11-21) is first re-recorded into the current layout through
``RunStore``'s own methods (about a minute for 100,000 pages and 4 million
links); a file of any other layout the current store refuses is reported.

To get the state file of a whole crawl, interrupt ``audit crawl`` (Ctrl-C)
once the crawl is over and the reports are being written: the run folder
keeps ``.state.sqlite`` (it is removed only when a run completes). The
100,000-page site is ``python bench/generate_site.py DIR --pages 100000``,
served by ``python bench/server.py DIR PORT`` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from audit.errors import AuditError
from audit.models import Finding, Severity

STEPS = (
    "audit.engine:Engine.check_site",
    "audit.reporting.run:pages_frame",
    "audit.reporting.run:write_pages",
    "audit.reporting.run:write_links",
    "audit.reporting.background:LinksTable.finish",
    "audit.reporting.run:write_findings",
    "audit.reporting.run:write_structured",
    "audit.reporting.run:read_table",
    "audit.reporting.run:write_table",
    "audit.reporting.run:diff_findings",
    "audit.reporting.run:_write_diff",
    "audit.reporting.run:finding_stats",
    "audit.reporting.run:summary_frame",
    "audit.reporting.run:release_memory",
    "audit.reporting.memory:release_memory",
    "audit.reporting.run:render_reports",
    "audit.reporting.xlsx:write_xlsx",
    "audit.reporting.html:write_html",
)
"""Functions timed one by one (``module:function`` or ``module:Class.method``); absent ones
are skipped, so the list can name the functions of older and newer versions."""
SAMPLE_SECONDS = 0.05


def rss_mb(field_name: str = "VmRSS") -> float:
    """A memory figure of this process from /proc/self/status, in MB (1 MB = 2**20 bytes)."""
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field_name} not in /proc/self/status (Linux only)")


def reset_peak() -> bool:
    """Reset the kernel's peak RSS (``VmHWM``) to the current RSS; False where not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Call:
    """One call of a wrapped function: when, how deep, and the memory around it."""

    name: str
    depth: int
    before: float
    started: float
    after: float = 0.0
    peak: float = 0.0
    seconds: float = 0.0


@dataclass
class Recorder:
    """Samples RSS in a thread and keeps the peak of every call that is running."""

    interval: float = SAMPLE_SECONDS
    calls: list[Call] = field(default_factory=list)
    running: list[Call] = field(default_factory=list)
    whole: Call | None = None
    """The whole phase, sampled too (its exact peak comes from ``VmHWM`` where allowed)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        """Start the sampling thread (a daemon: it dies with the process)."""
        threading.Thread(target=self._sample, daemon=True).start()

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._note(rss_mb())

    def _note(self, rss: float) -> None:
        with self._lock:
            for call in (*self.running, *([self.whole] if self.whole else [])):
                call.peak = max(call.peak, rss)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` recording each of its calls under ``name``."""

        @functools.wraps(function)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            before = rss_mb()
            call = Call(name, len(self.running), before, time.perf_counter(), peak=before)
            with self._lock:
                self.calls.append(call)
                self.running.append(call)
            try:
                return function(*args, **kwargs)
            finally:
                call.seconds = time.perf_counter() - call.started
                call.after = rss_mb()
                self._note(call.after)
                with self._lock:
                    self.running.remove(call)

        return recorded

    @contextmanager
    def wrapped(self, steps: tuple[str, ...]) -> Iterator[list[str]]:
        """Wrap every step that exists while the block runs; yields the names wrapped."""
        undo: list[tuple[object, str, Any]] = []
        found = []
        for step in steps:
            module_name, _, path = step.partition(":")
            owner: Any = importlib.import_module(module_name)
            *parents, attribute = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent, None)
            original = getattr(owner, attribute, None) if owner is not None else None
            if original is None:
                continue
            undo.append((owner, attribute, original))
            setattr(owner, attribute, self.wrap(path, original))
            found.append(path)
        try:
            yield found
        finally:
            for owner, attribute, original in reversed(undo):
                setattr(owner, attribute, original)


def replay(state: Path, out_dir: Path) -> None:
    """One post-crawl phase from ``state`` into ``out_dir``, with the figures on stdout."""
    from audit.config import load_config
    from audit.crawl.crawler import CrawlResult
    from audit.crawl.sitemaps import SitemapReport
    from audit.engine import Engine, plan_rules
    from audit.reporting import create_run_dir
    from audit.runner import write_results
    from audit.store import RunStore

    store = RunStore(state)
    pages, entries = store.crawl_state()
    del entries  # the crawl is over: the runner no longer holds its frontier
    if not pages:
        sys.exit(f"{state}: no pages recorded")
    store.forget_site_findings()  # recomputed below, as `audit crawl --resume` does
    origin = "/".join(pages[0].url.split("/")[:3])
    sitemap = f"{origin}/sitemap.xml"
    now = datetime.now(UTC)
    result = CrawlResult(
        pages=pages,
        sitemaps=SitemapReport(urls={page.url: sitemap for page in pages if page.in_sitemap}),
        robots=[],
        started_at=now,
        finished_at=now,
    )
    config = load_config(None, {"site.start_urls": [f"{origin}/"], "report.out_dir": out_dir})
    engine = Engine(plan_rules(config.rules))
    run_dir = create_run_dir(out_dir, config.site_name, datetime.now(UTC))
    recorder = Recorder()
    with recorder.wrapped(STEPS) as found:
        recorder.start()
        exact = reset_peak()
        started = time.perf_counter()
        phase = recorder.whole = Call("post-crawl phase", 0, rss_mb(), started, peak=rss_mb())
        written = write_results(run_dir, config=config, result=result, store=store, engine=engine)
        phase.seconds = time.perf_counter() - started
        phase.after = rss_mb()
        recorder.stop()
    store.close()
    phase.peak = rss_mb("VmHWM") if exact else max(phase.peak, phase.after)
    previous = written.previous_run.name if written.previous_run else "none"
    print(f"\n## {run_dir.name}: {len(pages):,} URLs, previous run: {previous}")
    print(f"findings by severity {written.severities}, changes {written.changes}\n")
    print_timeline(phase, recorder.calls, exact=exact)
    print("\nsteps timed: " + ", ".join(found))
    sizes = sorted((path.stat().st_size, path.name) for path in run_dir.iterdir())
    print("files: " + ", ".join(f"{name} {size / 2**20:.1f} MB" for size, name in sizes))


def print_timeline(phase: Call, calls: list[Call], *, exact: bool) -> None:
    """The phase's figures, then one Markdown table row per step call."""
    how = "VmHWM" if exact else "sampled"
    print(
        f"post-crawl phase: {phase.seconds:.1f} s; RSS {phase.before:.0f} MB at the start, "
        f"peak {phase.peak:.0f} MB ({how}), {phase.after:.0f} MB at the end"
    )
    print(
        f"\n| step | s | RSS before | RSS after | peak during (sampled every {SAMPLE_SECONDS} s) |"
    )
    print("|---|---:|---:|---:|---:|")
    for call in calls:
        label = "&nbsp;&nbsp;" * call.depth + call.name
        peak = max(call.peak, call.after)
        print(
            f"| {label} | {call.seconds:.1f} | {call.before:.0f} | {call.after:.0f} | {peak:.0f} |"
        )


def prepare_state(source: Path, copy: Path) -> None:
    """Copy ``source`` to ``copy`` in the current store layout (re-recorded when it is older)."""
    from audit.store import RunStore

    for suffix in ("", "-wal"):
        found = source.with_name(source.name + suffix)
        if found.exists():
            shutil.copyfile(found, copy.with_name(copy.name + suffix))
    try:
        RunStore(copy).close()
    except sqlite3.DatabaseError as error:
        sys.exit(f"{source}: not a state file ({error})")
    except AuditError as refused:
        if not _pre_format(copy):
            sys.exit(f"{source}: cannot be replayed by this version ({refused})")
        legacy = copy.with_name("legacy-" + copy.name)
        for suffix in ("", "-wal"):
            if copy.with_name(copy.name + suffix).exists():
                copy.with_name(copy.name + suffix).replace(legacy.with_name(legacy.name + suffix))
        started = time.perf_counter()
        convert_pre_format(legacy, copy)
        seconds = time.perf_counter() - started
        print(f"re-recorded {source.name} in the current layout ({seconds:.0f} s)", flush=True)
        for suffix in ("", "-wal", "-shm"):
            legacy.with_name(legacy.name + suffix).unlink(missing_ok=True)


def _pre_format(path: Path) -> bool:
    """True for a state file of the first layout: no format number, facts as JSON objects."""
    db = sqlite3.connect(path)
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        columns = {row[1] for row in db.execute("PRAGMA table_info(facts)")}
    finally:
        db.close()
    return version == 0 and "data" in columns


def convert_pre_format(legacy: Path, target: Path) -> None:
    """Re-record every row of a first-layout state file with the current ``RunStore``."""
    from audit.crawl.frontier import Entry, Source
    from audit.models import ErrorKind, Hop, PageSummary, StructuredRow
    from audit.site import EntityMention, LinkRow, PageFacts
    from audit.store import RunStore

    old = sqlite3.connect(legacy)
    store = RunStore(target)
    try:
        for (data,) in old.execute("SELECT data FROM pages ORDER BY rowid"):
            row = json.loads(data)
            row["redirect_chain"] = tuple(Hop(**hop) for hop in row["redirect_chain"])
            if row.get("error_kind") is not None:
                row["error_kind"] = ErrorKind(row["error_kind"])
            store.recorded(PageSummary(**row))
        query = "SELECT url, depth, found_on, source, taken FROM frontier ORDER BY rowid"
        for url, depth, found_on, source, taken in old.execute(query):
            store.queued(Entry(url, depth, found_on, Source(source), taken=bool(taken)))
        for data, depth in old.execute("SELECT data, depth FROM facts ORDER BY rowid"):
            facts = json.loads(data)
            facts["hreflang"] = tuple(tuple(pair) for pair in facts["hreflang"])
            facts["entities"] = tuple(
                EntityMention(key, name, tuple(types), url, logo, tuple(same_as), where)
                for key, name, types, url, logo, same_as, where in facts["entities"]
            )
            store.add_facts(PageFacts(**facts), depth)
        query = (
            "SELECT rule, code, severity, category, url, message, evidence, selector, fix, site"
            " FROM findings ORDER BY rowid"
        )
        for site, group in itertools.groupby(old.execute(query), key=lambda row: bool(row[-1])):
            store.add_findings(map(_legacy_finding, group), site=site)
        names = [column[1] for column in old.execute("PRAGMA table_info(structured)")]
        rows = old.execute("SELECT * FROM structured ORDER BY rowid")
        store.add_structured(StructuredRow(**dict(zip(names, row, strict=True))) for row in rows)
        links = old.execute(
            "SELECT source, target, anchor, rel, nofollow FROM links ORDER BY rowid"
        )
        store.add(LinkRow(a, b, c, d, bool(e)) for a, b, c, d, e in links)
    finally:
        store.close()
        old.close()


def _legacy_finding(row: tuple[Any, ...]) -> Finding:
    rule, code, level, category, url, message, evidence, selector, fix, _site = row
    return Finding(
        rule=rule,
        code=code,
        severity=Severity(level),
        category=category,
        url=url,
        message=message,
        evidence=evidence,
        selector=selector,
        fix=fix,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("state", type=Path, help="a run's .state.sqlite")
    parser.add_argument("--runs", type=int, default=2, help="replays (2nd+ get a diff)")
    parser.add_argument("--out", type=Path, help="reports folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one replay, in a process of its own; the state is already a copy
        replay(args.state, args.out)
        return
    if not args.state.is_file():
        sys.exit(f"{args.state}: no such state file")
    work = Path(tempfile.mkdtemp(prefix="report-memory-"))
    try:
        copy = work / "state.sqlite"
        prepare_state(args.state, copy)
        out_dir = args.out or work / "reports"
        for _ in range(args.runs):
            command = [sys.executable, __file__, str(copy), "--out", str(out_dir), "--child"]
            subprocess.run(command, check=True)
    finally:
        if args.keep:
            print(f"\nkept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
