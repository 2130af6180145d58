"""Which transport should the crawler's httpx client use? Measure them on the same site.

For each concurrency (16/32/64) and event loop (asyncio, uvloop), fetch every
sitemap URL of the bench site with:

- httpx, default transport (httpcore), **without** ``sniffio`` installed;
- httpx, default transport, **with** ``sniffio`` importable;
- httpx with ``httpx_aiohttp.AiohttpTransport`` (aiohttp does the HTTP/1.1);
- raw aiohttp, no httpx (the reference).

Why sniffio matters (httpcore 1.0.x, ``_synchronization.current_async_library``):
httpcore imports ``sniffio`` *inside* that function, which runs every time one of
its locks, events or semaphores is first used (several per request), and falls
back to "asyncio" on ImportError. Since anyio 4.11 no longer depends on sniffio,
it is usually absent, and Python does not cache a failed import: each call
searches sys.path again (encode/httpcore PR #1103 moves the import to module level).

So the variants run in an isolated venv (``bench/.cache/venv-transports``, the
same httpx/httpcore/anyio versions as this interpreter, no sniffio); "with
sniffio" adds a ``pip --target`` folder holding only sniffio to PYTHONPATH. Each
configuration runs ``--repeat`` times (round-robin, so drift hits all alike) on
a warm server; the table gives medians.

    python bench/transports.py --pages 5000 [--repeat 3] [--limit 2000]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from environment import BENCH, machine
from measure import run_measured
from run import prepare_site, warm_up
from server import serve

CACHE = BENCH / ".cache"
VENV = CACHE / "venv-transports"
SNIFFIO = CACHE / "sniffio-only"
PINNED = ("httpx", "httpcore", "anyio", "h11", "aiohttp", "uvloop", "httpx-aiohttp")


@dataclass(frozen=True, slots=True)
class Variant:
    label: str
    mode: str  # fetch_loops.py mode
    transport: str
    sniffio: bool
    uvloop: bool
    concurrency: int


def ensure_venv() -> Path:
    """The isolated venv (without sniffio) and the sniffio-only folder, created once."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pins = []
        for name in PINNED:
            try:
                pins.append(f"{name}=={metadata.version(name)}")
            except metadata.PackageNotFoundError:
                pins.append(name)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *pins], check=True)
    if not (SNIFFIO / "sniffio").exists():
        pip = [str(python), "-m", "pip", "install", "-q", "--target", str(SNIFFIO), "sniffio"]
        subprocess.run(pip, check=True)
    probe = subprocess.run([str(python), "-c", "import sniffio"], capture_output=True)
    if probe.returncode == 0:
        sys.exit(f"{VENV} has sniffio installed: delete the folder and run again")
    return python


def variants(concurrencies: list[int]) -> list[Variant]:
    kinds = (
        ("httpx default transport, no sniffio", "httpx", "default", False),
        ("httpx default transport + sniffio", "httpx", "default", True),
        ("httpx + httpx-aiohttp AiohttpTransport", "httpx", "aiohttp", False),
        ("raw aiohttp (no httpx)", "fetch", "default", False),
    )
    return [
        Variant(label, mode, transport, sniff, loop, concurrency)
        for (label, mode, transport, sniff), loop, concurrency in itertools.product(
            kinds, (False, True), concurrencies
        )
    ]


def measure(python: Path, variant: Variant, base: str, limit: int | None) -> tuple[float, float]:
    """(pages/s, CPU ms per page) of one run."""
    command = [str(python), str(BENCH / "fetch_loops.py"), variant.mode, base + "/"]
    command += ["--concurrency", str(variant.concurrency), "--transport", variant.transport]
    command += ["--uvloop"] * variant.uvloop + (["--limit", str(limit)] if limit else [])
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if variant.sniffio:
        env["PYTHONPATH"] = str(SNIFFIO)
    usage = run_measured(command, env=env)
    if usage.returncode:
        raise RuntimeError(f"{variant} failed:\n{usage.stderr[-2000:]}")
    tally = json.loads(usage.stdout.strip().splitlines()[-1])
    # Both over the fetch phase only (no interpreter start-up, no sitemap).
    return tally["pages"] / tally["seconds"], 1000 * tally["cpu_seconds"] / tally["pages"]


def table(results: dict[Variant, list[tuple[float, float]]], concurrencies: list[int]) -> str:
    head = "| transport | loop | " + " | ".join(f"c={c}" for c in concurrencies) + " |"
    lines = [head, "|---|---|" + "---:|" * len(concurrencies)]
    rows: dict[tuple[str, bool], list[str]] = {}
    for variant, runs in results.items():
        rate = statistics.median(r for r, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        cell = f"{rate:,.0f}/s · {cpu:.2f} ms"
        rows.setdefault((variant.label, variant.uvloop), []).append(cell)
    for (label, uvloop), cells in rows.items():
        lines.append(f"| {label} | {'uvloop' if uvloop else 'asyncio'} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="site size")
    parser.add_argument("--concurrency", default="16,32,64")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="fetch only N URLs per run")
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--sites", type=Path, default=BENCH / ".sites")
    args = parser.parse_args()
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    python = ensure_venv()
    site, port = prepare_site(args.sites, args.pages, args.port)
    results: dict[Variant, list[tuple[float, float]]] = {v: [] for v in variants(concurrencies)}
    with serve(site, port) as served:
        warm_up(served)
        for round_number in range(1, args.repeat + 1):
            for variant in results:
                rate, cpu = measure(python, variant, served.base_url, args.limit)
                results[variant].append((rate, cpu))
                print(
                    f"  round {round_number}: {variant.label}, "
                    f"{'uvloop' if variant.uvloop else 'asyncio'}, c={variant.concurrency}: "
                    f"{rate:,.0f}/s, {cpu:.2f} CPU ms/page",
                    file=sys.stderr,
                )
    text = table(results, concurrencies)
    info = machine()
    print(
        f"Medians of {args.repeat} runs, {args.limit or args.pages} pages each, "
        f"{served.server} on 127.0.0.1; cell: pages/s · client CPU ms per page\n\n{text}\n"
        f"machine: {info['cpu']}, {info['cores']} cores, Python {info['python']}; "
        + ", ".join(f"{n} {metadata.version(n)}" for n in PINNED if _installed(n))
    )
    out = BENCH / "results" / f"{datetime.now(UTC):%Y-%m-%d}-transports-{args.pages}.json"
    out.parent.mkdir(exist_ok=True)
    payload = [
        {**asdict(v), "runs": [{"pages_per_s": r, "cpu_ms_per_page": c} for r, c in runs]}
        for v, runs in results.items()
    ]
    text = json.dumps({"machine": info, "results": payload}, indent=2) + "\n"
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out.relative_to(BENCH.parent)}", file=sys.stderr)


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
