"""Run one contender as a child process and measure it: wall time, CPU and peak RSS.

CPU and the largest process's peak RSS come from ``os.wait4``: the kernel adds
to a child's rusage everything its own waited-for children used, so a
contender that runs a grandchild (advertools runs ``scrapy`` via
``subprocess.run``) is measured whole. Descendants that are *not* waited for
(a multiprocessing forkserver and its workers outlive the main process by a
moment) would escape that: the runner makes itself a child subreaper
(``PR_SET_CHILD_SUBREAPER``), so such orphans are re-parented to it, and it
waits for them and adds their rusage. The peak RSS of the whole tree at once
(parent + children alive together) is sampled every 50 ms from /proc.

The server's CPU over the same interval is read from /proc too, so the table
can show what the server spent per page.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class Usage:
    """What one child process tree used."""

    wall_s: float
    cpu_s: float
    max_rss_mb: float
    """ru_maxrss: the peak of the largest single process in the tree."""
    tree_rss_mb: float
    """Sampled peak of the sum of RSS over the tree's live processes."""
    server_cpu_s: float
    other_cpu_s: float
    """CPU used by everything else on the machine meanwhile (noise: other jobs)."""
    returncode: int
    stdout: str
    stderr: str


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            found += [int(child) for child in text.split()]
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and all its live descendants."""
    pids, index = [pid], 0
    while index < len(pids):
        pids += _children(pids[index])
        index += 1
    return pids


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat, minus idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / _TICK


def cpu_seconds(pids: Sequence[int]) -> float:
    """user + system CPU of the given live processes (from /proc/PID/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def become_subreaper() -> bool:
    """Have orphaned descendants re-parented to this process (Linux), so they can be waited for."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(36, 1, 0, 0, 0) == 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap_orphans(known: set[int], timeout: float = 30.0) -> tuple[float, float]:
    """Wait for children adopted as subreaper (not in ``known``); (CPU s, max RSS MB)."""
    cpu, max_rss = 0.0, 0.0
    deadline = time.monotonic() + timeout
    while orphans := [pid for pid in _children(os.getpid()) if pid not in known]:
        for pid in orphans:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
            try:
                done, _, rusage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if done:
                cpu += rusage.ru_utime + rusage.ru_stime
                max_rss = max(max_rss, rusage.ru_maxrss / 1024)
        time.sleep(0.02)
    return cpu, max_rss


class _RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, sum(_rss_bytes(pid) for pid in tree(self.pid)))


def run_measured(
    command: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    server_pid: int | None = None,
    timeout: float = 3600.0,
    cwd: Path | None = None,
) -> Usage:
    """Run ``command`` to completion and measure it (stdout/stderr captured to files)."""
    server = tree(server_pid) if server_pid else []
    server_before = cpu_seconds(server)
    become_subreaper()
    known = set(_children(os.getpid()))
    busy_before = machine_busy_seconds()
    with _Capture() as out, _Capture() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=out.file,
            stderr=err.file,
            env=env,
            cwd=cwd,
        )
        sampler = _RssSampler(process.pid)
        sampler.start()
        deadline = threading.Timer(timeout, process.kill)
        deadline.start()
        try:
            _, status, rusage = os.wait4(process.pid, 0)
        finally:
            deadline.cancel()
            sampler.done.set()
        wall = time.perf_counter() - started
        busy = machine_busy_seconds() - busy_before
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        orphan_cpu, orphan_rss = reap_orphans(known | {process.pid})
        stdout, stderr = out.text(), err.text()
    cpu = rusage.ru_utime + rusage.ru_stime + orphan_cpu
    server_cpu = cpu_seconds(server) - server_before
    return Usage(
        wall_s=wall,
        cpu_s=cpu,
        max_rss_mb=max(rusage.ru_maxrss / 1024, orphan_rss),
        tree_rss_mb=sampler.peak / 2**20,
        server_cpu_s=server_cpu,
        other_cpu_s=max(0.0, busy - cpu - server_cpu),
        returncode=process.returncode,
        stdout=stdout,
        stderr=stderr,
    )


class _Capture:
    """A temporary file for a child's output (a pipe could fill up and block it)."""

    def __enter__(self) -> _Capture:
        import tempfile

        self.file = tempfile.TemporaryFile()
        return self

    def text(self) -> str:
        self.file.seek(0)
        return self.file.read().decode("utf-8", "replace")

    def __exit__(self, *exc: object) -> None:
        self.file.close()
