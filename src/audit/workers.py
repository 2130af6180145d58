"""A small process pool driven by the asyncio event loop.

``concurrent.futures.ProcessPoolExecutor`` feeds its workers through a
management thread, which fights the event loop for the GIL: on Python 3.11 a
crawl spent more time in ``submit()`` than in fetching. Here each worker owns
one duplex pipe; the loop writes tasks to it and is woken by ``add_reader``
when an answer is there, so no thread is involved.

A worker holds up to ``depth`` tasks (2 by default): the next one already
waits in its pipe when it answers, so it never sits idle until the event loop
gets round to the answer (the crawl of a 5,000-page site took 3-18 % less
time than with one task at a time, in three alternated pairs of runs). Only a
task that fits the pipe's buffer is queued behind a busy worker, so writing it
never blocks the loop; a larger one waits for an idle worker. Answers come
back in order, so the task a worker was running when it died is known
exactly: that task fails with :class:`WorkerDied`, and the tasks queued
behind it go to the fresh worker that takes the dead one's place.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, ClassVar


class WorkerDied(RuntimeError):
    """The worker process running a task exited before answering."""


@dataclass(eq=False, slots=True)
class _Task:
    message: bytes  # the pickled (function, argument), kept to re-send if queued at a death
    answer: asyncio.Future[Any]


@dataclass(eq=False)
class _Worker:
    process: Any
    connection: Connection
    tasks: deque[_Task] = field(default_factory=deque)  # sent, in the order they run


@dataclass
class ProcessPool:
    """``processes`` workers, each started with ``initializer(*initargs)``; ``await run(f, x)``.

    ``f`` and ``x`` must be picklable; ``f`` runs in a worker and its result (or
    exception) comes back. Tasks start in the order they were submitted. Use
    :meth:`close` to stop the workers.
    """

    processes: int
    initializer: Callable[..., None]
    initargs: tuple[Any, ...] = ()
    start_method: str = "forkserver"
    preload: tuple[str, ...] = ()
    depth: int = 2
    _workers: list[_Worker] = field(default_factory=list, init=False)
    _pending: deque[_Task] = field(default_factory=deque, init=False)
    _closed: bool = field(default=False, init=False)
    _fork_server_pools: ClassVar[int] = 0  # open pools whose workers come from the fork server

    def __post_init__(self) -> None:
        self._context = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            if self.preload:
                self._context.set_forkserver_preload(list(self.preload))
            ProcessPool._fork_server_pools += 1
        self._queue_bytes = 0
        for _ in range(self.processes):
            self._spawn()

    async def run(self, function: Callable[[Any], Any], argument: Any) -> Any:
        """Run ``function(argument)`` in a worker; raises :class:`WorkerDied` if it dies."""
        if self._closed:
            raise WorkerDied("the process pool is closed")
        message = bytes(ForkingPickler.dumps((function, argument)))
        task = _Task(message, asyncio.get_running_loop().create_future())
        self._pending.append(task)
        self._dispatch()
        # A cancelled caller leaves its task to run: the worker's answer is then dropped.
        return await task.answer

    def close(self) -> None:
        """Stop every worker (running and waiting tasks are abandoned).

        The last pool to close also stops the fork server: it holds the preloaded
        modules (~60 MB), which the reports written after a crawl can use.
        """
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            self._remove_reader(worker)
            worker.connection.close()
            worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=5)
        self._workers.clear()
        self._pending.clear()
        if self.start_method == "forkserver":
            ProcessPool._fork_server_pools -= 1
            if not ProcessPool._fork_server_pools:
                _stop_fork_server()

    def _spawn(self) -> None:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve, args=(child, self.initializer, self.initargs), daemon=True
        )
        process.start()
        child.close()
        if not self._queue_bytes:
            self._queue_bytes = _queue_limit(parent)
        self._workers.append(_Worker(process, parent))

    def _dispatch(self) -> None:
        """Send waiting tasks, oldest first, while some worker has room for the next one."""
        while self._pending and not self._closed:
            task = self._pending[0]
            worker = self._room_for(len(task.message))
            if worker is None:
                return
            self._pending.popleft()
            if task.answer.done():  # its caller was cancelled while it waited
                continue
            try:
                worker.connection.send_bytes(task.message)
            except OSError:
                # Dead before it could take this task, which fails (a worker that dies
                # at every start must not loop); the ones it had queued are re-sent.
                task.answer.set_exception(WorkerDied("the worker process had exited"))
                self._worker_died(worker)
                continue
            if not worker.tasks:
                asyncio.get_running_loop().add_reader(
                    worker.connection.fileno(), self._on_answer, worker
                )
            worker.tasks.append(task)

    def _room_for(self, size: int) -> _Worker | None:
        """The least busy worker, if it is idle or may queue a task of ``size`` bytes."""
        worker = min(self._workers, key=lambda candidate: len(candidate.tasks), default=None)
        if worker is None or not worker.tasks:
            return worker
        if len(worker.tasks) >= self.depth:
            return None
        queued = sum(len(task.message) for task in worker.tasks) + size
        return worker if queued <= self._queue_bytes else None

    def _on_answer(self, worker: _Worker) -> None:
        try:
            answer = worker.connection.recv_bytes()
        except (EOFError, OSError):
            self._worker_died(worker)
            self._dispatch()
            return
        task = worker.tasks.popleft()
        if not worker.tasks:
            self._remove_reader(worker)
        self._dispatch()
        if task.answer.done():
            return
        try:
            ok, value = ForkingPickler.loads(answer)
        except Exception as exc:  # an exception type that pickles but does not unpickle
            ok, value = False, RuntimeError(f"unreadable answer: {exc!r}"[:300])
        if ok:
            task.answer.set_result(value)
        else:
            task.answer.set_exception(value)

    def _worker_died(self, worker: _Worker) -> None:
        """The task it was running fails; the ones queued behind it go to the others first."""
        self._remove_reader(worker)
        worker.connection.close()
        worker.process.join(timeout=1)
        if worker in self._workers:
            self._workers.remove(worker)
        if worker.tasks:
            running = worker.tasks.popleft()
            if not running.answer.done():
                running.answer.set_exception(
                    WorkerDied("the worker process exited while analysing")
                )
            self._pending.extendleft(reversed(worker.tasks))
            worker.tasks.clear()
        if not self._closed:
            self._spawn()

    @staticmethod
    def _remove_reader(worker: _Worker) -> None:
        # No running loop, or the pipe is already closed: nothing to remove.
        with contextlib.suppress(RuntimeError, OSError, ValueError):
            asyncio.get_running_loop().remove_reader(worker.connection.fileno())


def _queue_limit(connection: Connection) -> int:
    """Bytes that may wait in a worker's pipe: a third of its send buffer (two tasks and
    the kernel's bookkeeping fit; ~70 KB on Linux, nothing queues where buffers are tiny)."""
    try:
        with socket.socket(fileno=os.dup(connection.fileno())) as duplicate:
            return duplicate.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) // 3
    except OSError:
        return 0


def _stop_fork_server() -> None:
    """Stop multiprocessing's fork server; the next pool starts a new one.

    ``ForkServer._stop`` is private (CPython's tests use it) but present since
    Python 3.8; without it the server simply lives on.
    """
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        with contextlib.suppress(OSError):
            stop()


def _serve(connection: Connection, initializer: Callable[..., None], initargs: tuple) -> None:
    """A worker's loop: answer ``(True, result)`` or ``(False, exception)`` per task."""
    # Ctrl-C reaches the whole process group: the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)
    while True:
        try:
            function, argument = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = (True, function(argument))
        except Exception as exc:
            answer = (False, exc)
        try:
            connection.send(answer)
        except Exception as exc:  # an answer that does not pickle
            connection.send((False, RuntimeError(f"unpicklable answer: {exc!r}"[:300])))
