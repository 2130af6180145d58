"""The event-loop process pool: tasks queue in busy workers, a death costs one task.

Each task records which worker ran it and when it started, so the tests see
the queueing itself, not only the answers.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from audit import workers
from audit.workers import ProcessPool, WorkerDied


def _nothing() -> None:
    pass


def _sleep_then_report(seconds: float) -> tuple[int, float]:
    """(the worker's pid, when the task started)."""
    started = time.monotonic()
    time.sleep(seconds)
    return os.getpid(), started


def _die_or_report(argument: str) -> tuple[int, float]:
    if argument == "die":
        time.sleep(0.1)  # the next task is queued behind this one by then
        os.kill(os.getpid(), signal.SIGKILL)
    return _sleep_then_report(0)


def _echo(argument: object) -> object:
    return argument


class _Unloadable(Exception):
    """Pickles, but its __init__ needs two arguments, so it does not unpickle."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(first)


def _raise_unloadable(argument: object) -> object:
    raise _Unloadable("a", "b")


def _raise_value_error(argument: object) -> object:
    raise ValueError(f"bad {argument}")


def pool(processes: int = 1, **options: object) -> ProcessPool:
    return ProcessPool(processes, _nothing, start_method="fork", **options)


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_busy_worker_already_holds_its_next_task() -> None:
    async def two_tasks(depth: int) -> list[tuple[int, float]]:
        tasks = pool(depth=depth)
        try:
            first = asyncio.ensure_future(tasks.run(_sleep_then_report, 0.3))
            await asyncio.sleep(0.05)  # the first task is running
            second = asyncio.ensure_future(tasks.run(_sleep_then_report, 0))
            await asyncio.sleep(0)
            queued = len(tasks._workers[0].tasks)
            answers = await asyncio.gather(first, second)
            return [*answers, queued]
        finally:
            tasks.close()

    (pid_a, _), (pid_b, _), queued = run(two_tasks(depth=2))
    assert pid_a == pid_b and queued == 2
    *_, queued_one_at_a_time = run(two_tasks(depth=1))
    assert queued_one_at_a_time == 1


def test_tasks_start_in_the_order_they_were_submitted() -> None:
    async def many() -> list[tuple[int, float]]:
        tasks = pool(2)
        try:
            return await asyncio.gather(*(tasks.run(_sleep_then_report, 0.02) for _ in range(12)))
        finally:
            tasks.close()

    answers = run(many())
    assert len({pid for pid, _ in answers}) == 2  # both workers took tasks
    for pid in {pid for pid, _ in answers}:
        starts = [started for worker, started in answers if worker == pid]
        assert starts == sorted(starts)


def test_a_task_too_large_for_the_pipe_waits_for_an_idle_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(workers, "_queue_limit", lambda connection: 10_000)

    async def large_behind_busy() -> int:
        tasks = pool()
        try:
            first = asyncio.ensure_future(tasks.run(_sleep_then_report, 0.3))
            await asyncio.sleep(0.05)
            large = asyncio.ensure_future(tasks.run(_echo, "x" * 50_000))
            await asyncio.sleep(0)
            queued = len(tasks._workers[0].tasks)
            await asyncio.gather(first, large)
            return queued
        finally:
            tasks.close()

    assert run(large_behind_busy()) == 1


def test_the_queue_limit_comes_from_the_pipe_buffer() -> None:
    tasks = pool()
    try:
        assert 0 < tasks._queue_bytes < 10_000_000
    finally:
        tasks.close()


def test_a_death_fails_the_running_task_and_the_queued_one_runs_in_a_fresh_worker() -> None:
    async def die_with_a_queue() -> tuple[BaseException | tuple[int, float], ...]:
        tasks = pool()
        try:
            original = tasks._workers[0].process.pid
            dying = asyncio.ensure_future(tasks.run(_die_or_report, "die"))
            await asyncio.sleep(0.02)
            queued = asyncio.ensure_future(tasks.run(_die_or_report, "live"))
            await asyncio.sleep(0)
            assert len(tasks._workers[0].tasks) == 2  # sent behind the dying task
            results = await asyncio.gather(dying, queued, return_exceptions=True)
            return (*results, original)
        finally:
            tasks.close()

    dying, queued, original = run(die_with_a_queue())
    assert isinstance(dying, WorkerDied)
    assert isinstance(queued, tuple) and queued[0] != original


def test_exceptions_come_back_and_an_unloadable_one_is_named() -> None:
    async def failing() -> list[BaseException]:
        tasks = pool()
        try:
            return await asyncio.gather(
                tasks.run(_raise_value_error, 7),
                tasks.run(_raise_unloadable, None),
                tasks.run(_echo, "still here"),
                return_exceptions=True,
            )
        finally:
            tasks.close()

    value_error, unloadable, echoed = run(failing())
    assert isinstance(value_error, ValueError) and str(value_error) == "bad 7"
    assert isinstance(unloadable, RuntimeError) and "unreadable answer" in str(unloadable)
    assert echoed == "still here"


def test_a_cancelled_caller_does_not_take_another_task_answer() -> None:
    async def cancel_first() -> object:
        tasks = pool()
        try:
            first = asyncio.ensure_future(tasks.run(_sleep_then_report, 0.2))
            await asyncio.sleep(0.05)
            second = asyncio.ensure_future(tasks.run(_echo, "second"))
            first.cancel()
            return await second
        finally:
            tasks.close()

    assert run(cancel_first()) == "second"


def test_closing_the_last_pool_stops_the_fork_server() -> None:
    from multiprocessing import forkserver

    async def answer(tasks: ProcessPool) -> object:
        return await tasks.run(_echo, "up")

    first = ProcessPool(1, _nothing)
    second = ProcessPool(1, _nothing)
    assert run(answer(first)) == "up"
    server = forkserver._forkserver._forkserver_pid
    assert server is not None
    first.close()
    assert forkserver._forkserver._forkserver_pid == server  # the second pool still uses it
    assert run(answer(second)) == "up"
    second.close()
    assert forkserver._forkserver._forkserver_pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(server, os.WNOHANG)  # exited and reaped
    again = ProcessPool(1, _nothing)  # a later pool starts a new server
    try:
        assert run(answer(again)) == "up"
    finally:
        again.close()


def test_a_closed_pool_refuses_new_tasks() -> None:
    tasks = pool()
    tasks.close()
    with pytest.raises(WorkerDied, match="closed"):
        run(tasks.run(_echo, "late"))
