"""Serve a directory on 127.0.0.1 with nginx, or with a Python server when nginx is missing.

``serve(root, port)`` is a context manager that yields a :class:`Served` (base
URL, server name, pids) and stops the server on exit.

nginx runs from a generated nginx.conf in a temporary folder (``daemon off``,
pid file, error log and temp paths all inside it) with **one worker process**:
this machine has two cores and the client under test needs one of them; a
single nginx worker with sendfile serves these static pages far faster than any
contender fetches them, and it never competes for the second core.

Fallback (no nginx binary, and not root so it cannot be installed): an aiohttp
static server when aiohttp is importable, else ``ThreadingHTTPServer``; run as
``python server.py ROOT PORT --python-server`` in its own process. The results
always name the server used.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NGINX_CONF = """\
worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 4096; }}

http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=20s;  # each cached file holds a descriptor
    gzip off;
    charset utf-8;
    charset_types text/plain application/xml;
    types {{
        text/html html;
        text/plain txt;
        application/xml xml;
        text/css css;
        image/jpeg jpg;
        image/png png;
    }}
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        index index.html;
    }}
}}
"""


@dataclass(frozen=True, slots=True)
class Served:
    """A running server: where it listens, what it is, and its process id."""

    base_url: str
    server: str
    pid: int


def free_port(preferred: int | None = None) -> int:
    """``preferred`` when it is free on 127.0.0.1, else a port the kernel picks."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as sock:
            # As nginx does: a port whose old connections linger in TIME-WAIT is free.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port on 127.0.0.1")


def nginx_binary(install: bool = True) -> str | None:
    """The nginx executable; installs Debian's package when missing and running as root."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("nginx missing: apt-get install -y nginx", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"stdout": subprocess.DEVNULL, "env": env, "check": False}
    subprocess.run(["apt-get", "update", "-qq"], **quiet)  # type: ignore[call-overload]
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], **quiet)  # type: ignore[call-overload]
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def nginx_version(binary: str) -> str:
    """``nginx/1.22.1`` (nginx prints its version on stderr)."""
    done = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).strip().removeprefix("nginx version: ")


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Return once 127.0.0.1:port accepts connections; raise if the server died or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on 127.0.0.1:{port} within {timeout} s")


def _stop(process: subprocess.Popen[bytes], sig: int) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def serve(root: Path, port: int, *, use_nginx: bool = True) -> Iterator[Served]:
    """Serve ``root`` on 127.0.0.1:``port`` until the block exits."""
    binary = nginx_binary() if use_nginx else None
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        if binary:
            user = (
                "user root;" if os.geteuid() == 0 else ""
            )  # workers must read the site as root does
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=root.resolve(), user=user))
            command = [binary, "-p", tmp, "-e", f"{tmp}/error.log", "-c", str(conf)]
            name, stop_signal = nginx_version(binary), signal.SIGQUIT
        else:
            command = [sys.executable, __file__, str(root), str(port), "--python-server"]
            name, stop_signal = python_server_name(), signal.SIGTERM
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        try:
            wait_listening(port, process)
            yield Served(f"http://127.0.0.1:{port}", name, process.pid)
        finally:
            _stop(process, stop_signal)


def python_server_name() -> str:
    """Which Python fallback server would run."""
    try:
        import aiohttp
    except ImportError:
        return f"python http.server ThreadingHTTPServer {sys.version.split()[0]}"
    return f"python aiohttp {aiohttp.__version__} static (fallback)"


def run_python_server(root: Path, port: int) -> None:
    """The fallback: aiohttp when importable, else the standard library's threading server."""
    try:
        from aiohttp import web
    except ImportError:
        import functools
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        class Handler(SimpleHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive

            def log_message(self, format: str, *args: object) -> None:
                pass

        handler = functools.partial(Handler, directory=str(root))
        ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
        return
    base = root.resolve()

    async def handle(request: web.Request) -> web.StreamResponse:
        path = (base / request.path.lstrip("/")).resolve()
        if not path.is_relative_to(base):
            raise web.HTTPNotFound()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a folder on 127.0.0.1.")
    parser.add_argument("root", type=Path)
    parser.add_argument("port", type=int, nargs="?", default=0)
    parser.add_argument("--python-server", action="store_true", help="the fallback, in-process")
    args = parser.parse_args()
    if args.python_server:
        run_python_server(args.root, args.port)
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Explicit handlers: a shell's background job starts with SIGINT ignored.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    with serve(args.root, free_port(args.port or None)) as served:
        print(f"{served.server} serving {args.root} at {served.base_url}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
