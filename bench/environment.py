"""The bench's environment: its dependencies, the peers' venv, and facts about the machine."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PEERS_VENV = BENCH / ".venv-peers"
BENCH_MODULES = ("aiohttp", "uvloop", "httpx_aiohttp")
VERSIONED = (
    "site-audit", "httpx", "httpcore", "anyio", "sniffio", "aiohttp", "uvloop", "httpx-aiohttp",
    "selectolax", "extruct",
)  # fmt: skip
PEER_PACKAGES = ("advertools", "scrapy", "twisted", "lxml")


def ensure_bench_deps() -> None:
    """pip-install bench/requirements.txt into this interpreter's venv when a module is missing."""
    missing = [name for name in BENCH_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        print(f"installing bench requirements ({', '.join(missing)} missing)", file=sys.stderr)
        pip = [sys.executable, "-m", "pip", "install", "-q", "-r", str(BENCH / "requirements.txt")]
        subprocess.run(pip, check=True)


def peers_python() -> Path:
    """The Python of bench/.venv-peers, created with advertools on first use."""
    python = PEERS_VENV / "bin" / "python"
    probe = [str(python), "-c", "import advertools, scrapy"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating {PEERS_VENV} with advertools (first run only)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    requirements = str(BENCH / "requirements-peers.txt")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", requirements], check=True)
    return python


def peers_env() -> dict[str, str]:
    """advertools runs the ``scrapy`` command from PATH: put the peers' venv first."""
    return {**os.environ, "PATH": f"{PEERS_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}


def versions() -> dict[str, str]:
    """Installed versions of the packages that matter here (this venv, then the peers')."""
    found: dict[str, str] = {}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    python = PEERS_VENV / "bin" / "python"
    if python.exists():
        code = (
            "import json; from importlib import metadata as m; "
            f"print(json.dumps({{n: m.version(n) for n in {PEER_PACKAGES!r}}}))"
        )
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
        if done.returncode == 0:
            found.update(json.loads(done.stdout))
    return found


def machine() -> dict[str, object]:
    """CPU model, cores, memory, OS and Python."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
