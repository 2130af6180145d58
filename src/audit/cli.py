"""The ``audit`` command line: ``crawl``, ``demo``, ``version``.

Exit codes: 0 the run completed; 2 a usage or config error; 130 interrupted
(after writing what was collected); 1 an unexpected internal error.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text

from audit import __version__
from audit.config import AuditConfig, load_config
from audit.crawl.crawler import CrawlStats
from audit.errors import AuditError
from audit.runner import RunOutcome, run_audit

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

stderr = Console(stderr=True)
app = typer.Typer(
    name="audit",
    help="An SEO and structured-data site auditor.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="config.yaml to read (default: ./config.yaml if no URL)."),
]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder for runs.")]
MaxPagesOption = Annotated[int | None, typer.Option(help="Stop after this many URLs.")]
MaxDepthOption = Annotated[int | None, typer.Option(help="Do not follow links deeper than this.")]
ConcurrencyOption = Annotated[int | None, typer.Option(help="Requests in flight at once.")]
TimeoutOption = Annotated[float | None, typer.Option(help="Total seconds allowed per request.")]
UserAgentOption = Annotated[str | None, typer.Option(help="User-Agent header and robots token.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Log each retry and more.")]


@app.command()
def crawl(
    url: Annotated[
        str | None, typer.Argument(help="Start URL (overrides site.start_urls).")
    ] = None,
    config: ConfigOption = None,
    out: OutOption = None,
    max_pages: MaxPagesOption = None,
    max_depth: MaxDepthOption = None,
    concurrency: ConcurrencyOption = None,
    timeout: TimeoutOption = None,
    user_agent: UserAgentOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Crawl a site and write a run folder with pages.csv, findings.csv and run.json."""
    _setup_logging(verbose)
    if config is None and url is None and Path("config.yaml").is_file():
        config = Path("config.yaml")
    overrides = _flag_overrides(out, max_pages, max_depth, concurrency, timeout, user_agent)
    if url is not None:
        overrides["site.start_urls"] = [url]
    settings = load_config(config, overrides)
    raise typer.Exit(_run_and_report(settings))


@app.command()
def demo(
    config: ConfigOption = None,
    out: OutOption = None,
    max_pages: MaxPagesOption = None,
    concurrency: ConcurrencyOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Serve the bundled demo clinic site on 127.0.0.1 and audit it."""
    from audit.demo import DEMO_SITE, serve_site

    _setup_logging(verbose)
    overrides = _flag_overrides(out, max_pages, None, concurrency, None, None)
    with serve_site(DEMO_SITE) as (origin, _requests):
        overrides["site.start_urls"] = [f"{origin}/"]
        settings = load_config(config, overrides)
        if settings.site.name is None:
            settings = settings.model_copy(
                update={"site": settings.site.model_copy(update={"name": "demo-clinic"})}
            )
        stderr.print(f"Serving the demo clinic site at {origin}/")
        code = _run_and_report(settings)
    raise typer.Exit(code)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"site-audit {__version__}")


def _flag_overrides(
    out: Path | None,
    max_pages: int | None,
    max_depth: int | None,
    concurrency: int | None,
    timeout: float | None,
    user_agent: str | None,
) -> dict[str, Any]:
    return {
        "report.out_dir": out,
        "crawl.max_pages": max_pages,
        "crawl.max_depth": max_depth,
        "crawl.concurrency": concurrency,
        "crawl.timeout.total": timeout,
        "crawl.user_agent": user_agent,
    }


def _run_and_report(settings: AuditConfig) -> int:
    with _ProgressDisplay() as display:
        outcome = run_audit(settings, progress=display.update, handle_signals=True)
    _print_summary(outcome)
    return EXIT_INTERRUPTED if outcome.interrupted else EXIT_OK


class _ProgressDisplay:
    """A live status line on stderr (only on a terminal); updates are throttled to 10 a second."""

    def __init__(self) -> None:
        self._live = Live(console=stderr, transient=True) if stderr.is_terminal else None
        self._last = 0.0

    def __enter__(self) -> _ProgressDisplay:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._live is not None:
            self._live.stop()

    def update(self, stats: CrawlStats) -> None:
        now = time.monotonic()
        if self._live is None or now - self._last < 0.1:
            return
        self._last = now
        self._live.update(
            Text(
                f"crawled {stats.done}  queued {stats.queued}  {stats.rate:.1f} pages/s  "
                f"errors {stats.errors}  blocked by robots {stats.blocked}"
            )
        )


def _print_summary(outcome: RunOutcome) -> None:
    result = outcome.crawl
    table = Table(title="Crawl summary", show_header=False, title_justify="left")
    table.add_row("URLs", str(len(result.pages)))
    for status, count in result.status_counts.items():
        table.add_row(f"  {status}", str(count))
    table.add_row("in sitemaps", str(len(result.sitemaps.urls)))
    if result.not_crawled:
        table.add_row("not crawled (limit)", str(result.not_crawled))
    table.add_row("findings", str(len(outcome.findings)))
    duration = (result.finished_at - result.started_at).total_seconds()
    table.add_row("time", f"{duration:.1f} s")
    stderr.print(table)
    for sitemap_url, problem in result.sitemaps.problems:
        stderr.print(f"sitemap {sitemap_url}: {problem}", markup=False, highlight=False)
    if outcome.interrupted:
        stderr.print("[yellow]Interrupted: the run folder holds what was collected.[/]")
    stderr.print(f"Run folder: {outcome.run_dir}", markup=False, highlight=False)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=stderr, show_path=False, show_time=False)],
        force=True,
    )


def main() -> None:
    """Console-script entry point: run the app and turn errors into one-line messages."""
    try:
        app()  # standalone mode: usage errors exit 2, typer.Exit carries our codes
    except AuditError as exc:
        for line in str(exc).splitlines():
            print(f"audit: {line}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # the last line of defence: no traceback for users
        print(f"audit: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
