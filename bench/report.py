"""Turn measured rows into the Markdown table, the ratios, a JSON file and a RESULTS.md section."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS_HEADER = """# Benchmark results

Produced by `python bench/run.py --pages N --write-results` (see bench/README.md).
Newest first. Every row of one section was measured in the same invocation, on
the same generated site, served by the same server on 127.0.0.1.
"""


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    pages: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    tree_rss_mb: float
    server_cpu_s: float
    other_cpu_s: float
    returncode: int
    note: str = ""

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_s / self.pages if self.pages else 0.0

    @property
    def cores_used(self) -> float:
        """CPU seconds per wall second: ~1 means CPU-bound on one core, far less means waiting."""
        return self.cpu_s / self.wall_s if self.wall_s else 0.0

    @property
    def other_load(self) -> float:
        """Cores busy with other work during the run, on average (machine noise)."""
        return self.other_cpu_s / self.wall_s if self.wall_s else 0.0

    @property
    def server_ms_per_page(self) -> float:
        return 1000 * self.server_cpu_s / self.pages if self.pages else 0.0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pages_per_s"] = round(self.pages_per_s, 1)
        data["cpu_ms_per_page"] = round(self.cpu_ms_per_page, 3)
        data["server_cpu_ms_per_page"] = round(self.server_ms_per_page, 3)
        data["other_load_cores"] = round(self.other_load, 2)
        data["cores_used"] = round(self.cores_used, 2)
        return data


def ratios(rows: list[Row]) -> dict[str, float]:
    """``audit crawl`` against advertools and against the fetch + parse + extract ceiling."""
    by_key = {row.key: row for row in rows if row.pages}
    found: dict[str, float] = {}
    audit = by_key.get("audit")
    if audit and "advertools" in by_key:
        peer = by_key["advertools"]
        found["audit_vs_advertools_x"] = audit.pages_per_s / peer.pages_per_s
        found["audit_vs_advertools_cpu_x"] = peer.cpu_ms_per_page / audit.cpu_ms_per_page
    if audit and "ceiling" in by_key:
        ceiling = by_key["ceiling"]
        found["audit_pct_of_ceiling"] = 100 * audit.pages_per_s / ceiling.pages_per_s
        found["audit_pct_of_ceiling_cpu"] = 100 * ceiling.cpu_ms_per_page / audit.cpu_ms_per_page
    return {key: round(value, 2) for key, value in found.items()}


def markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    """The table, the ratios against the targets, and the machine."""
    lines = [
        "| client | pages | wall s | pages/s | CPU ms/page | cores used | peak RSS MB "
        "| server CPU ms/page | other load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        failed = f" **(exit {row.returncode})**" if row.returncode else ""
        note = f" ({row.note})" if row.note else ""
        rss = f"{row.max_rss_mb:.0f}"
        if row.tree_rss_mb > row.max_rss_mb * 1.1:
            rss += f" (tree {row.tree_rss_mb:.0f})"
        lines.append(
            f"| {row.label}{note}{failed} | {row.pages:,} | {row.wall_s:.1f} | "
            f"{row.pages_per_s:,.0f} | {row.cpu_ms_per_page:.2f} | {row.cores_used:.2f} | {rss} | "
            f"{row.server_ms_per_page:.3f} | {row.other_load:.2f} |"
        )
    found = meta.get("ratios", {})
    lines.append("")
    if "audit_vs_advertools_x" in found:
        lines.append(
            f"- `audit crawl` vs advertools: **{found['audit_vs_advertools_x']:.1f}×** "
            f"pages/s (target ≥ 15×); by CPU per page "
            f"{found['audit_vs_advertools_cpu_x']:.1f}×"
        )
    if "audit_pct_of_ceiling" in found:
        lines.append(
            f"- `audit crawl` as % of the fetch + parse + extract ceiling: "
            f"**{found['audit_pct_of_ceiling']:.0f} %** pages/s (target ≥ 60 %); "
            f"by CPU per page {found['audit_pct_of_ceiling_cpu']:.0f} %"
        )
    lines.append(
        "- CPU ms/page: user + sys of the client's whole process tree (wait4 rusage); "
        "cores used: that CPU time per wall second; peak RSS: its largest process "
        "(tree: all its processes at once, sampled); other load: cores busy with "
        "anything else meanwhile (should be ~0)"
    )
    busiest = max((row.other_load for row in rows), default=0.0)
    if busiest > 0.3:
        lines.append(
            f"- **warning**: other jobs kept up to {busiest:.1f} of "
            f"{meta['machine']['cores']} cores busy during this run, so wall-clock figures "
            "(pages/s, ratios) are noisy; CPU ms/page is much less affected"
        )
    info = meta["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in meta["versions"].items())
    lines += [
        f"- site: {meta['pages']:,} generated pages (~{meta['avg_page_kb']:.0f} KB each), "
        f"served by {meta['server']} on 127.0.0.1, concurrency {meta['concurrency']}",
        f"- machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, "
        f"{info['os']}, Python {info['python']}",
        f"- versions: {versions}",
        f"- date: {meta['date']}",
    ]
    return "\n".join(lines) + "\n"


def write_json(path: Path, rows: list[Row], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {**meta, "rows": [row.as_json() for row in rows]}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_results_md(path: Path, table: str, meta: dict[str, Any]) -> None:
    """Insert this run's section at the top of RESULTS.md (newest first)."""
    section = f"## {meta['date']} · {meta['pages']:,} pages\n\n{table}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else RESULTS_HEADER
    head, marker, rest = text.partition("\n## ")
    body = marker.lstrip("\n") + rest if marker else ""
    text = head.rstrip("\n") + "\n\n" + section + ("\n" + body if body else "")
    path.write_text(text, encoding="utf-8")
