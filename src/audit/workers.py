"""A small process pool driven by the asyncio event loop.

``concurrent.futures.ProcessPoolExecutor`` feeds its workers through a
management thread, which fights the event loop for the GIL: on Python 3.11 a
crawl spent more time in ``submit()`` than in fetching. Here each worker owns
one duplex pipe; the loop writes a task to an idle worker and is woken by
``add_reader`` when the answer is there, so no thread is involved and the
task a worker was running when it died is known exactly: that task fails with
:class:`WorkerDied` and a fresh worker takes the dead one's place.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any


class WorkerDied(RuntimeError):
    """The worker process running a task exited before answering."""


@dataclass(eq=False)
class _Worker:
    process: Any
    connection: Connection
    task: asyncio.Future[Any] | None = None


@dataclass
class ProcessPool:
    """``processes`` workers, each started with ``initializer(*initargs)``; ``await run(f, x)``.

    ``f`` and ``x`` must be picklable; ``f`` runs in a worker and its result (or
    exception) comes back. Use :meth:`close` to stop the workers.
    """

    processes: int
    initializer: Callable[..., None]
    initargs: tuple[Any, ...] = ()
    start_method: str = "forkserver"
    preload: tuple[str, ...] = ()
    _idle: deque[_Worker] = field(default_factory=deque, init=False)
    _workers: list[_Worker] = field(default_factory=list, init=False)
    _waiting: deque[asyncio.Future[_Worker]] = field(default_factory=deque, init=False)
    _closed: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._context = multiprocessing.get_context(self.start_method)
        if self.preload and self.start_method == "forkserver":
            self._context.set_forkserver_preload(list(self.preload))
        for _ in range(self.processes):
            self._spawn()

    async def run(self, function: Callable[[Any], Any], argument: Any) -> Any:
        """Run ``function(argument)`` in a worker; raises :class:`WorkerDied` if it dies."""
        worker = await self._acquire()
        loop = asyncio.get_running_loop()
        task: asyncio.Future[Any] = loop.create_future()
        worker.task = task
        try:
            worker.connection.send((function, argument))
        except (BrokenPipeError, OSError):
            self._replace(worker)
            raise WorkerDied("the worker process had exited") from None
        loop.add_reader(worker.connection.fileno(), self._on_answer, worker)
        try:
            return await task
        finally:
            if task.cancelled() and worker in self._workers:
                # The answer will still come: a cancelled task leaves its worker busy.
                worker.task = None

    def close(self) -> None:
        """Stop every worker (running tasks are abandoned)."""
        self._closed = True
        for worker in self._workers:
            self._remove_reader(worker)
            worker.connection.close()
            worker.process.terminate()
        for worker in self._workers:
            worker.process.join(timeout=5)
        self._workers.clear()
        self._idle.clear()

    def _spawn(self) -> None:
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve, args=(child, self.initializer, self.initargs), daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.append(worker)
        self._release(worker)

    async def _acquire(self) -> _Worker:
        if self._idle:
            return self._idle.popleft()
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        return await waiter

    def _release(self, worker: _Worker) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _on_answer(self, worker: _Worker) -> None:
        self._remove_reader(worker)
        task, worker.task = worker.task, None
        try:
            ok, value = worker.connection.recv()
        except (EOFError, OSError):
            self._replace(worker)
            if task is not None and not task.done():
                task.set_exception(WorkerDied("the worker process exited while analysing"))
            return
        self._release(worker)
        if task is None or task.done():
            return
        if ok:
            task.set_result(value)
        else:
            task.set_exception(value)

    def _replace(self, worker: _Worker) -> None:
        self._remove_reader(worker)
        worker.connection.close()
        worker.process.join(timeout=1)
        if worker in self._workers:
            self._workers.remove(worker)
        if not self._closed:
            self._spawn()

    @staticmethod
    def _remove_reader(worker: _Worker) -> None:
        # No running loop, or the pipe is already closed: nothing to remove.
        with contextlib.suppress(RuntimeError, OSError, ValueError):
            asyncio.get_running_loop().remove_reader(worker.connection.fileno())


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
