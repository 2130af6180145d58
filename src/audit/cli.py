"""The ``audit`` command line: ``crawl``, ``check``, ``rules``, ``demo``, ``version``.

Exit codes: 0 the run completed; 2 a usage or config error; 130 interrupted
(after writing what was collected); 3 the crawl stopped itself because the
site kept failing (``crawl.max_error_ratio``; what was collected is written);
1 an unexpected internal error, or for ``check`` an error-severity finding.
Heavy modules are imported inside the commands that need them, so
``audit check page.html`` starts fast.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text

from audit import __version__
from audit.cache import cache_dir
from audit.config import AuditConfig, load_config
from audit.errors import AuditError
from audit.models import Finding

if TYPE_CHECKING:
    from audit.crawl.crawler import CrawlStats
    from audit.runner import RunOutcome

P = ParamSpec("P")

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_ABORTED = 3

stderr = Console(stderr=True)
app = typer.Typer(
    name="audit",
    help="An SEO and structured-data site auditor.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _user_errors(command: Callable[P, None]) -> Callable[P, None]:
    """Turn an AuditError into one ``audit: …`` line per problem on stderr and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except AuditError as exc:
            for line in str(exc).splitlines():
                print(f"audit: {line}", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE) from None

    return wrapper


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
FailOnOption = Annotated[
    str | None,
    typer.Option(
        help="Exit 1 when findings of this kind exist: error, warning, new-error or new-warning."
    ),
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Log each retry and more.")]
ResumeOption = Annotated[
    Path | None,
    typer.Option(
        help="Continue an interrupted run in its folder (same config): pages already "
        "crawled are not fetched again.",
        metavar="RUN",
    ),
]


@app.command()
@_user_errors
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
    fail_on: FailOnOption = None,
    resume: ResumeOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Crawl a site and write a run folder: tables (CSV, Parquet), diff, report.xlsx/.html."""
    _setup_logging(verbose)
    if config is None and url is None and Path("config.yaml").is_file():
        config = Path("config.yaml")
    overrides = _flag_overrides(out, max_pages, max_depth, concurrency, timeout, user_agent)
    overrides["report.fail_on"] = fail_on
    if url is not None:
        overrides["site.start_urls"] = [url]
    settings = load_config(config, overrides)
    raise typer.Exit(_run_and_report(settings, resume=resume))


@app.command()
@_user_errors
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
@_user_errors
def check(
    targets: Annotated[
        list[str], typer.Argument(help="URLs, local HTML files, or - for standard input.")
    ],
    config: ConfigOption = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the findings as a JSON list on stdout.")
    ] = False,
) -> None:
    """Run every page rule on URLs or files; exit 1 when an error-severity finding exists."""
    from audit.spotcheck import check_targets

    if config is None and Path("config.yaml").is_file():
        config = Path("config.yaml")
    results = check_targets(targets, load_config(config))
    findings = [finding for result in results for finding in result.findings]
    if json_output:
        for result in results:
            if result.error:
                print(f"audit: {result.error}", file=sys.stderr)
        typer.echo(json.dumps([_finding_json(f) for f in findings], ensure_ascii=False, indent=2))
    else:
        from audit.console import print_check_results

        print_check_results(results, Console(highlight=False))
    if any(result.error for result in results):
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(1 if any(f.severity == "error" for f in findings) else EXIT_OK)


def _finding_json(finding: Finding) -> dict[str, str]:
    return {
        "url": finding.url,
        "rule": finding.rule,
        "code": finding.code,
        "severity": finding.severity.value,
        "category": finding.category,
        "message": finding.message,
        "evidence": finding.evidence,
        "selector": finding.selector,
        "fix": finding.fix,
    }


rules_app = typer.Typer(
    help="List the rules, explain one, or regenerate docs/rules.", invoke_without_command=True
)
app.add_typer(rules_app, name="rules")


@rules_app.callback()
def rules_list(ctx: typer.Context) -> None:
    """List every rule: code, name, default severity, category and summary."""
    if ctx.invoked_subcommand is None:
        from audit.console import print_rules
        from audit.rules import RULES

        print_rules(RULES, Console())


@rules_app.command("explain")
@_user_errors
def rules_explain(name: Annotated[str, typer.Argument(help="A rule name or code.")]) -> None:
    """Print the documentation page of one rule."""
    from rich.markdown import Markdown

    from audit.rules import find_rule
    from audit.rules.docs import render_rule

    rule = find_rule(name)
    if rule is None:
        raise AuditError(f"unknown rule {name!r} (see `audit rules`)")
    Console().print(Markdown(render_rule(rule)))


@rules_app.command("docs")
def rules_docs(
    folder: Annotated[Path, typer.Argument(help="Where to write the pages.")] = Path("docs/rules"),
) -> None:
    """Regenerate the Markdown rule pages from the rule modules."""
    from audit.rules.docs import write_docs

    written = write_docs(folder)
    stderr.print(f"wrote {len(written)} pages to {folder}")


@app.command()
@_user_errors
def report(
    run: Annotated[Path, typer.Argument(help="A run folder (or a site folder: its latest run).")],
) -> None:
    """Re-render report.xlsx and report.html from a run folder's stored tables."""
    from audit.reporting import render_reports
    from audit.reporting.tables import RunTables

    run_dir = _run_folder(run)
    render_reports(RunTables.load(run_dir))
    stderr.print(f"Rendered {run_dir / 'report.html'} and {run_dir / 'report.xlsx'}")


@app.command()
@_user_errors
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier run folder.")],
    new: Annotated[Path, typer.Argument(help="The later run folder.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Compare the findings of any two runs: new, resolved and unchanged."""
    from audit.reporting.diff import diff_counts, diff_runs

    rows = diff_runs(_run_folder(old), _run_folder(new))
    if json_output:
        typer.echo(rows.to_json(orient="records", force_ascii=False, indent=2))
        return
    counts = diff_counts(rows)
    stderr.print(
        f"{counts['new']} new, {counts['resolved']} resolved, {counts['unchanged']} unchanged"
    )
    table = Table(show_header=True)
    for column in ("change", "severity", "rule", "url", "message"):
        table.add_column(column)
    for record in rows[rows["change"] != "unchanged"].itertuples():
        table.add_row(record.change, record.severity, record.rule, record.url, record.message)
    Console(highlight=False).print(table)


def _run_folder(path: Path) -> Path:
    """A run folder, or the latest run of a site folder; AuditError when neither."""
    if (path / "latest").exists():
        path = (
            (path / "latest").resolve()
            if (path / "latest").is_dir()
            else (path / (path / "latest").read_text(encoding="utf-8").strip())
        )
    if not (path / "run.json").is_file():
        raise AuditError(f"{path}: not a run folder (no run.json)")
    return path


DEFAULT_RELEASE_URL = "https://schema.org/version/latest/schemaorg-current-https.jsonld"
DEFAULT_CACHE = cache_dir()


@app.command("vocabulary")
@_user_errors
def vocabulary_download(
    url: Annotated[str, typer.Option(help="Official release file to fetch.")] = DEFAULT_RELEASE_URL,
    cache_dir: Annotated[Path, typer.Option(help="Where releases are cached.")] = DEFAULT_CACHE,
    refresh: Annotated[bool, typer.Option(help="Fetch again even when cached.")] = False,
) -> None:
    """Download a newer schema.org release once (cached) for `structured.vocabulary`."""
    from audit.structured.download import download_release
    from audit.structured.vocabulary import Vocabulary

    path = download_release(url, cache_dir, refresh=refresh)
    vocabulary = Vocabulary.from_file(path)
    stderr.print(
        f"{len(vocabulary.classes)} types and {len(vocabulary.properties)} properties; "
        "set this in config.yaml:"
    )
    typer.echo(f"structured:\n  vocabulary: {path}")


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


def _run_and_report(settings: AuditConfig, resume: Path | None = None) -> int:
    from audit.runner import run_audit

    with _ProgressDisplay() as display:
        outcome = run_audit(settings, progress=display.update, handle_signals=True, resume=resume)
    _print_summary(outcome)
    if outcome.crawl.stop_reason:
        return EXIT_ABORTED
    if outcome.interrupted:
        return EXIT_INTERRUPTED
    if outcome.failure:
        stderr.print(f"Failing the run: {outcome.failure}", markup=False, highlight=False)
        return EXIT_FINDINGS
    return EXIT_OK


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
    levels = outcome.severities
    table.add_row(
        "findings",
        f"{sum(levels.values())} ({levels.get('error', 0)} errors, "
        f"{levels.get('warning', 0)} warnings, {levels.get('notice', 0)} notices)",
    )
    if outcome.changes is not None:
        table.add_row(
            "since last run",
            f"{outcome.changes['new']} new, {outcome.changes['resolved']} resolved",
        )
    duration = (result.finished_at - result.started_at).total_seconds()
    table.add_row("time", f"{duration:.1f} s")
    stderr.print(table)
    for sitemap_url, problem in result.sitemaps.problems:
        stderr.print(f"sitemap {sitemap_url}: {problem}", markup=False, highlight=False)
    if outcome.crawl.stop_reason:
        stderr.print(
            f"Stopped: {outcome.crawl.stop_reason}. The run folder holds what was collected.",
            markup=False,
            highlight=False,
        )
    elif outcome.interrupted:
        stderr.print("[yellow]Interrupted: the run folder holds what was collected.[/]")
    if outcome.interrupted:
        stderr.print(
            f"Continue it with: audit crawl --resume {outcome.run_dir} (and the same config)",
            markup=False,
            highlight=False,
        )
    stderr.print(f"Run folder: {outcome.run_dir}", markup=False, highlight=False)
    stderr.print(f"Report: {outcome.run_dir / 'report.html'}", markup=False, highlight=False)


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
