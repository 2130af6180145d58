"""Run the ``audit check`` path over a corpus of real pages; report crashes and timings.

Usage::

    python scripts/check_corpus.py [PATH ...] [--subprocess] [--jobs N] [--slowest N] [--quiet]

Without PATH it reads ``../shared/corpora/`` (extruct's samples and schema.org's
examples), ``../shared/seeds/`` and ``tests/sites/``, in place: nothing is copied
into the repository. What each file becomes:

- ``*.html``, ``*.htm``, ``*.xhtml`` and plain ``*.txt``: checked as they are,
  as ``audit check FILE`` reads any file;
- a schema.org examples file (``schemaorg-all-examples.txt``: ``TYPES: #eg-…``
  then ``PRE-MARKUP:``, ``MICRODATA:``, ``RDFA:`` and ``JSON:`` sections): one
  page per non-empty section, each wrapped in a minimal HTML document;
- ``*.json`` and ``*.jsonld`` (extruct's expected outputs, real JSON-LD shapes):
  wrapped in a ``<script type="application/ld+json">`` page.

The pages made from embedded markup are written to a temporary folder that is
removed at the end. Each page goes through what ``audit check FILE --json``
does: ``decode_html`` on the bytes, a :class:`~audit.page.Page` with the file's
URI, every page rule through the engine, the findings serialised as JSON. In
process (the default) the engine is planned once, so the time per file is the
page's own cost. ``--subprocess`` runs the real command per file instead
(``python -m audit check FILE --json``, ``--jobs`` at a time), start-up included.

A crash is an exception, a ``rule-crashed`` finding (the engine turns a rule's
exception into one; its traceback is captured from the engine's log), or, in a
subprocess, an exit status other than 0 or 1 or a traceback on stderr. The
report gives one line per file (ok or CRASH, milliseconds, findings), then the
totals: files, crashes, p50/p95/max milliseconds and the slowest files. The exit
status is 1 when anything crashed, else 0.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import logging
import math
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_PATHS = (SHARED / "corpora", SHARED / "seeds", ROOT / "tests" / "sites")
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSON_SUFFIXES = frozenset({".json", ".jsonld"})
# schema.org's examples file: "TYPES: #eg-0382 mainEntity" starts an example.
_EXAMPLE = re.compile(r"^TYPES:\s*#(eg-\d+)", re.MULTILINE)
_SECTION = re.compile(r"^(PRE-MARKUP|MICRODATA|RDFA|JSON):[ \t]*$", re.MULTILINE)
_RULE_CRASHED = "rule-crashed"


@dataclass(frozen=True, slots=True)
class Target:
    """One page to check: a file to read, and the name to report it under."""

    name: str
    path: Path


@dataclass(frozen=True, slots=True)
class Outcome:
    """What checking one target gave."""

    target: Target
    ms: float
    findings: int = 0
    crash: str | None = None
    extraction_problems: int = 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: corpora)")
    parser.add_argument("--subprocess", action="store_true", help="run `audit check` per file")
    parser.add_argument("--jobs", type=int, default=2, help="parallel subprocesses (default 2)")
    parser.add_argument("--slowest", type=int, default=10, help="slow files to list (default 10)")
    parser.add_argument("--quiet", action="store_true", help="print crashes and the summary only")
    args = parser.parse_args(argv)
    # Absolute, since --subprocess runs the command in another folder.
    paths = tuple(path.resolve() for path in args.paths) or DEFAULT_PATHS
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        print(f"check_corpus: not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="check-corpus-") as scratch:
        targets, skipped = collect(paths, Path(scratch))
        run = (
            run_subprocess(targets, args.jobs, Path(scratch))
            if args.subprocess
            else run_in_process(targets)
        )
        outcomes = []
        for outcome in run:
            outcomes.append(outcome)
            if not args.quiet or outcome.crash:
                print(describe(outcome), flush=True)
    print_summary(outcomes, skipped, args.slowest)
    return 1 if any(outcome.crash for outcome in outcomes) else 0


# --- what to check ----------------------------------------------------------------------


def collect(paths: Sequence[Path], scratch: Path) -> tuple[list[Target], int]:
    """Every page under ``paths``; pages made from embedded markup go to ``scratch``."""
    targets: list[Target] = []
    skipped = 0
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in files:
            made = list(pages_of(path, root, scratch))
            targets.extend(made)
            skipped += not made
    return targets, skipped


def pages_of(path: Path, root: Path, scratch: Path) -> Iterator[Target]:
    """The pages one corpus file stands for (none for robots.txt, sitemaps, licences, …)."""
    name = str(path.relative_to(root.parent)) if path != root else path.name
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        yield Target(name, path)
    elif suffix in JSON_SUFFIXES:
        script = f'<script type="application/ld+json">\n{_read(path)}\n</script>'
        yield _made(scratch, name, f"{path.name} as JSON-LD", script)
    elif suffix == ".txt" and path.name != "robots.txt":
        text = _read(path)
        if _EXAMPLE.search(text) and _SECTION.search(text):
            for example, section, markup in schemaorg_sections(text):
                title = f"schema.org {example} {section.lower()}"
                yield _made(scratch, f"{name}#{example}/{section.lower()}", title, markup)
        else:
            yield Target(name, path)


def schemaorg_sections(text: str) -> Iterator[tuple[str, str, str]]:
    """``(example id, section, markup)`` for each non-empty section of schema.org's examples."""
    starts = list(_EXAMPLE.finditer(text))
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        body = text[start.end() : end]
        sections = list(_SECTION.finditer(body))
        for number, section in enumerate(sections):
            stop = sections[number + 1].start() if number + 1 < len(sections) else len(body)
            markup = body[section.end() : stop].strip()
            if markup and markup.rstrip(".").upper() != "TODO":
                yield start.group(1), section.group(1), markup


def _made(scratch: Path, name: str, title: str, body: str) -> Target:
    path = scratch / f"{hashlib.sha1(name.encode()).hexdigest()[:16]}.html"
    path.write_text(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n",
        encoding="utf-8",
    )
    return Target(name, path)


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


# --- running ----------------------------------------------------------------------------


class _CrashLog(logging.Handler):
    """Keeps the tracebacks the engine logs when it turns a rule's exception into a finding."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


def run_in_process(targets: Sequence[Target]) -> Iterator[Outcome]:
    """What ``audit check FILE --json`` does (see audit.spotcheck), with one engine for all."""
    from audit.config import load_config
    from audit.crawl.decoding import decode_html
    from audit.engine import Engine, plan_rules
    from audit.page import Page
    from audit.structured.vocabulary import configure_vocabulary

    config = load_config(None)
    configure_vocabulary(config.structured.vocabulary)
    engine = Engine(plan_rules(config.rules))
    crash_log = _CrashLog()
    engine_log = logging.getLogger("audit.engine")
    engine_log.addHandler(crash_log)
    engine_log.setLevel(logging.DEBUG)
    engine_log.propagate = False
    # Warm up: the first page with microdata or RDFa imports extruct, lxml and rdflib
    # (~0.3 s), which is start-up, not that page's cost.
    warm_up = '<div itemscope itemtype="https://schema.org/Thing" vocab="https://schema.org/">'
    engine.check_page(Page("file:///warm-up.html", warm_up + "<p property=name>x</p></div>"))
    for target in targets:
        crash_log.records.clear()
        start = time.perf_counter()
        try:
            text, _ = decode_html(target.path.read_bytes(), None)
            page = Page(target.path.resolve().as_uri(), text, {})
            findings = engine.check_page(page)
            payload = [
                {key: str(getattr(f, key)) for key in ("url", "rule", "code", "severity")}
                | {"message": f.message, "evidence": f.evidence, "selector": f.selector}
                for f in findings
            ]
            # What --json prints, encoded as stdout would encode it (strict UTF-8).
            json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
        except Exception as exc:
            ms = (time.perf_counter() - start) * 1000
            yield Outcome(target, ms, crash=summarize_exception(exc))
            continue
        ms = (time.perf_counter() - start) * 1000
        crashed = [f for f in findings if f.rule == _RULE_CRASHED]
        crash = None
        if crashed:
            # Several rules often fail on one shared view: name them once, each traceback once.
            tracebacks = [
                summarize_exception(r.exc_info[1]) for r in crash_log.records if r.exc_info
            ]
            rules = ", ".join(f.evidence for f in crashed)
            crash = "\n".join(
                [f"{len(crashed)} rule(s) crashed: {rules}", *dict.fromkeys(tracebacks)]
            )
        problems = sum(f.rule == "extraction-failed" for f in findings)
        yield Outcome(target, ms, len(findings), crash, problems)


def run_subprocess(targets: Sequence[Target], jobs: int, cwd: Path) -> Iterator[Outcome]:
    """``python -m audit check FILE --json`` per target, ``jobs`` at a time.

    It runs in ``cwd`` (the scratch folder), so a ``config.yaml`` in the current
    folder is not picked up: both modes check with the default rules.
    """

    def one(target: Target) -> Outcome:
        command = [sys.executable, "-m", "audit", "check", str(target.path), "--json"]
        start = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)
        except subprocess.TimeoutExpired:
            return Outcome(target, (time.perf_counter() - start) * 1000, crash="timed out (300 s)")
        ms = (time.perf_counter() - start) * 1000
        if done.returncode not in (0, 1) or "Traceback" in done.stderr:
            tail = "\n".join(done.stderr.strip().splitlines()[-3:])
            return Outcome(target, ms, crash=f"exit {done.returncode}: {tail}")
        try:
            findings = json.loads(done.stdout)
        except json.JSONDecodeError as exc:
            return Outcome(target, ms, crash=f"stdout is not JSON: {exc}")
        crashed = [f for f in findings if f["rule"] == _RULE_CRASHED]
        crash = None
        if crashed:
            rules = ", ".join(f["evidence"] for f in crashed)
            messages = dict.fromkeys(f["message"].split(": ", 1)[-1] for f in crashed)
            crash = "\n".join([f"{len(crashed)} rule(s) crashed: {rules}", *messages])
        problems = sum(f["rule"] == "extraction-failed" for f in findings)
        return Outcome(target, ms, len(findings), crash, problems)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield from pool.map(one, targets)


def summarize_exception(exc: BaseException) -> str:
    """``Type: message`` and where: the frame that raised, then the project's frames above it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    ours = [frame for frame in frames[:-1] if "/audit/" in frame.filename][-2:]
    where = " <- ".join(
        f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
        for frame in (frames[-1], *reversed(ours))
    )
    return f"{type(exc).__name__}: {str(exc)[:200]}\n    at {where}"


# --- report -----------------------------------------------------------------------------


def describe(outcome: Outcome) -> str:
    status = "CRASH" if outcome.crash else "ok"
    line = f"{status:5} {outcome.ms:9.1f} ms {outcome.findings:4} findings  {outcome.target.name}"
    if outcome.crash:
        line += "\n" + "\n".join(f"      {part}" for part in outcome.crash.splitlines())
    return line


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def print_summary(outcomes: Sequence[Outcome], skipped: int, slowest: int) -> None:
    times = [outcome.ms for outcome in outcomes]
    crashes = [outcome for outcome in outcomes if outcome.crash]
    print()
    print(
        f"files: {len(outcomes)} checked, {skipped} skipped (not pages); "
        f"crashes: {len(crashes)}; findings: {sum(o.findings for o in outcomes)}; "
        f"extraction-failed: {sum(o.extraction_problems for o in outcomes)}"
    )
    print(
        f"time per file: p50 {percentile(times, 0.50):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms, max {max(times, default=0):.1f} ms, "
        f"total {sum(times) / 1000:.1f} s"
    )
    if slowest:
        print(f"slowest {min(slowest, len(outcomes))}:")
        for outcome in sorted(outcomes, key=lambda o: o.ms, reverse=True)[:slowest]:
            print(f"  {outcome.ms:9.1f} ms  {outcome.target.name}")
    for outcome in crashes:
        first = (outcome.crash or "").splitlines()[0]
        print(f"CRASH {outcome.target.name}: {first}")


if __name__ == "__main__":
    sys.exit(main())
